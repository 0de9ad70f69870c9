// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// --- quantized operand checks (shared by qmatmul and qconv) ---

func.func @storage_not_of_kind(%a: tensor<2x64xf32>, %w: tensor<3x64xi8>,
    %s: tensor<3x2xf8E8M0FNU>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'rhs' element type 'i8' is not a storage type of the mx format (f8E4M3FN, f8E5M2 or f4E2M1FN)}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x64xf32>, tensor<3x64xi8>)
       rhs_scale(%s : tensor<3x2xf8E8M0FNU>) outs(%i : tensor<2x3xf32>)
       {transpose_b, rhs_format = #kiln.qformat<mx, axis = 1, block = 32>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @axis_out_of_range(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<3xf32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{format axis 2 is out of range for 'rhs' of rank 2}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<3xf32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int, axis = 2>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @scale_rank(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<3xf32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'rhs_scale' has rank 1 but the format of 'rhs' needs rank 0 (shape [])}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<3xf32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @scale_shape_blocked(%a: tensor<2x70xf32>, %w: tensor<3x70xi4>,
    %s: tensor<3x2xf32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'rhs_scale' shape [3, 2] does not match the shape [3, 3] the format of 'rhs' needs (dim 1)}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x70xf32>, tensor<3x70xi4>)
       rhs_scale(%s : tensor<3x2xf32>) outs(%i : tensor<2x3xf32>)
       {transpose_b, rhs_format = #kiln.qformat<int, axis = 1, block = 32>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @scale_elt_mx(%a: tensor<2x64xf32>, %w: tensor<3x64xf4E2M1FN>,
    %s: tensor<3x2xf32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'rhs_scale' element type 'f32' is wrong for the mx format, which needs f8E8M0FNU scales}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x64xf32>, tensor<3x64xf4E2M1FN>)
       rhs_scale(%s : tensor<3x2xf32>) outs(%i : tensor<2x3xf32>)
       {transpose_b, rhs_format = #kiln.qformat<mx, axis = 1, block = 32>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @zero_point_not_int(%a: tensor<2x4xf32>, %w: tensor<4x3xf8E4M3FN>,
    %s: tensor<f32>, %z: tensor<i32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'rhs_zero_point' is only allowed with the int format, not float}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xf8E4M3FN>)
       rhs_scale(%s : tensor<f32>) rhs_zero_point(%z : tensor<i32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<float>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @zero_point_shape(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<3xf32>, %z: tensor<i32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'rhs_zero_point' shape [] must match 'rhs_scale' shape [3]}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<3xf32>) rhs_zero_point(%z : tensor<i32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int, axis = 1>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// --- the optionally quantized left operand ---

func.func @lhs_format_without_scale(%a: tensor<2x4xi8>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'lhs' has a format, so 'lhs_scale' is required}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xi8>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x3xf32>)
       {lhs_format = #kiln.qformat<int>, rhs_format = #kiln.qformat<int>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @lhs_scale_without_format(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'lhs_scale' is given but 'lhs' has no format}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       lhs_scale(%s : tensor<f32>) rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @lhs_zero_point_without_format(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %z: tensor<i32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'lhs_zero_point' is given but 'lhs' has no format}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       lhs_zero_point(%z : tensor<i32>) rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @lhs_not_float(%a: tensor<2x4xi32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'lhs' must be a float tensor (f32, f16 or bf16) when it has no format, got element type 'i32'}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xi32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// --- matmul shapes ---

func.func @result_not_init(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<2x3xf32>) -> tensor<2x3xf16> {
  // expected-error @+1 {{result type 'tensor<2x3xf16>' must equal the 'init' type 'tensor<2x3xf32>'}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x3xf16>
  return %c : tensor<2x3xf16>
}

// -----

func.func @lhs_rank(%a: tensor<4xf32>, %w: tensor<4xi8>,
    %s: tensor<f32>, %i: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'lhs' must have rank >= 2, got 1}}
  %c = kiln.qmatmul ins(%a, %w : tensor<4xf32>, tensor<4xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<3xf32>
  return %c : tensor<3xf32>
}

// -----

func.func @rhs_rank(%a: tensor<5x2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<5x2x3xf32>) -> tensor<5x2x3xf32> {
  // expected-error @+1 {{'rhs' rank 2 must equal 'lhs' rank 3}}
  %c = kiln.qmatmul ins(%a, %w : tensor<5x2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<5x2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<5x2x3xf32>
  return %c : tensor<5x2x3xf32>
}

// -----

func.func @init_rank(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<1x2x3xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{'init' rank 3 must equal 'lhs' rank 2}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<1x2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<1x2x3xf32>
  return %c : tensor<1x2x3xf32>
}

// -----

func.func @batch_rhs(%a: tensor<5x2x4xf32>, %w: tensor<6x4x3xi8>,
    %s: tensor<f32>, %i: tensor<5x2x3xf32>) -> tensor<5x2x3xf32> {
  // expected-error @+1 {{batch dim 0 mismatch: 'lhs' has 5, 'rhs' has 6}}
  %c = kiln.qmatmul ins(%a, %w : tensor<5x2x4xf32>, tensor<6x4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<5x2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<5x2x3xf32>
  return %c : tensor<5x2x3xf32>
}

// -----

func.func @batch_init(%a: tensor<?x2x4xf32>, %w: tensor<5x4x3xi8>,
    %s: tensor<f32>, %i: tensor<7x2x3xf32>) -> tensor<7x2x3xf32> {
  // expected-error @+1 {{batch dim 0 mismatch: 'rhs' has 5, 'init' has 7}}
  %c = kiln.qmatmul ins(%a, %w : tensor<?x2x4xf32>, tensor<5x4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<7x2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<7x2x3xf32>
  return %c : tensor<7x2x3xf32>
}

// -----

func.func @k_mismatch(%a: tensor<2x4xf32>, %w: tensor<5x3xi8>,
    %s: tensor<f32>, %i: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{K mismatch: 'lhs' has 4, 'rhs' has 5}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<5x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

func.func @k_mismatch_transposed(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{K (rhs dim -1 with transpose_b) mismatch: 'lhs' has 4, 'rhs' has 3}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x4xf32>)
       {transpose_b, rhs_format = #kiln.qformat<int>} -> tensor<2x4xf32>
  return %c : tensor<2x4xf32>
}

// -----

func.func @m_mismatch(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<5x3xf32>) -> tensor<5x3xf32> {
  // expected-error @+1 {{M mismatch: 'lhs' has 2, 'init' has 5}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<5x3xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<5x3xf32>
  return %c : tensor<5x3xf32>
}

// -----

func.func @n_mismatch(%a: tensor<2x4xf32>, %w: tensor<4x3xi8>,
    %s: tensor<f32>, %i: tensor<2x7xf32>) -> tensor<2x7xf32> {
  // expected-error @+1 {{N mismatch: 'rhs' has 3, 'init' has 7}}
  %c = kiln.qmatmul ins(%a, %w : tensor<2x4xf32>, tensor<4x3xi8>)
       rhs_scale(%s : tensor<f32>) outs(%i : tensor<2x7xf32>)
       {rhs_format = #kiln.qformat<int>} -> tensor<2x7xf32>
  return %c : tensor<2x7xf32>
}

// -----

// --- qconv: the same operand checks on input and filter, geometry shared ---

func.func @qconv_input_not_float(%x: tensor<1x3x5x5xi8>, %w: tensor<4x3x3x3xi8>,
    %s: tensor<4xf32>, %i: tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'input' must be a float tensor (f32, f16 or bf16) when it has no format, got element type 'i8'}}
  %y = kiln.qconv ins(%x, %w : tensor<1x3x5x5xi8>, tensor<4x3x3x3xi8>)
       filter_scale(%s : tensor<4xf32>) outs(%i : tensor<1x4x3x3xf32>)
       {filter_format = #kiln.qformat<int, axis = 0>} -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

func.func @qconv_input_scale_required(%x: tensor<1x3x5x5xi8>, %w: tensor<4x3x3x3xi8>,
    %s: tensor<4xf32>, %i: tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'input' has a format, so 'input_scale' is required}}
  %y = kiln.qconv ins(%x, %w : tensor<1x3x5x5xi8>, tensor<4x3x3x3xi8>)
       filter_scale(%s : tensor<4xf32>) outs(%i : tensor<1x4x3x3xf32>)
       {input_format = #kiln.qformat<int>,
        filter_format = #kiln.qformat<int, axis = 0>} -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

func.func @qconv_filter_scale_shape(%x: tensor<1x3x5x5xf32>, %w: tensor<4x3x3x3xi8>,
    %s: tensor<3xf32>, %i: tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'filter_scale' shape [3] does not match the shape [4] the format of 'filter' needs (dim 0)}}
  %y = kiln.qconv ins(%x, %w : tensor<1x3x5x5xf32>, tensor<4x3x3x3xi8>)
       filter_scale(%s : tensor<3xf32>) outs(%i : tensor<1x4x3x3xf32>)
       {filter_format = #kiln.qformat<int, axis = 0>} -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

func.func @qconv_input_zero_point(%x: tensor<1x3x5x5xi8>, %w: tensor<4x3x3x3xi8>,
    %sx: tensor<f32>, %zx: tensor<3xi32>, %s: tensor<4xf32>,
    %i: tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+1 {{'input_zero_point' shape [3] must match 'input_scale' shape []}}
  %y = kiln.qconv ins(%x, %w : tensor<1x3x5x5xi8>, tensor<4x3x3x3xi8>)
       input_scale(%sx : tensor<f32>) input_zero_point(%zx : tensor<3xi32>)
       filter_scale(%s : tensor<4xf32>) outs(%i : tensor<1x4x3x3xf32>)
       {input_format = #kiln.qformat<int>,
        filter_format = #kiln.qformat<int, axis = 0>} -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// -----

// Geometry comes from verifyConvLikeOp (shared with kiln.conv).
func.func @qconv_geometry(%x: tensor<1x3x5x5xf32>, %w: tensor<4x3x3x3xi8>,
    %s: tensor<4xf32>, %i: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  // expected-error @+1 {{'init' spatial dim 0 is 4, expected 3}}
  %y = kiln.qconv ins(%x, %w : tensor<1x3x5x5xf32>, tensor<4x3x3x3xi8>)
       filter_scale(%s : tensor<4xf32>) outs(%i : tensor<1x4x4x4xf32>)
       {filter_format = #kiln.qformat<int, axis = 0>} -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}
