// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s
// permute and unpermute by the same indices value cancel (indices are a
// permutation); by different index values they do not.

// CHECK-LABEL: func.func @unpermute_of_permute
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x7x4xf32>, %{{.*}}: tensor<1x2x7xi32>)
// CHECK-NOT: kiln.
// CHECK: return %[[X]]
func.func @unpermute_of_permute(%x: tensor<1x2x7x4xf32>, %i: tensor<1x2x7xi32>) -> tensor<1x2x7x4xf32> {
  %p = kiln.permute %x by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%x : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  %u = kiln.unpermute %p by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%p : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  return %u : tensor<1x2x7x4xf32>
}

// -----

// CHECK-LABEL: func.func @permute_of_unpermute
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x?x4xbf16>, %{{.*}}: tensor<?x2x?xi64>, %{{.*}}: tensor<?x2x?x4xbf16>)
// CHECK-NOT: kiln.
// CHECK: return %[[X]]
func.func @permute_of_unpermute(%x: tensor<?x2x?x4xbf16>, %i: tensor<?x2x?xi64>, %init: tensor<?x2x?x4xbf16>) -> tensor<?x2x?x4xbf16> {
  %u = kiln.unpermute %x by %i : tensor<?x2x?x4xbf16>, tensor<?x2x?xi64> outs(%init : tensor<?x2x?x4xbf16>) -> tensor<?x2x?x4xbf16>
  %p = kiln.permute %u by %i : tensor<?x2x?x4xbf16>, tensor<?x2x?xi64> outs(%init : tensor<?x2x?x4xbf16>) -> tensor<?x2x?x4xbf16>
  return %p : tensor<?x2x?x4xbf16>
}

// -----

// Different index values: no fold.
// CHECK-LABEL: func.func @different_indices
// CHECK: %[[P:.*]] = kiln.permute %{{.*}} by %[[I:[^ ]*]]
// CHECK: %[[U:.*]] = kiln.unpermute %[[P]] by %[[J:[^ ]*]]
// CHECK: return %[[U]]
func.func @different_indices(%x: tensor<1x2x7x4xf32>, %i: tensor<1x2x7xi32>, %j: tensor<1x2x7xi32>) -> tensor<1x2x7x4xf32> {
  %p = kiln.permute %x by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%x : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  %u = kiln.unpermute %p by %j : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%p : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  return %u : tensor<1x2x7x4xf32>
}

// -----

// Equal-looking but distinct index values (two constants that differ): no fold.
// CHECK-LABEL: func.func @different_constant_indices
// CHECK: kiln.permute
// CHECK: kiln.unpermute
func.func @different_constant_indices(%x: tensor<1x1x3x2xf32>) -> tensor<1x1x3x2xf32> {
  %i = arith.constant dense<[[[2, 0, 1]]]> : tensor<1x1x3xi32>
  %j = arith.constant dense<[[[1, 2, 0]]]> : tensor<1x1x3xi32>
  %p = kiln.permute %x by %i : tensor<1x1x3x2xf32>, tensor<1x1x3xi32> outs(%x : tensor<1x1x3x2xf32>) -> tensor<1x1x3x2xf32>
  %u = kiln.unpermute %p by %j : tensor<1x1x3x2xf32>, tensor<1x1x3xi32> outs(%x : tensor<1x1x3x2xf32>) -> tensor<1x1x3x2xf32>
  return %u : tensor<1x1x3x2xf32>
}

// -----

// Two permutes (or two unpermutes) in a row do not cancel.
// CHECK-LABEL: func.func @permute_twice
// CHECK: kiln.permute
// CHECK: kiln.permute
// CHECK-LABEL: func.func @unpermute_twice
// CHECK: kiln.unpermute
// CHECK: kiln.unpermute
func.func @permute_twice(%x: tensor<1x2x7x4xf32>, %i: tensor<1x2x7xi32>) -> tensor<1x2x7x4xf32> {
  %p = kiln.permute %x by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%x : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  %q = kiln.permute %p by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%p : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  return %q : tensor<1x2x7x4xf32>
}
func.func @unpermute_twice(%x: tensor<1x2x7x4xf32>, %i: tensor<1x2x7xi32>) -> tensor<1x2x7x4xf32> {
  %p = kiln.unpermute %x by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%x : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  %q = kiln.unpermute %p by %i : tensor<1x2x7x4xf32>, tensor<1x2x7xi32> outs(%p : tensor<1x2x7x4xf32>) -> tensor<1x2x7x4xf32>
  return %q : tensor<1x2x7x4xf32>
}
