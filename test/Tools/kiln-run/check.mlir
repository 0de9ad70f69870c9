// kiln-run on an artifact and on the .mlir itself (JIT): .npy in and out,
// --check pass and fail, bf16 and i4 through the bit-pattern convention.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t
// RUN: kiln-compile %s --emit=shared -o %t/k.so
// RUN: kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c.npy --output %t/got.npy | FileCheck %s --check-prefix=OK
// RUN: %python -c "import numpy as np; g = np.load('%t/got.npy'); c = np.load('%t/c.npy'); assert g.dtype == np.float32 and g.shape == (7, 5); assert np.allclose(g, c, rtol=1e-5, atol=1e-5)"
// RUN: kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c_f64.npy --rtol 1e-4 --atol 1e-5 | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c_wrong.npy | FileCheck %s --check-prefix=MISMATCH
// RUN: kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c_wrong.npy --atol 0.6 | FileCheck %s --check-prefix=LOOSE
// RUN: not kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c_inf.npy --rtol 0.5 --atol 0.6 | FileCheck %s --check-prefix=INF
// RUN: kiln-run %s --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c.npy | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %s --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c_wrong.npy | FileCheck %s --check-prefix=MISMATCH
// RUN: kiln-run %t/k.so --entry=widen_bf16 --input %t/bf16_in.npy --check %t/bf16_ref.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=OK
// RUN: kiln-run %t/k.so --entry=widen_i4 --input %t/i4_in.npy --check %t/i4_ref.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=OK
// RUN: kiln-run %t/k.so --entry=double_rows --input %t/d.npy --check %t/d2.npy | FileCheck %s --check-prefix=OK
// RUN: kiln-run %s --entry=double_rows --input %t/d.npy --check %t/d2.npy -O0 | FileCheck %s --check-prefix=OK
// RUN: kiln-run %t/k.so --entry=mm --threads 2 --input %t/a.npy --input %t/b.npy | FileCheck %s --check-prefix=SUMMARY

// OK: check output 0: max abs error {{.*}}: ok
// MISMATCH: check output 0: max abs error 0.5, max rel error {{.*}} (rtol 1e-05, atol 1e-06): MISMATCH (1 of 35 elements)
// LOOSE: check output 0: max abs error 0.5, {{.*}}: ok
// INF: check output 0: max abs error inf, {{.*}}: MISMATCH (1 of 35 elements)
// SUMMARY: output 0: f32[7x5]

func.func @mm(%a: tensor<7x13xf32>, %b: tensor<13x5xf32>) -> tensor<7x5xf32> {
  %e = tensor.empty() : tensor<7x5xf32>
  %c = kiln.matmul ins(%a, %b : tensor<7x13xf32>, tensor<13x5xf32>)
       outs(%e : tensor<7x5xf32>) -> tensor<7x5xf32>
  return %c : tensor<7x5xf32>
}

func.func @widen_bf16(%a: tensor<4xbf16>) -> tensor<4xf32> {
  %r = arith.extf %a : tensor<4xbf16> to tensor<4xf32>
  return %r : tensor<4xf32>
}

func.func @widen_i4(%a: tensor<5xi4>) -> tensor<5xi32> {
  %r = arith.extsi %a : tensor<5xi4> to tensor<5xi32>
  return %r : tensor<5xi32>
}

func.func @double_rows(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = arith.addf %a, %a : tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
