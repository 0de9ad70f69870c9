// Warm calls allocate nothing: intermediates live in workspace frames the
// compiler planned (kiln-cpu-plan-workspace) and results come from the
// artifact's buffer pool, so after warm-up a call faults (almost) no pages,
// from kiln_run and from kiln_run_into with the caller's output, with glibc
// made to unmap every freed block above 64 KiB (the C program's mallopt:
// per-call malloc/free would then fault every page of every buffer).
// The Python path is python/tests/test_warm_calls.py.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --emit=shared -o %t/k.so
// RUN: kiln-compile %s --emit=mlir | FileCheck %s --check-prefix=PLAN
// RUN: %cc -std=gnu99 -Wall -Werror -I %kiln_runtime_include %S/Inputs/warm_calls.c -L %kiln_runtime_lib -lkiln_runtime -Wl,-rpath,%kiln_runtime_lib -o %t/warm
// RUN: %t/warm %t/k.so | FileCheck %s

// Every buffer of the block is planned; only the result is allocated.
// PLAN-LABEL: llvm.func @block
// PLAN: llvm.call @kiln_workspace_frame
// PLAN-COUNT-1: llvm.call @_mlir_memref_to_llvm_alloc
// PLAN-NOT: llvm.call @_mlir_memref_to_llvm_alloc
// PLAN: llvm.return

// CHECK: kiln_run: same result: yes
// CHECK: kiln_run: faults per call ok
// CHECK: kiln_run_into: same result: yes
// CHECK: kiln_run_into: faults per call ok
// CHECK: after unload: output still readable: yes

func.func @block(%q: tensor<1x4x256x64xf32>, %k: tensor<1x4x256x64xf32>,
                 %v: tensor<1x4x256x64xf32>, %w: tensor<64x256xf32>)
    -> tensor<1024x256xf32> {
  %o0 = tensor.empty() : tensor<1x4x256x64xf32>
  %l0 = tensor.empty() : tensor<1x4x256xf32>
  %o, %l = kiln.attention
      ins(%q, %k, %v : tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>)
      outs(%o0, %l0 : tensor<1x4x256x64xf32>, tensor<1x4x256xf32>) {causal}
      -> tensor<1x4x256x64xf32>, tensor<1x4x256xf32>
  %flat = tensor.collapse_shape %o [[0, 1, 2], [3]]
      : tensor<1x4x256x64xf32> into tensor<1024x64xf32>
  %i = tensor.empty() : tensor<1024x256xf32>
  %m = kiln.matmul ins(%flat, %w : tensor<1024x64xf32>, tensor<64x256xf32>)
      outs(%i : tensor<1024x256xf32>) -> tensor<1024x256xf32>
  %t = math.tanh %m : tensor<1024x256xf32>
  %r = arith.addf %t, %m : tensor<1024x256xf32>
  return %r : tensor<1024x256xf32>
}
