// --list (with ? for dynamic dims), --bench, random inputs by --seed.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --emit=shared --test-required-isa= -o %t/k.so
// RUN: kiln-run %t/k.so --list | FileCheck %s --check-prefix=LIST
// RUN: kiln-run %s --list | FileCheck %s --check-prefix=JITLIST
// RUN: kiln-run %t/k.so --entry=mm --bench 5 | FileCheck %s --check-prefix=BENCH
// RUN: kiln-run %t/k.so --entry=scale --bench 3 --input %S/Inputs/rows.npy | FileCheck %s --check-prefix=BENCH-NOFLOPS
// RUN: kiln-run %t/k.so --entry=mm --seed 11 --output %t/r1.npy
// RUN: kiln-run %s --entry=mm --seed 11 --output %t/r2.npy
// RUN: kiln-run %t/k.so --entry=mm --seed 12 --output %t/r3.npy
// RUN: %python -c "import numpy as np; a = np.load('%t/r1.npy'); b = np.load('%t/r2.npy'); c = np.load('%t/r3.npy'); assert np.allclose(a, b, rtol=1e-5, atol=1e-6); assert not np.allclose(a, c)"
// RUN: not kiln-run %t/k.so --entry=scale 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: not kiln-run %t/k.so 2>&1 | FileCheck %s --check-prefix=WHICH

// LIST: isa: (none)
// LIST-NEXT: entry mm(f32[16x32], f32[32x8]) -> (f32[16x8])  flops=8192
// LIST-NEXT: entry scale(f32[?x?x4]) -> (f32[?x?x4])
// JITLIST: isa: {{.+}}
// JITLIST: entry scale(f32[?x?x4]) -> (f32[?x?x4])
// BENCH: bench mm: 5 runs, median {{[0-9.]+}} ms, min {{[0-9.]+}} ms, max {{[0-9.]+}} ms, {{[0-9.]+}} GFLOP/s
// BENCH-NOFLOPS: bench scale: 3 runs, median {{[0-9.]+}} ms, min {{[0-9.]+}} ms, max {{[0-9.]+}} ms{{$}}
// DYNAMIC: kiln-run: error: input 0 of 'scale' has dynamic dims f32[?x?x4]; give its data with --input
// WHICH: kiln-run: error: the artifact has 2 entry points; pick one with --entry (see --list)

func.func @mm(%a: tensor<16x32xf32>, %b: tensor<32x8xf32>) -> tensor<16x8xf32> {
  %e = tensor.empty() : tensor<16x8xf32>
  %c = kiln.matmul ins(%a, %b : tensor<16x32xf32>, tensor<32x8xf32>)
       outs(%e : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %c : tensor<16x8xf32>
}

func.func @scale(%a: tensor<?x?x4xf32>) -> tensor<?x?x4xf32> {
  %r = arith.mulf %a, %a : tensor<?x?x4xf32>
  return %r : tensor<?x?x4xf32>
}
