// RUN: kiln-opt %s --split-input-file --verify-diagnostics
// One case per kiln.matmul / layer_norm / rms_norm / softmax verifier diagnostic.

func.func @lhs_rank(%a: tensor<5xf32>, %b: tensor<5xf32>, %i: tensor<5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'lhs' must have rank >= 2, got rank 1}}
  %c = kiln.matmul ins(%a, %b : tensor<5xf32>, tensor<5xf32>) outs(%i : tensor<5xf32>) -> tensor<5xf32>
  return %c : tensor<5xf32>
}

// -----

func.func @rhs_rank(%a: tensor<2x7x5xf32>, %b: tensor<5x3xf32>, %i: tensor<2x7x3xf32>) -> tensor<2x7x3xf32> {
  // expected-error @+1 {{'rhs' rank 2 must equal 'lhs' rank 3}}
  %c = kiln.matmul ins(%a, %b : tensor<2x7x5xf32>, tensor<5x3xf32>) outs(%i : tensor<2x7x3xf32>) -> tensor<2x7x3xf32>
  return %c : tensor<2x7x3xf32>
}

// -----

func.func @mm_init_rank(%a: tensor<7x5xf32>, %b: tensor<5x3xf32>, %i: tensor<1x7x3xf32>) -> tensor<1x7x3xf32> {
  // expected-error @+1 {{'init' rank 3 must equal 'lhs' rank 2}}
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<5x3xf32>) outs(%i : tensor<1x7x3xf32>) -> tensor<1x7x3xf32>
  return %c : tensor<1x7x3xf32>
}

// -----

func.func @mm_result(%a: tensor<7x5xf32>, %b: tensor<5x3xf32>, %i: tensor<7x3xf32>) -> tensor<7x3xf16> {
  // expected-error @+1 {{result type 'tensor<7x3xf16>' must match 'init' type 'tensor<7x3xf32>'}}
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<5x3xf32>) outs(%i : tensor<7x3xf32>) -> tensor<7x3xf16>
  return %c : tensor<7x3xf16>
}

// -----

func.func @rhs_batch(%a: tensor<2x7x5xf32>, %b: tensor<3x5x3xf32>, %i: tensor<2x7x3xf32>) -> tensor<2x7x3xf32> {
  // expected-error @+1 {{'rhs' batch dim 0 (3) must equal 'lhs' batch dim (2)}}
  %c = kiln.matmul ins(%a, %b : tensor<2x7x5xf32>, tensor<3x5x3xf32>) outs(%i : tensor<2x7x3xf32>) -> tensor<2x7x3xf32>
  return %c : tensor<2x7x3xf32>
}

// -----

func.func @init_batch(%a: tensor<?x7x5xf32>, %b: tensor<2x5x3xf32>, %i: tensor<4x7x3xf32>) -> tensor<4x7x3xf32> {
  // expected-error @+1 {{'init' batch dim 0 (4) must equal the 'lhs' / 'rhs' batch dim (2)}}
  %c = kiln.matmul ins(%a, %b : tensor<?x7x5xf32>, tensor<2x5x3xf32>) outs(%i : tensor<4x7x3xf32>) -> tensor<4x7x3xf32>
  return %c : tensor<4x7x3xf32>
}

// -----

func.func @contraction(%a: tensor<7x5xf32>, %b: tensor<4x3xf32>, %i: tensor<7x3xf32>) -> tensor<7x3xf32> {
  // expected-error @+1 {{'rhs' contraction dim (4, dim rank-2) must equal the 'lhs' contraction dim (5)}}
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<4x3xf32>) outs(%i : tensor<7x3xf32>) -> tensor<7x3xf32>
  return %c : tensor<7x3xf32>
}

// -----

func.func @contraction_tb(%a: tensor<7x5xf32>, %b: tensor<5x3xf32>, %i: tensor<7x5xf32>) -> tensor<7x5xf32> {
  // expected-error @+1 {{'rhs' contraction dim (3, its last dim with transpose_b) must equal the 'lhs' contraction dim (5)}}
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<5x3xf32>) outs(%i : tensor<7x5xf32>) {transpose_b} -> tensor<7x5xf32>
  return %c : tensor<7x5xf32>
}

// -----

func.func @init_rows(%a: tensor<7x5xf32>, %b: tensor<5x3xf32>, %i: tensor<6x3xf32>) -> tensor<6x3xf32> {
  // expected-error @+1 {{'init' row dim 6 must equal the 'lhs' row dim 7}}
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<5x3xf32>) outs(%i : tensor<6x3xf32>) -> tensor<6x3xf32>
  return %c : tensor<6x3xf32>
}

// -----

func.func @init_cols(%a: tensor<7x5xf32>, %b: tensor<3x5xf32>, %i: tensor<7x5xf32>) -> tensor<7x5xf32> {
  // expected-error @+1 {{'init' column dim 5 must equal the 'rhs' column dim 3}}
  %c = kiln.matmul ins(%a, %b : tensor<7x5xf32>, tensor<3x5xf32>) outs(%i : tensor<7x5xf32>) {transpose_b} -> tensor<7x5xf32>
  return %c : tensor<7x5xf32>
}

// -----

func.func @ln_init(%x: tensor<2x8xf32>, %i: tensor<2x7xf32>) -> tensor<2x7xf32> {
  // expected-error @+1 {{'init' shape [2, 7] must match 'input' shape [2, 8]}}
  %y = kiln.layer_norm %x : tensor<2x8xf32> outs(%i : tensor<2x7xf32>) -> tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}

// -----

func.func @ln_result(%x: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xbf16> {
  // expected-error @+1 {{result type 'tensor<2x8xbf16>' must match 'init' type 'tensor<2x8xf32>'}}
  %y = kiln.layer_norm %x : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) -> tensor<2x8xbf16>
  return %y : tensor<2x8xbf16>
}

// -----

func.func @ln_epsilon(%x: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'epsilon' must be >= 0, got -5.000000e-01}}
  %y = kiln.layer_norm %x : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) {epsilon = -0.5 : f32} -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @ln_axis(%x: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'axis' -3 is out of range for an 'input' of rank 2 (expected -2 <= axis < 2)}}
  %y = kiln.layer_norm %x : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) {axis = -3 : i64} -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @ln_gamma(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %i: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'gamma' shape [8] must equal the normalized dims [4, 8] of 'input'}}
  %y = kiln.layer_norm %x scale(%g : tensor<8xf32>) : tensor<2x4x8xf32> outs(%i : tensor<2x4x8xf32>) {axis = 1 : i64} -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @ln_beta(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>, %b: tensor<4xf32>, %i: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{'beta' shape [4] must equal the normalized dims [8] of 'input'}}
  %y = kiln.layer_norm %x scale(%g : tensor<8xf32>) bias(%b : tensor<4xf32>) : tensor<2x4x8xf32> outs(%i : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @rms_axis(%x: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'axis' 2 is out of range for an 'input' of rank 2 (expected -2 <= axis < 2)}}
  %y = kiln.rms_norm %x : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) {axis = 2 : i64} -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @rms_gamma(%x: tensor<2x8xf32>, %g: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'gamma' shape [2, 8] must equal the normalized dims [8] of 'input'}}
  %y = kiln.rms_norm %x scale(%g : tensor<2x8xf32>) : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @rms_init(%x: tensor<?x8xf32>, %i: tensor<?x9xf32>) -> tensor<?x9xf32> {
  // expected-error @+1 {{'init' shape [?, 9] must match 'input' shape [?, 8]}}
  %y = kiln.rms_norm %x : tensor<?x8xf32> outs(%i : tensor<?x9xf32>) -> tensor<?x9xf32>
  return %y : tensor<?x9xf32>
}

// -----

func.func @softmax_dim(%x: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dimension' 5 is out of range for an 'input' of rank 2 (expected -2 <= dimension < 2)}}
  %y = kiln.softmax %x : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) {dimension = 5 : i64} -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

func.func @softmax_init(%x: tensor<2x8xf32>, %i: tensor<8x2xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{'init' shape [8, 2] must match 'input' shape [2, 8]}}
  %y = kiln.softmax %x : tensor<2x8xf32> outs(%i : tensor<8x2xf32>) -> tensor<8x2xf32>
  return %y : tensor<8x2xf32>
}

// -----

func.func @softmax_result(%x: tensor<2x8xf32>, %i: tensor<2x8xf32>) -> tensor<2x8xf16> {
  // expected-error @+1 {{result type 'tensor<2x8xf16>' must match 'init' type 'tensor<2x8xf32>'}}
  %y = kiln.softmax %x : tensor<2x8xf32> outs(%i : tensor<2x8xf32>) -> tensor<2x8xf16>
  return %y : tensor<2x8xf16>
}
