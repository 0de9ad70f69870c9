// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s
// Round trip of kiln.conv and kiln.batch_norm in their printed forms.

// CHECK-LABEL: func.func @conv2d_defaults
// CHECK: kiln.conv ins(%{{.*}}, %{{.*}} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
func.func @conv2d_defaults(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                           %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>)
       outs(%i : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_epilogue
// CHECK: kiln.conv ins(%{{.*}}, %{{.*}} : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>)
// CHECK-SAME: epilogue_operands(%{{.*}}, %{{.*}} : tensor<64xf32>, tensor<1x64x56x56xf32>)
// CHECK-SAME: epilogue = [#kiln.step<bias>, #kiln.step<residual_add>, #kiln.step<relu>]
// CHECK-SAME: pad_high = array<i64: 1, 1>, pad_low = array<i64: 1, 1>
func.func @conv2d_epilogue(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>,
                           %b: tensor<64xf32>, %r: tensor<1x64x56x56xf32>,
                           %i: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %y = kiln.conv ins(%x, %w : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>)
       epilogue_operands(%b, %r : tensor<64xf32>, tensor<1x64x56x56xf32>)
       outs(%i : tensor<1x64x56x56xf32>)
       {pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>,
        epilogue = [#kiln.step<bias>, #kiln.step<residual_add>, #kiln.step<relu>]}
       -> tensor<1x64x56x56xf32>
  return %y : tensor<1x64x56x56xf32>
}

// -----

// CHECK-LABEL: func.func @depthwise_nhwc_hwio
// CHECK: kiln.conv
// CHECK-SAME: data_layout = #kiln<data_layout nhwc>
// CHECK-SAME: dilations = array<i64: 2, 2>
// CHECK-SAME: epilogue = [#kiln.step<affine>, #kiln.step<clip, min = -1.000000e+00 : f32, max = 1.000000e+00 : f32>]
// CHECK-SAME: filter_layout = #kiln<filter_layout hwio>
// CHECK-SAME: groups = 8 : i64
// CHECK-SAME: strides = array<i64: 2, 2>
func.func @depthwise_nhwc_hwio(%x: tensor<?x9x9x8xf16>, %w: tensor<3x3x1x16xf16>,
                               %s: tensor<16xf32>, %t: tensor<16xf32>,
                               %i: tensor<?x3x3x16xf16>) -> tensor<?x3x3x16xf16> {
  %y = kiln.conv ins(%x, %w : tensor<?x9x9x8xf16>, tensor<3x3x1x16xf16>)
       epilogue_operands(%s, %t : tensor<16xf32>, tensor<16xf32>)
       outs(%i : tensor<?x3x3x16xf16>)
       {data_layout = #kiln<data_layout nhwc>, filter_layout = #kiln<filter_layout hwio>,
        groups = 8, strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>,
        epilogue = [#kiln.step<affine>, #kiln.step<clip, min = -1.0 : f32, max = 1.0 : f32>]}
       -> tensor<?x3x3x16xf16>
  return %y : tensor<?x3x3x16xf16>
}

// -----

// CHECK-LABEL: func.func @conv1d_conv3d
// CHECK: kiln.conv ins(%{{.*}}, %{{.*}} : tensor<2x4x11xbf16>, tensor<6x4x3xbf16>) outs(%{{.*}} : tensor<2x6x9xbf16>)
// CHECK: kiln.conv ins(%{{.*}}, %{{.*}} : tensor<1x5x5x5x2xf32>, tensor<3x2x2x2x2xf32>)
// CHECK-SAME: filter_layout = #kiln<filter_layout ohwi>
func.func @conv1d_conv3d(%x: tensor<2x4x11xbf16>, %w: tensor<6x4x3xbf16>,
                         %i: tensor<2x6x9xbf16>, %x3: tensor<1x5x5x5x2xf32>,
                         %w3: tensor<3x2x2x2x2xf32>, %i3: tensor<1x4x4x4x3xf32>)
    -> (tensor<2x6x9xbf16>, tensor<1x4x4x4x3xf32>) {
  %y = kiln.conv ins(%x, %w : tensor<2x4x11xbf16>, tensor<6x4x3xbf16>)
       outs(%i : tensor<2x6x9xbf16>) -> tensor<2x6x9xbf16>
  %y3 = kiln.conv ins(%x3, %w3 : tensor<1x5x5x5x2xf32>, tensor<3x2x2x2x2xf32>)
        outs(%i3 : tensor<1x4x4x4x3xf32>)
        {data_layout = #kiln<data_layout nhwc>, filter_layout = #kiln<filter_layout ohwi>}
        -> tensor<1x4x4x4x3xf32>
  return %y, %y3 : tensor<2x6x9xbf16>, tensor<1x4x4x4x3xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK: kiln.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> outs(%{{.*}} : tensor<?x8x5x5xf32>) {epsilon = 1.000000e-03 : f32} -> tensor<?x8x5x5xf32>
func.func @batch_norm(%x: tensor<?x8x5x5xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>,
                      %m: tensor<8xf32>, %v: tensor<8xf32>,
                      %i: tensor<?x8x5x5xf32>) -> tensor<?x8x5x5xf32> {
  %y = kiln.batch_norm %x, %g, %b, %m, %v : tensor<?x8x5x5xf32>, tensor<8xf32>,
       tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
       outs(%i : tensor<?x8x5x5xf32>) {epsilon = 1.0e-3 : f32} -> tensor<?x8x5x5xf32>
  return %y : tensor<?x8x5x5xf32>
}
