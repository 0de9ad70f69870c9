// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s
// Canonicalization of the ops without rewrites of their own: they are pure,
// so a dead one disappears and a live one is left exactly as it was (no
// inexact folding). Op-specific folds are in <family>-canonicalize.mlir.

// CHECK-LABEL: func @dead_ops_are_erased
// CHECK-NOT: kiln.
// CHECK: return
func.func @dead_ops_are_erased(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>,
                               %c: tensor<4xf32>, %m: tensor<8x8xf32>,
                               %q: tensor<1x2x8x4xf32>, %wq: tensor<8x8xi8>, %s: tensor<8xf32>) {
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %0 = kiln.conv ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%e : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %1 = kiln.batch_norm %x, %c, %c, %c, %c : tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> outs(%x : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = kiln.matmul ins(%m, %m : tensor<8x8xf32>, tensor<8x8xf32>) outs(%m : tensor<8x8xf32>) -> tensor<8x8xf32>
  %3 = kiln.softmax %m : tensor<8x8xf32> outs(%m : tensor<8x8xf32>) -> tensor<8x8xf32>
  %4 = kiln.layer_norm %m : tensor<8x8xf32> outs(%m : tensor<8x8xf32>) -> tensor<8x8xf32>
  %5 = kiln.rms_norm %m : tensor<8x8xf32> outs(%m : tensor<8x8xf32>) -> tensor<8x8xf32>
  %6 = kiln.attention ins(%q, %q, %q : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) outs(%q : tensor<1x2x8x4xf32>) {causal} -> tensor<1x2x8x4xf32>
  %7 = kiln.dequantize %wq scale(%s : tensor<8xf32>) : tensor<8x8xi8> outs(%m : tensor<8x8xf32>) {format = #kiln.qformat<int, axis = 0>} -> tensor<8x8xf32>
  %8 = kiln.qmatmul ins(%m, %wq : tensor<8x8xf32>, tensor<8x8xi8>) rhs_scale(%s : tensor<8xf32>) outs(%m : tensor<8x8xf32>) {rhs_format = #kiln.qformat<int, axis = 0>, transpose_b} -> tensor<8x8xf32>
  return
}

// -----

// CHECK-LABEL: func @live_ops_are_kept
// CHECK: %[[A:.*]] = kiln.attention {{.*}} {causal, window_left = 2 : i64}
// CHECK: %[[S:.*]] = kiln.softmax %[[A]]
// CHECK: %[[M:.*]] = kiln.matmul ins(%[[S]], %{{.*}}
// CHECK: return %[[M]]
func.func @live_ops_are_kept(%q: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  %a = kiln.attention ins(%q, %q, %q : tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>) outs(%q : tensor<1x1x8x8xf32>) {causal, window_left = 2 : i64} -> tensor<1x1x8x8xf32>
  %s = kiln.softmax %a : tensor<1x1x8x8xf32> outs(%q : tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  %m = kiln.matmul ins(%s, %q : tensor<1x1x8x8xf32>, tensor<1x1x8x8xf32>) outs(%q : tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  return %m : tensor<1x1x8x8xf32>
}
