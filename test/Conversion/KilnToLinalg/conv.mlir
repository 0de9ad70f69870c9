// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// Structure of the kiln.conv reference lowering: zero padding, the channel
// dims split into (group, channel), one generic with f32 accumulation over
// (n, g, oc, oh, ow, ic, kh, kw), then one elementwise generic per epilogue
// step, the last writing the init.

// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7 * 2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv2d_nchw
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 0] high[0, 0, 2, 1]
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 12, 10]
// CHECK: %[[WE:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3x5x3xf32>)
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XE]], %[[WE]] : tensor<1x2x2x12x10xf16>, tensor<2x3x2x3x3xf16>) outs(%[[ACC]] : tensor<1x2x3x5x3xf32>)
// CHECK:   arith.extf
// CHECK:   arith.extf
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: %[[Y2:.*]] = tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x5x3xf32> into tensor<1x6x5x3xf32>
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[Y2]], %{{.*}} : tensor<1x6x5x3xf32>, tensor<6xf32>) outs(%{{.*}} : tensor<1x6x5x3xf32>)
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<1x6x5x3xf32>) outs(%{{.*}} : tensor<1x6x5x3xf16>)
// CHECK:   arith.maximumf
// CHECK:   arith.truncf
// CHECK: return %[[R]]
func.func @conv2d_nchw(%x: tensor<1x4x9x9xf16>, %w: tensor<6x2x3x3xf16>,
                       %b: tensor<6xf32>, %i: tensor<1x6x5x3xf16>) -> tensor<1x6x5x3xf16> {
  %y = kiln.conv ins(%x, %w : tensor<1x4x9x9xf16>, tensor<6x2x3x3xf16>)
       epilogue_operands(%b : tensor<6xf32>) outs(%i : tensor<1x6x5x3xf16>)
       {groups = 2 : i64, strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>,
        pad_low = array<i64: 1, 0>, pad_high = array<i64: 2, 1>,
        epilogue = [#kiln.step<bias>, #kiln.step<relu>]} -> tensor<1x6x5x3xf16>
  return %y : tensor<1x6x5x3xf16>
}

// -----

// NHWC data, HWIO filter, dynamic batch: the maps place the channel last and
// the filter's output channel last; no padding, no epilogue step (a copy).
// An ungrouped conv needs no group split: loops (n, oc, ow, ic, kw).
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2 + d4, d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d4, d3, d1)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1)>
// CHECK-LABEL: func.func @conv1d_nhwc_dynamic
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[N:.*]] = tensor.dim %arg2, %{{.*}} : tensor<?x5x4xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?x5x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<?x7x3xf32>, tensor<3x3x4xf32>)
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x5x4xf32>)
func.func @conv1d_nhwc_dynamic(%x: tensor<?x7x3xf32>, %w: tensor<3x3x4xf32>,
                               %i: tensor<?x5x4xf32>) -> tensor<?x5x4xf32> {
  %y = kiln.conv ins(%x, %w : tensor<?x7x3xf32>, tensor<3x3x4xf32>)
       outs(%i : tensor<?x5x4xf32>)
       {data_layout = #kiln<data_layout nhwc>, filter_layout = #kiln<filter_layout hwio>}
       -> tensor<?x5x4xf32>
  return %y : tensor<?x5x4xf32>
}

// -----

// Epilogue steps in order, each its own generic; the residual is read with
// the identity map, affine operands through the channel map.
// CHECK-LABEL: func.func @epilogue_order
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x5xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x4x5xf32>, tensor<2x4x5xbf16>)
// CHECK:   arith.extf
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x4x5xf32>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK:   math.erf
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x4x5xf32>) outs(%{{.*}} : tensor<2x4x5xf32>)
// CHECK:   arith.maximumf
// CHECK:   arith.minimumf
// CHECK: return
func.func @epilogue_order(%x: tensor<2x3x7xf32>, %w: tensor<4x3x3xf32>,
                          %s: tensor<4xf32>, %t: tensor<4xf32>, %r: tensor<2x4x5xbf16>,
                          %i: tensor<2x4x5xf32>) -> tensor<2x4x5xf32> {
  %y = kiln.conv ins(%x, %w : tensor<2x3x7xf32>, tensor<4x3x3xf32>)
       epilogue_operands(%s, %t, %r : tensor<4xf32>, tensor<4xf32>, tensor<2x4x5xbf16>)
       outs(%i : tensor<2x4x5xf32>)
       {epilogue = [#kiln.step<affine>, #kiln.step<residual_add>, #kiln.step<gelu_erf>,
                    #kiln.step<clip, min = -2.0 : f32, max = 2.0 : f32>]}
       -> tensor<2x4x5xf32>
  return %y : tensor<2x4x5xf32>
}
