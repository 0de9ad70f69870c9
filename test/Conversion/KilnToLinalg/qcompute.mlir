// RUN: kiln-opt %s --split-input-file --kiln-test-qcompute-decompose | FileCheck %s
// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s --check-prefix=FULL

// kiln.qmatmul is kiln.matmul of the dequantized operands; the full
// reference lowering leaves no kiln op.
// FULL-NOT: kiln.

// CHECK-LABEL: func.func @qmatmul_rhs_only
// CHECK-SAME: (%[[A:.*]]: tensor<8x64xf32>, %[[W:.*]]: tensor<32x64xi8>, %[[S:.*]]: tensor<32xf32>, %[[I:.*]]: tensor<8x32xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<32x64xf32>
// CHECK: %[[D:.*]] = kiln.dequantize %[[W]] scale(%[[S]] : tensor<32xf32>) : tensor<32x64xi8> outs(%[[E]] : tensor<32x64xf32>) {format = #kiln.qformat<int, axis = 0>}
// CHECK: %[[M:.*]] = kiln.matmul ins(%[[A]], %[[D]] : tensor<8x64xf32>, tensor<32x64xf32>) outs(%[[I]] : tensor<8x32xf32>) {transpose_b}
// CHECK: return %[[M]]
func.func @qmatmul_rhs_only(%a: tensor<8x64xf32>, %w: tensor<32x64xi8>,
    %s: tensor<32xf32>, %init: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<8x64xf32>, tensor<32x64xi8>)
       rhs_scale(%s : tensor<32xf32>) outs(%init : tensor<8x32xf32>)
       {transpose_b, rhs_format = #kiln.qformat<int, axis = 0>} -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// Both operands quantized, with zero points; the dynamic batch dim of each
// dequantize init is read from its operand.
// CHECK-LABEL: func.func @qmatmul_both
// CHECK-SAME: (%[[A:[^:]*]]: tensor<?x4x16xi8>, %[[W:[^:]*]]: tensor<?x16x8xi8>, %[[SA:[^:]*]]: tensor<f32>, %[[ZA:[^:]*]]: tensor<i32>, %[[SW:[^:]*]]: tensor<f32>, %[[ZW:[^:]*]]: tensor<i32>, %[[I:[^:]*]]: tensor<?x4x8xbf16>)
// CHECK: %[[DA:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4x16xi8>
// CHECK: %[[EA:.*]] = tensor.empty(%[[DA]]) : tensor<?x4x16xf32>
// CHECK: %[[QA:.*]] = kiln.dequantize %[[A]] scale(%[[SA]] : tensor<f32>) zero_point(%[[ZA]] : tensor<i32>) : tensor<?x4x16xi8> outs(%[[EA]] : tensor<?x4x16xf32>) {format = #kiln.qformat<int>}
// CHECK: %[[DW:.*]] = tensor.dim %[[W]], %{{.*}} : tensor<?x16x8xi8>
// CHECK: %[[EW:.*]] = tensor.empty(%[[DW]]) : tensor<?x16x8xf32>
// CHECK: %[[QW:.*]] = kiln.dequantize %[[W]] scale(%[[SW]] : tensor<f32>) zero_point(%[[ZW]] : tensor<i32>) : tensor<?x16x8xi8> outs(%[[EW]] : tensor<?x16x8xf32>) {format = #kiln.qformat<int>}
// CHECK: kiln.matmul ins(%[[QA]], %[[QW]] : tensor<?x4x16xf32>, tensor<?x16x8xf32>) outs(%[[I]] : tensor<?x4x8xbf16>) -> tensor<?x4x8xbf16>
func.func @qmatmul_both(%a: tensor<?x4x16xi8>, %w: tensor<?x16x8xi8>,
    %sa: tensor<f32>, %za: tensor<i32>, %sw: tensor<f32>, %zw: tensor<i32>,
    %init: tensor<?x4x8xbf16>) -> tensor<?x4x8xbf16> {
  %c = kiln.qmatmul ins(%a, %w : tensor<?x4x16xi8>, tensor<?x16x8xi8>)
       lhs_scale(%sa : tensor<f32>) lhs_zero_point(%za : tensor<i32>)
       rhs_scale(%sw : tensor<f32>) rhs_zero_point(%zw : tensor<i32>)
       outs(%init : tensor<?x4x8xbf16>)
       {lhs_format = #kiln.qformat<int>, rhs_format = #kiln.qformat<int>}
       -> tensor<?x4x8xbf16>
  return %c : tensor<?x4x8xbf16>
}

// -----

// MX weights: the E8M0 block scales and the format pass through unchanged.
// CHECK-LABEL: func.func @qmatmul_mxfp4
// CHECK: %[[D:.*]] = kiln.dequantize %{{.*}} scale(%{{.*}} : tensor<7x2xf8E8M0FNU>) : tensor<7x64xf4E2M1FN> outs(%{{.*}} : tensor<7x64xf32>) {format = #kiln.qformat<mx, axis = 1, block = 32>}
// CHECK: kiln.matmul ins(%{{.*}}, %[[D]] : tensor<3x64xf16>, tensor<7x64xf32>) outs(%{{.*}} : tensor<3x7xf32>) {transpose_b}
func.func @qmatmul_mxfp4(%a: tensor<3x64xf16>, %w: tensor<7x64xf4E2M1FN>,
    %s: tensor<7x2xf8E8M0FNU>, %init: tensor<3x7xf32>) -> tensor<3x7xf32> {
  %c = kiln.qmatmul ins(%a, %w : tensor<3x64xf16>, tensor<7x64xf4E2M1FN>)
       rhs_scale(%s : tensor<7x2xf8E8M0FNU>) outs(%init : tensor<3x7xf32>)
       {transpose_b, rhs_format = #kiln.qformat<mx, axis = 1, block = 32>}
       -> tensor<3x7xf32>
  return %c : tensor<3x7xf32>
}

// -----

// kiln.qconv is kiln.conv of the dequantized filter with every conv
// attribute, the epilogue and its operands carried over.
// CHECK-LABEL: func.func @qconv_bias_relu
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x3x9x9xf32>, %[[W:[^:]*]]: tensor<16x3x3x3xi8>, %[[S:[^:]*]]: tensor<16xf32>, %[[B:[^:]*]]: tensor<16xf32>, %[[I:[^:]*]]: tensor<1x16x4x3xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<16x3x3x3xf32>
// CHECK: %[[D:.*]] = kiln.dequantize %[[W]] scale(%[[S]] : tensor<16xf32>) : tensor<16x3x3x3xi8> outs(%[[E]] : tensor<16x3x3x3xf32>) {format = #kiln.qformat<int, axis = 0>}
// CHECK: kiln.conv ins(%[[X]], %[[D]] : tensor<1x3x9x9xf32>, tensor<16x3x3x3xf32>) epilogue_operands(%[[B]] : tensor<16xf32>) outs(%[[I]] : tensor<1x16x4x3xf32>)
// CHECK-SAME: dilations = array<i64: 1, 2>
// CHECK-SAME: epilogue = [#kiln.step<bias>, #kiln.step<relu>]
// CHECK-SAME: pad_high = array<i64: 0, 1>, pad_low = array<i64: 1, 0>, strides = array<i64: 2, 2>
// CHECK-NOT: kiln.qconv
func.func @qconv_bias_relu(%x: tensor<1x3x9x9xf32>, %w: tensor<16x3x3x3xi8>,
    %s: tensor<16xf32>, %b: tensor<16xf32>, %init: tensor<1x16x4x3xf32>)
    -> tensor<1x16x4x3xf32> {
  %y = kiln.qconv ins(%x, %w : tensor<1x3x9x9xf32>, tensor<16x3x3x3xi8>)
       filter_scale(%s : tensor<16xf32>) epilogue_operands(%b : tensor<16xf32>)
       outs(%init : tensor<1x16x4x3xf32>)
       {filter_format = #kiln.qformat<int, axis = 0>,
        strides = array<i64: 2, 2>, pad_low = array<i64: 1, 0>,
        pad_high = array<i64: 0, 1>, dilations = array<i64: 1, 2>,
        epilogue = [#kiln.step<bias>, #kiln.step<relu>]} -> tensor<1x16x4x3xf32>
  return %y : tensor<1x16x4x3xf32>
}

// -----

// Quantized input (per tensor, zero point), depthwise NHWC / HWIO.
// CHECK-LABEL: func.func @qconv_depthwise_nhwc
// CHECK: %[[DX:.*]] = kiln.dequantize %{{.*}} zero_point(%{{.*}} : tensor<i32>) : tensor<2x8x8x4xi8> outs(%{{.*}} : tensor<2x8x8x4xf32>) {format = #kiln.qformat<int>}
// CHECK: %[[DW:.*]] = kiln.dequantize %{{.*}} : tensor<3x3x1x8xi8> outs(%{{.*}} : tensor<3x3x1x8xf32>) {format = #kiln.qformat<int, axis = 3>}
// CHECK: kiln.conv ins(%[[DX]], %[[DW]] : tensor<2x8x8x4xf32>, tensor<3x3x1x8xf32>)
// CHECK-SAME: data_layout = #kiln<data_layout nhwc>
// CHECK-SAME: filter_layout = #kiln<filter_layout hwio>, groups = 4
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
