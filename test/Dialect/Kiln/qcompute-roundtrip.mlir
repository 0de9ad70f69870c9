// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @qmatmul_int8_per_channel
// CHECK: kiln.qmatmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<8x64xf32>, tensor<32x64xi8>)
// CHECK-SAME: rhs_scale(%{{[a-z0-9_]+}} : tensor<32xf32>)
// CHECK-SAME: outs(%{{[a-z0-9_]+}} : tensor<8x32xf32>)
// CHECK-SAME: rhs_format = #kiln.qformat<int, axis = 0>
// CHECK-SAME: transpose_b
func.func @qmatmul_int8_per_channel(%a: tensor<8x64xf32>, %w: tensor<32x64xi8>,
    %s: tensor<32xf32>, %init: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<8x64xf32>, tensor<32x64xi8>)
       rhs_scale(%s : tensor<32xf32>) outs(%init : tensor<8x32xf32>)
       {transpose_b, rhs_format = #kiln.qformat<int, axis = 0>} -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// CHECK-LABEL: func.func @qmatmul_both_quantized
// CHECK: kiln.qmatmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<4x16xi8>, tensor<16x8xi8>)
// CHECK-SAME: lhs_scale(%{{[a-z0-9_]+}} : tensor<f32>) lhs_zero_point(%{{[a-z0-9_]+}} : tensor<i32>)
// CHECK-SAME: rhs_scale(%{{[a-z0-9_]+}} : tensor<8xf32>) rhs_zero_point(%{{[a-z0-9_]+}} : tensor<8xi32>)
// CHECK-SAME: lhs_format = #kiln.qformat<int>
// CHECK-SAME: rhs_format = #kiln.qformat<int, axis = 1>
func.func @qmatmul_both_quantized(%a: tensor<4x16xi8>, %w: tensor<16x8xi8>,
    %sa: tensor<f32>, %za: tensor<i32>, %sw: tensor<8xf32>, %zw: tensor<8xi32>,
    %init: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<4x16xi8>, tensor<16x8xi8>)
       lhs_scale(%sa : tensor<f32>) lhs_zero_point(%za : tensor<i32>)
       rhs_scale(%sw : tensor<8xf32>) rhs_zero_point(%zw : tensor<8xi32>)
       outs(%init : tensor<4x8xf32>)
       {lhs_format = #kiln.qformat<int>, rhs_format = #kiln.qformat<int, axis = 1>}
       -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// Blocked int4 with a partial last block (70 = 2 * 32 + 6), dynamic batch.
// CHECK-LABEL: func.func @qmatmul_int4_blocked
// CHECK: kiln.qmatmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<?x5x70xf16>, tensor<?x13x70xi4>)
// CHECK-SAME: rhs_scale(%{{[a-z0-9_]+}} : tensor<?x13x3xf32>)
// CHECK-SAME: rhs_format = #kiln.qformat<int, axis = 2, block = 32>
func.func @qmatmul_int4_blocked(%a: tensor<?x5x70xf16>, %w: tensor<?x13x70xi4>,
    %s: tensor<?x13x3xf32>, %init: tensor<?x5x13xf32>) -> tensor<?x5x13xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<?x5x70xf16>, tensor<?x13x70xi4>)
       rhs_scale(%s : tensor<?x13x3xf32>) outs(%init : tensor<?x5x13xf32>)
       {transpose_b, rhs_format = #kiln.qformat<int, axis = 2, block = 32>}
       -> tensor<?x5x13xf32>
  return %c : tensor<?x5x13xf32>
}

// -----

// CHECK-LABEL: func.func @qmatmul_mxfp4
// CHECK: kiln.qmatmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<3x64xbf16>, tensor<7x64xf4E2M1FN>)
// CHECK-SAME: rhs_scale(%{{[a-z0-9_]+}} : tensor<7x2xf8E8M0FNU>) outs(%{{[a-z0-9_]+}} : tensor<3x7xbf16>)
// CHECK-SAME: rhs_format = #kiln.qformat<mx, axis = 1, block = 32>
func.func @qmatmul_mxfp4(%a: tensor<3x64xbf16>, %w: tensor<7x64xf4E2M1FN>,
    %s: tensor<7x2xf8E8M0FNU>, %init: tensor<3x7xbf16>) -> tensor<3x7xbf16> {
  %c = kiln.qmatmul ins(%a, %w : tensor<3x64xbf16>, tensor<7x64xf4E2M1FN>)
       rhs_scale(%s : tensor<7x2xf8E8M0FNU>) outs(%init : tensor<3x7xbf16>)
       {transpose_b, rhs_format = #kiln.qformat<mx, axis = 1, block = 32>}
       -> tensor<3x7xbf16>
  return %c : tensor<3x7xbf16>
}

// -----

// CHECK-LABEL: func.func @qmatmul_fp8_per_tensor
// CHECK: kiln.qmatmul ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x8xf32>, tensor<8x4xf8E4M3FN>)
// CHECK-SAME: rhs_scale(%{{[a-z0-9_]+}} : tensor<f32>)
// CHECK-SAME: rhs_format = #kiln.qformat<float>
func.func @qmatmul_fp8_per_tensor(%a: tensor<2x8xf32>, %w: tensor<8x4xf8E4M3FN>,
    %s: tensor<f32>, %init: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<2x8xf32>, tensor<8x4xf8E4M3FN>)
       rhs_scale(%s : tensor<f32>) outs(%init : tensor<2x4xf32>)
       {rhs_format = #kiln.qformat<float>} -> tensor<2x4xf32>
  return %c : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @qconv_int8_bias_relu
// CHECK: kiln.qconv ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<1x3x9x9xf32>, tensor<16x3x3x3xi8>)
// CHECK-SAME: filter_scale(%{{[a-z0-9_]+}} : tensor<16xf32>)
// CHECK-SAME: epilogue_operands(%{{[a-z0-9_]+}} : tensor<16xf32>)
// CHECK-SAME: outs(%{{[a-z0-9_]+}} : tensor<1x16x7x7xf32>)
// CHECK-SAME: epilogue = [#kiln.step<bias>, #kiln.step<relu>]
// CHECK-SAME: filter_format = #kiln.qformat<int, axis = 0>
func.func @qconv_int8_bias_relu(%x: tensor<1x3x9x9xf32>, %w: tensor<16x3x3x3xi8>,
    %s: tensor<16xf32>, %b: tensor<16xf32>, %init: tensor<1x16x7x7xf32>)
    -> tensor<1x16x7x7xf32> {
  %y = kiln.qconv ins(%x, %w : tensor<1x3x9x9xf32>, tensor<16x3x3x3xi8>)
       filter_scale(%s : tensor<16xf32>) epilogue_operands(%b : tensor<16xf32>)
       outs(%init : tensor<1x16x7x7xf32>)
       {filter_format = #kiln.qformat<int, axis = 0>,
        epilogue = [#kiln.step<bias>, #kiln.step<relu>]} -> tensor<1x16x7x7xf32>
  return %y : tensor<1x16x7x7xf32>
}

// -----

// Depthwise NHWC / HWIO with a quantized input.
// CHECK-LABEL: func.func @qconv_depthwise_nhwc
// CHECK: kiln.qconv ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x8x8x4xi8>, tensor<3x3x1x8xi8>)
// CHECK-SAME: input_scale(%{{[a-z0-9_]+}} : tensor<f32>) input_zero_point(%{{[a-z0-9_]+}} : tensor<i32>)
// CHECK-SAME: filter_scale(%{{[a-z0-9_]+}} : tensor<8xf32>)
// CHECK-SAME: data_layout = #kiln<data_layout nhwc>
// CHECK-SAME: filter_layout = #kiln<filter_layout hwio>
// CHECK-SAME: groups = 4
// CHECK-SAME: input_format = #kiln.qformat<int>
func.func @qconv_depthwise_nhwc(%x: tensor<2x8x8x4xi8>, %w: tensor<3x3x1x8xi8>,
    %sx: tensor<f32>, %zx: tensor<i32>, %s: tensor<8xf32>,
    %init: tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32> {
  %y = kiln.qconv ins(%x, %w : tensor<2x8x8x4xi8>, tensor<3x3x1x8xi8>)
       input_scale(%sx : tensor<f32>) input_zero_point(%zx : tensor<i32>)
       filter_scale(%s : tensor<8xf32>) outs(%init : tensor<2x8x8x8xf32>)
       {input_format = #kiln.qformat<int>,
        filter_format = #kiln.qformat<int, axis = 3>,
        data_layout = #kiln<data_layout nhwc>, filter_layout = #kiln<filter_layout hwio>,
        groups = 4 : i64, pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>}
       -> tensor<2x8x8x8xf32>
  return %y : tensor<2x8x8x8xf32>
}
