// Run-time contracts of an artifact: dynamic input dims the code requires
// to agree are recorded ("same" metadata records) and checked by kiln_run
// before the call (KILN_ERROR_SHAPE); data checks in the code (kiln.permute
// indices that must be a permutation) are reported after it
// (KILN_ERROR_DATA), with no outputs. From kiln-run, the JIT and C; the
// Python package's tests cover its path.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --emit=mlir | FileCheck %s --check-prefix=META
// RUN: kiln-compile %s --emit=shared -o %t/k.so
// RUN: kiln-compile %s --emit=shared -O0 -o %t/k0.so
// RUN: %python %S/Inputs/make_check_inputs.py %t
// RUN: kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b.npy --check %t/c.npy | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %t/k.so --entry=mm --input %t/a.npy --input %t/b_short.npy 2>&1 | FileCheck %s --check-prefix=MM
// RUN: not kiln-run %s --entry=mm --input %t/a.npy --input %t/b_short.npy 2>&1 | FileCheck %s --check-prefix=MM
// RUN: not kiln-run %t/k0.so --entry=mm --input %t/a.npy --input %t/b_short.npy 2>&1 | FileCheck %s --check-prefix=MM
// RUN: not kiln-run %t/k.so --entry=to_width4 --input %t/a.npy 2>&1 | FileCheck %s --check-prefix=STATIC
// RUN: not kiln-run %t/k.so --entry=add --input %t/a.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=ADD
// RUN: kiln-run %t/k.so --entry=gather_tokens --input %t/x.npy --input %t/perm.npy --check %t/xp.npy | FileCheck %s --check-prefix=OK
// RUN: not kiln-run %t/k.so --entry=gather_tokens --input %t/x.npy --input %t/not_perm.npy 2>&1 | FileCheck %s --check-prefix=PERM
// RUN: not kiln-run %t/k0.so --entry=gather_tokens --input %t/x.npy --input %t/out_of_range.npy 2>&1 | FileCheck %s --check-prefix=PERM
// RUN: not kiln-run %s --entry=scatter_tokens --input %t/x.npy --input %t/out_of_range.npy 2>&1 | FileCheck %s --check-prefix=UNPERM
// RUN: %cc -std=c99 -Wall -Werror -I %kiln_runtime_include %S/Inputs/run_time_checks.c -L %kiln_runtime_lib -lkiln_runtime -Wl,-rpath,%kiln_runtime_lib -o %t/checks
// RUN: %t/checks %t/k.so | FileCheck %s --check-prefix=C

// META: entry mm 2 1\0Ain f32 2 -1 -1\0Ain f32 2 -1 -1\0Aout f32 2 -1 -1\0Asame -1 0:1 1:0\0A
// META: entry to_width4 1 1\0Ain f32 2 -1 -1\0Aout f32 2 -1 8\0Asame 4 0:1\0A
// META: entry add 2 1\0Ain f32 2 -1 -1\0Ain f32 2 -1 -1\0Aout f32 2 -1 -1\0Asame -1 0:0 1:0\0Asame -1 0:1 1:1\0A
// META: entry gather_tokens 2 1\0Ain f32 4 1 2 -1 3\0Ain i32 3 1 2 -1\0Aout f32 4 1 2 -1 3\0Asame -1 0:2 1:2\0A

// OK: check output 0: max abs error {{.*}}: ok
// MM: error: entry 'mm': input 0 dim 1 is 6 but input 1 dim 0 is 2; the code requires them to be equal
// STATIC: error: entry 'to_width4': input 0 dim 1 is 6, but the code requires 4
// ADD: error: entry 'add': input 0 dim 0 is 5 but input 1 dim 0 is 6; the code requires them to be equal
// PERM: error: entry 'gather_tokens': kiln.permute at run-time-checks.mlir:{{[0-9]+}}:{{[0-9]+}}: the indices of some (batch, head) are not a permutation of [0, S)
// UNPERM: error: entry 'scatter_tokens': kiln.unpermute at {{.*}}: the indices of some (batch, head) are not a permutation of [0, S)
// C: mm ok
// C-NEXT: mm shape: status 7 (shape mismatch): entry 'mm': input 0 dim 1 is 6 but input 1 dim 0 is 2; the code requires them to be equal
// C-NEXT: gather_tokens ok
// C-NEXT: gather_tokens data: status 10 (bad input data): entry 'gather_tokens': kiln.permute at {{.*}}: the indices of some (batch, head) are not a permutation of [0, S)
// C-NEXT: gather_tokens after the failure ok

func.func @mm(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %i = tensor.empty(%m, %n) : tensor<?x?xf32>
  %c = kiln.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>)
       outs(%i : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %c : tensor<?x?xf32>
}

// A dynamic K against a static one: it must be 4.
func.func @to_width4(%a: tensor<?x?xf32>) -> tensor<?x8xf32> {
  %w = arith.constant dense<1.0> : tensor<4x8xf32>
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %i = tensor.empty(%m) : tensor<?x8xf32>
  %c = kiln.matmul ins(%a, %w : tensor<?x?xf32>, tensor<4x8xf32>)
       outs(%i : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %c : tensor<?x8xf32>
}

// Element-wise: every dim pairs up.
func.func @add(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = arith.addf %a, %b : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @gather_tokens(%x: tensor<1x2x?x3xf32>, %idx: tensor<1x2x?xi32>)
    -> tensor<1x2x?x3xf32> {
  %c2 = arith.constant 2 : index
  %s = tensor.dim %x, %c2 : tensor<1x2x?x3xf32>
  %i = tensor.empty(%s) : tensor<1x2x?x3xf32>
  %r = kiln.permute %x by %idx : tensor<1x2x?x3xf32>, tensor<1x2x?xi32>
       outs(%i : tensor<1x2x?x3xf32>) -> tensor<1x2x?x3xf32>
  return %r : tensor<1x2x?x3xf32>
}

func.func @scatter_tokens(%x: tensor<1x2x?x3xf32>, %idx: tensor<1x2x?xi32>)
    -> tensor<1x2x?x3xf32> {
  %c2 = arith.constant 2 : index
  %s = tensor.dim %x, %c2 : tensor<1x2x?x3xf32>
  %i = tensor.empty(%s) : tensor<1x2x?x3xf32>
  %r = kiln.unpermute %x by %idx : tensor<1x2x?x3xf32>, tensor<1x2x?xi32>
       outs(%i : tensor<1x2x?x3xf32>) -> tensor<1x2x?x3xf32>
  return %r : tensor<1x2x?x3xf32>
}
