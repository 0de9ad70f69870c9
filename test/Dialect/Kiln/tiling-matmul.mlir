// RUN: kiln-opt %s --split-input-file --kiln-test-tiling-interface="tile-sizes=1,16,8" | FileCheck %s


// Matmul tiles over (batch, M, N); K stays whole.
// CHECK-LABEL: func @matmul
// CHECK: scf.forall (%[[B:.*]], %[[M:.*]], %[[N:.*]]) = (0, 0, 0) to (4, 64, 16) step (1, 16, 8)
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], %[[M]], 0] [1, 16, 32]
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], 0, %[[N]]] [1, 32, 8]
// CHECK: kiln.matmul {{.*}} -> tensor<1x16x8xf32>
func.func @matmul(%a: tensor<4x64x32xf32>, %b: tensor<4x32x16xf32>, %i: tensor<4x64x16xf32>) -> tensor<4x64x16xf32> {
  %c = kiln.matmul ins(%a, %b : tensor<4x64x32xf32>, tensor<4x32x16xf32>) outs(%i : tensor<4x64x16xf32>) -> tensor<4x64x16xf32>
  return %c : tensor<4x64x16xf32>
}

// -----

// With transpose_b the N tile slices rhs dim 1.
// CHECK-LABEL: func @matmul_transpose_b
// CHECK: scf.forall (%[[B:.*]], %[[M:.*]], %[[N:.*]]) =
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], %[[N]], 0] [1, 8, 32]
// CHECK: kiln.matmul {{.*}}transpose_b{{.*}} -> tensor<1x16x8xf32>
func.func @matmul_transpose_b(%a: tensor<4x64x32xf32>, %b: tensor<4x16x32xf32>, %i: tensor<4x64x16xf32>) -> tensor<4x64x16xf32> {
  %c = kiln.matmul ins(%a, %b : tensor<4x64x32xf32>, tensor<4x16x32xf32>) outs(%i : tensor<4x64x16xf32>) {transpose_b} -> tensor<4x64x16xf32>
  return %c : tensor<4x64x16xf32>
}

// -----

// Per-axis scales follow the tiled N dim; a block-along-K scale stays whole
// along K.
// CHECK-LABEL: func @qmatmul
// CHECK: scf.forall (%[[B:.*]], %[[M:.*]], %[[N:.*]]) =
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], %[[N]], 0] [1, 8, 64] {{.*}} to tensor<1x8x64xi4>
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], %[[N]], 0] [1, 8, 2] {{.*}} to tensor<1x8x2xf32>
// CHECK: kiln.qmatmul {{.*}} -> tensor<1x16x8xf32>
func.func @qmatmul(%a: tensor<2x32x64xf32>, %w: tensor<2x16x64xi4>, %s: tensor<2x16x2xf32>, %i: tensor<2x32x16xf32>) -> tensor<2x32x16xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<2x32x64xf32>, tensor<2x16x64xi4>) rhs_scale(%s : tensor<2x16x2xf32>) outs(%i : tensor<2x32x16xf32>) {transpose_b, rhs_format = #kiln.qformat<int, axis = 2, block = 32>} -> tensor<2x32x16xf32>
  return %c : tensor<2x32x16xf32>
}

