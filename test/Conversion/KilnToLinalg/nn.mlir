// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// Structure of the matmul / norm / softmax / batch_norm reference lowerings.

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_tb_dynamic
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x7x3xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x7x3xf32>)
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[Z]] : tensor<?x7x3xf32>)
// CHECK:   arith.extf
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[G]] : tensor<?x7x3xf32>) outs(%{{.*}} : tensor<?x7x3xbf16>)
// CHECK:   arith.truncf
func.func @matmul_tb_dynamic(%a: tensor<?x7x5xbf16>, %b: tensor<?x3x5xbf16>,
                             %i: tensor<?x7x3xbf16>) -> tensor<?x7x3xbf16> {
  %c = kiln.matmul ins(%a, %b : tensor<?x7x5xbf16>, tensor<?x3x5xbf16>)
       outs(%i : tensor<?x7x3xbf16>) {transpose_b} -> tensor<?x7x3xbf16>
  return %c : tensor<?x7x3xbf16>
}

// -----

// An f32 init is zero-filled and accumulated into directly.
// CHECK-LABEL: func.func @matmul_f32
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%arg2 : tensor<7x3xf32>)
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%[[Z]] : tensor<7x3xf32>)
// CHECK: return %[[G]]
func.func @matmul_f32(%a: tensor<7x5xf32>, %b: tensor<5x3xf32>,
                      %i: tensor<7x3xf32>) -> tensor<7x3xf32> {
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<5x3xf32>)
       outs(%i : tensor<7x3xf32>) -> tensor<7x3xf32>
  return %c : tensor<7x3xf32>
}

// -----

// Two reductions (sum, then squared deviations), then the normalization.
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[V:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%arg0, %[[S]] : tensor<2x3x4xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK:   arith.subf
// CHECK:   arith.mulf
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[S]], %[[V]], %arg1, %arg2 : tensor<2x3x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<3x4xf32>, tensor<3x4xf32>) outs(%arg3 : tensor<2x3x4xf32>)
// CHECK:   math.sqrt
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<3x4xf32>,
                      %i: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %y = kiln.layer_norm %x scale(%g : tensor<3x4xf32>) bias(%b : tensor<3x4xf32>)
       : tensor<2x3x4xf32> outs(%i : tensor<2x3x4xf32>) {axis = 1 : i64} -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @rms_norm
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<?x8xf16>) outs(%{{.*}} : tensor<?xf32>)
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[S]] : tensor<?x8xf16>, tensor<?xf32>) outs(%arg1 : tensor<?x8xf16>)
func.func @rms_norm(%x: tensor<?x8xf16>, %i: tensor<?x8xf16>) -> tensor<?x8xf16> {
  %y = kiln.rms_norm %x : tensor<?x8xf16> outs(%i : tensor<?x8xf16>) -> tensor<?x8xf16>
  return %y : tensor<?x8xf16>
}

// -----

// Max (from -inf), sum of shifted exps, division; the -inf guard selects.
// CHECK-LABEL: func.func @softmax_dim0
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<5xf32>)
// CHECK: %[[M:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
// CHECK:   arith.maximumf
// CHECK: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%arg0, %[[M]]
// CHECK:   arith.cmpf oeq
// CHECK:   arith.select
// CHECK:   math.exp
// CHECK: linalg.generic {{.*}} ins(%arg0, %[[M]], %[[S]] : tensor<3x5xf32>, tensor<5xf32>, tensor<5xf32>) outs(%arg1 : tensor<3x5xf32>)
// CHECK:   arith.divf
// CHECK:   arith.select
func.func @softmax_dim0(%x: tensor<3x5xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %y = kiln.softmax %x : tensor<3x5xf32> outs(%i : tensor<3x5xf32>) {dimension = 0 : i64}
       -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @batch_norm_last
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.*}}]
// CHECK:   math.sqrt
func.func @batch_norm_last(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>,
                           %i: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %y = kiln.batch_norm %x, %s, %s, %s, %s : tensor<2x3x4xf32>, tensor<4xf32>,
       tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
       outs(%i : tensor<2x3x4xf32>) {channel_axis = -1 : i64} -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}
