// RUN: kiln-opt %s --split-input-file --verify-diagnostics
// One case per kiln.conv / kiln.batch_norm verifier diagnostic.

func.func @input_rank(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>, %i: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'input' must have rank 3 to 5 (batch, channel and 1 to 3 spatial dims), got rank 2}}
  %y = kiln.conv ins(%x, %w : tensor<3x8xf32>, tensor<4x3xf32>) outs(%i : tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

func.func @filter_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'filter' rank 3 must equal 'input' rank 4}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @init_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x36xf32>) -> tensor<1x4x36xf32> {
  // expected-error @+1 {{'init' rank 3 must equal 'input' rank 4}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x36xf32>) -> tensor<1x4x36xf32>
  return %y : tensor<1x4x36xf32>
}

// -----

func.func @result_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf16> {
  // expected-error @+1 {{result type 'tensor<1x4x6x6xf16>' must match 'init' type 'tensor<1x4x6x6xf32>'}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf16>
  return %y : tensor<1x4x6x6xf16>
}

// -----

func.func @strides_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'strides' has 1 entries, expected 2 (one per spatial dim)}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {strides = array<i64: 1>} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @pad_high_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'pad_high' has 3 entries, expected 2 (one per spatial dim)}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {pad_high = array<i64: 0, 0, 0>} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @stride_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'strides' entries must be >= 1, got 0}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 0>} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @dilation_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'dilations' entries must be >= 1, got 0}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {dilations = array<i64: 0, 1>} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @pad_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'pad_low' entries must be >= 0, got -1}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {pad_low = array<i64: -1, 0>} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @groups_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {groups = 0 : i64} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @groups_input(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'groups' 2 must divide the 'input' channel count 3}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {groups = 2 : i64} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @groups_output(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>, %i: tensor<1x5x6x6xf32>) -> tensor<1x5x6x6xf32> {
  // expected-error @+1 {{'groups' 2 must divide the 'filter' output-channel count 5}}
  %y = kiln.conv ins(%x, %w : tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) outs(%i : tensor<1x5x6x6xf32>) {groups = 2 : i64} -> tensor<1x5x6x6xf32>
  return %y : tensor<1x5x6x6xf32>
}

// -----

func.func @filter_in(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'filter' input-channel dim 4 must equal 'input' channels 4 / groups 2 = 2}}
  %y = kiln.conv ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) {groups = 2 : i64} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @init_channel(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %i: tensor<1x6x6x5xf32>) -> tensor<1x6x6x5xf32> {
  // expected-error @+1 {{'init' channel dim 5 must equal the 'filter' output-channel count 4}}
  %y = kiln.conv ins(%x, %w : tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>) outs(%i : tensor<1x6x6x5xf32>) {data_layout = #kiln<data_layout nhwc>, filter_layout = #kiln<filter_layout hwio>} -> tensor<1x6x6x5xf32>
  return %y : tensor<1x6x6x5xf32>
}

// -----

func.func @init_batch(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'init' batch dim 1 must equal 'input' batch dim 2}}
  %y = kiln.conv ins(%x, %w : tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @kernel_empty(%x: tensor<1x3x8xf32>, %w: tensor<4x3x0xf32>, %i: tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+1 {{'filter' spatial dim 0 must be >= 1, got 0}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8xf32>, tensor<4x3x0xf32>) outs(%i : tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  return %y : tensor<1x4x6xf32>
}

// -----

func.func @input_too_small(%x: tensor<1x3x4x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x1x6xf32>) -> tensor<1x4x1x6xf32> {
  // expected-error @+1 {{'input' spatial dim 0 padded to 4 is smaller than the dilated kernel extent 5}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x4x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x1x6xf32>) {dilations = array<i64: 2, 1>} -> tensor<1x4x1x6xf32>
  return %y : tensor<1x4x1x6xf32>
}

// -----

func.func @output_shape(%x: tensor<1x3x9x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x5x6xf32>) -> tensor<1x4x5x6xf32> {
  // expected-error @+1 {{'init' spatial dim 0 is 5, expected 4 = (9 + 1 + 0 - 1 * (3 - 1) - 1) / 2 + 1}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x9x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x5x6xf32>) {strides = array<i64: 2, 1>, pad_low = array<i64: 1, 0>} -> tensor<1x4x5x6xf32>
  return %y : tensor<1x4x5x6xf32>
}

// -----

func.func @epilogue_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'epilogue' steps consume 2 operand(s), but 1 'epilogue_operands' are given}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) epilogue_operands(%b : tensor<4xf32>) outs(%i : tensor<1x4x6x6xf32>) {epilogue = [#kiln.step<affine>, #kiln.step<relu>]} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @bias_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'epilogue_operands' #0 (for the 'bias' step) must be a 1-D tensor of the 4 output channels, got 'tensor<3xf32>'}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) epilogue_operands(%b : tensor<3xf32>) outs(%i : tensor<1x4x6x6xf32>) {epilogue = [#kiln.step<bias>]} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @affine_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %s: tensor<4xf32>, %t: tensor<1x4xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'epilogue_operands' #1 (for the 'affine' step) must be a 1-D tensor of the 4 output channels, got 'tensor<1x4xf32>'}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) epilogue_operands(%s, %t : tensor<4xf32>, tensor<1x4xf32>) outs(%i : tensor<1x4x6x6xf32>) {epilogue = [#kiln.step<affine>]} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @residual_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %r: tensor<1x4x6x5xf32>, %i: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{'epilogue_operands' #1 (for the 'residual_add' step) must be shaped like the output 'tensor<1x4x6x6xf32>', got 'tensor<1x4x6x5xf32>'}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) epilogue_operands(%b, %r : tensor<4xf32>, tensor<1x4x6x5xf32>) outs(%i : tensor<1x4x6x6xf32>) {epilogue = [#kiln.step<bias>, #kiln.step<residual_add>]} -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @bn_channel_axis(%x: tensor<1x8x5x5xf32>, %s: tensor<8xf32>, %i: tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{'channel_axis' 4 is out of range for an 'input' of rank 4 (expected -4 <= channel_axis < 4)}}
  %y = kiln.batch_norm %x, %s, %s, %s, %s : tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> outs(%i : tensor<1x8x5x5xf32>) {channel_axis = 4 : i64} -> tensor<1x8x5x5xf32>
  return %y : tensor<1x8x5x5xf32>
}

// -----

func.func @bn_stat_shape(%x: tensor<1x8x5x5xf32>, %s: tensor<8xf32>, %v: tensor<5xf32>, %i: tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{'variance' must be a 1-D tensor of the 8 channels of 'input' dim 1, got 'tensor<5xf32>'}}
  %y = kiln.batch_norm %x, %s, %s, %s, %v : tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<5xf32> outs(%i : tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  return %y : tensor<1x8x5x5xf32>
}

// -----

func.func @bn_init_shape(%x: tensor<1x8x5x5xf32>, %s: tensor<8xf32>, %i: tensor<1x8x5x4xf32>) -> tensor<1x8x5x4xf32> {
  // expected-error @+1 {{'init' shape [1, 8, 5, 4] must match 'input' shape [1, 8, 5, 5]}}
  %y = kiln.batch_norm %x, %s, %s, %s, %s : tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> outs(%i : tensor<1x8x5x4xf32>) -> tensor<1x8x5x4xf32>
  return %y : tensor<1x8x5x4xf32>
}

// -----

func.func @bn_epsilon(%x: tensor<1x8x5x5xf32>, %s: tensor<8xf32>, %i: tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32> {
  // expected-error @+1 {{'epsilon' must be >= 0, got -1.000000e+00}}
  %y = kiln.batch_norm %x, %s, %s, %s, %s : tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> outs(%i : tensor<1x8x5x5xf32>) {epsilon = -1.0 : f32} -> tensor<1x8x5x5xf32>
  return %y : tensor<1x8x5x5xf32>
}

// -----

func.func @bn_result(%x: tensor<1x8x5x5xf32>, %s: tensor<8xf32>, %i: tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf16> {
  // expected-error @+1 {{result type 'tensor<1x8x5x5xf16>' must match 'init' type 'tensor<1x8x5x5xf32>'}}
  %y = kiln.batch_norm %x, %s, %s, %s, %s : tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32> outs(%i : tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf16>
  return %y : tensor<1x8x5x5xf16>
}

// -----

func.func @extent_overflows(%x: tensor<1x3x4x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x1x6xf32>) -> tensor<1x4x1x6xf32> {
  // expected-error @+1 {{spatial dim 0: the padded input or the dilated kernel extent (4611686018427387904 * (3 - 1) + 1) overflows int64}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x4x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x1x6xf32>) {dilations = array<i64: 4611686018427387904, 1>} -> tensor<1x4x1x6xf32>
  return %y : tensor<1x4x1x6xf32>
}

// -----

func.func @padding_overflows(%x: tensor<1x3x4x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x1x6xf32>) -> tensor<1x4x1x6xf32> {
  // expected-error @+1 {{spatial dim 0: the padded input or the dilated kernel extent (1 * (3 - 1) + 1) overflows int64}}
  %y = kiln.conv ins(%x, %w : tensor<1x3x4x8xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<1x4x1x6xf32>) {pad_low = array<i64: 9223372036854775800, 0>, pad_high = array<i64: 100, 0>} -> tensor<1x4x1x6xf32>
  return %y : tensor<1x4x1x6xf32>
}
