// RUN: kiln-opt %s --split-input-file --verify-diagnostics
// One case per kiln.block_select verifier rule.

func.func @f(%q: tensor<4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'query' must be rank 4, got rank 3}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'key' must be rank 4, got rank 3}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x?x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'query' dim 1 (heads) must be static}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x?x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x?xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'query' dim 3 (head dim) must be static}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x?xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x?x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'key' dim 1 (heads) must be static}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x?x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<2x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'key' dim 0 (batch, as 'query') is 2, expected 1}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<2x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x8xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'key' dim 3 (head dim, as 'query') is 8, expected 16}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x8xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x3x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'key' head count 3 must divide 'query' head count 4 (both > 0)}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x3x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'q_block' must be > 0, got 0}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 0, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'kv_block' must be > 0, got -64}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = -64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment' must be >= 0 and a multiple of 'kv_block' and 'q_block', got 96}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64, segment = 96} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment' must be >= 0 and a multiple of 'kv_block' and 'q_block', got 64}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 128, kv_block = 64, segment = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment' must be >= 0 and a multiple of 'kv_block' and 'q_block', got -128}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64, segment = -128} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>) {
  // expected-error @+1 {{expects 2 'outs' (indices, counts), got 1}}
  %r = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i : tensor<1x4x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' must be rank 4, got rank 3}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4x1xi32>) {
  // expected-error @+1 {{'outs[1]' must be rank 3, got rank 4}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4x1xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4x1xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x?x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' dim 1 (heads) must be static}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x?x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x?x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x?xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' dim 3 (capacity) must be static}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x?xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x?xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<3x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' dim 0 (batch, as 'query') is 3, expected 1}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<3x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<3x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x3x4x4xi32>, %c: tensor<1x3x4xi32>) {
  // expected-error @+1 {{'outs[0]' dim 1 (heads) is 3, expected 4 ('query' heads) or 2 ('key' heads)}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x3x4x4xi32>, tensor<1x3x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x3x4x4xi32>, tensor<1x3x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x5x4xi32>, %c: tensor<1x4x5xi32>) {
  // expected-error @+1 {{'outs[0]' dim 2 (query blocks, ceil(Sq / q_block)) is 5, expected 4}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x5x4xi32>, tensor<1x4x5xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x5x4xi32>, tensor<1x4x5xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<2x4x4xi32>) {
  // expected-error @+1 {{'outs[1]' dim 0 (batch, as 'query') is 2, expected 1}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<2x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<2x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x2x4xi32>) {
  // expected-error @+1 {{'outs[1]' dim 1 (heads, as 'outs[0]') is 2, expected 4}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x2x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x2x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x3xi32>) {
  // expected-error @+1 {{'outs[1]' dim 2 (query blocks, as 'outs[0]') is 3, expected 4}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x3xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x3xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %p: tensor<1x256xi32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'k_positions' must be rank 3, got rank 2}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) positions(%p : tensor<1x256xi32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %p: tensor<2x2x256xi32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'k_positions' dim 0 (batch, as 'query') is 2, expected 1}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) positions(%p : tensor<2x2x256xi32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %p: tensor<1x4x256xi32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'k_positions' dim 1 (heads, as 'key') is 4, expected 2}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) positions(%p : tensor<1x4x256xi32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %p: tensor<1x2x255xi32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'k_positions' dim 2 (sequence, as 'key') is 255, expected 256}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) positions(%p : tensor<1x2x255xi32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'scale' must be finite and > 0}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64, scale = 0.0 : f32} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'scale' must be finite and > 0}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64, scale = -1.0 : f32} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{mode top_k requires 'k' >= 1}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{mode top_k requires 'k' >= 1}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 0, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'threshold' is not allowed in mode top_k}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64, threshold = 0.5 : f32} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment', 'sink' and 'k_positions' apply only to mode threshold}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64, segment = 128} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment', 'sink' and 'k_positions' apply only to mode threshold}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64, sink} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %p: tensor<1x2x256xi32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment', 'sink' and 'k_positions' apply only to mode threshold}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) positions(%p : tensor<1x2x256xi32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

// k = 3 over 4 causal blocks: the last query block keeps 3.
func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x2xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' capacity (dim 3) is 2 but top_k selection can keep 3 blocks per query block; needs >= 3}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x2xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 3, q_block = 64, kv_block = 64, causal} -> tensor<1x4x4x2xi32>, tensor<1x4x4xi32>
  return
}

// -----

// Sq = 100 < Skv = 200: query block 0 covers positions 100..163, two forced blocks.
func.func @f(%q: tensor<1x4x100x16xf32>, %k: tensor<1x2x200x16xf32>, %i: tensor<1x4x2x1xi32>, %c: tensor<1x4x2xi32>) {
  // expected-error @+1 {{'outs[0]' capacity (dim 3) is 1 but top_k selection can keep 2 blocks per query block; needs >= 2}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x100x16xf32>, tensor<1x2x200x16xf32>) outs(%i, %c : tensor<1x4x2x1xi32>, tensor<1x4x2xi32>)
      {mode = #kiln<select_mode top_k>, k = 1, q_block = 64, kv_block = 64, causal} -> tensor<1x4x2x1xi32>, tensor<1x4x2xi32>
  return
}

// -----

// Dynamic lengths: any alignment, a query block may span two KV blocks.
func.func @f(%q: tensor<?x4x?x16xf32>, %k: tensor<?x2x?x16xf32>, %i: tensor<?x4x?x1xi32>, %c: tensor<?x4x?xi32>) {
  // expected-error @+1 {{'outs[0]' capacity (dim 3) is 1 but top_k selection can keep 2 blocks per query block; needs >= 2}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<?x4x?x16xf32>, tensor<?x2x?x16xf32>) outs(%i, %c : tensor<?x4x?x1xi32>, tensor<?x4x?xi32>)
      {mode = #kiln<select_mode top_k>, k = 1, q_block = 64, kv_block = 64, causal} -> tensor<?x4x?x1xi32>, tensor<?x4x?xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'k' is not allowed in mode threshold}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64, k = 2} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{mode threshold requires 'threshold' in (0, 1]}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{mode threshold requires 'threshold' in (0, 1]}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.0 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{mode threshold requires 'threshold' in (0, 1]}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 1.5 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

// Skv = 200 with blocks of 64: 4 KV blocks.
func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x200x16xf32>, %i: tensor<1x4x4x3xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' capacity (dim 3) is 3 but threshold selection can keep all 4 KV blocks, ceil(Skv / kv_block); needs >= 4}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x200x16xf32>) outs(%i, %c : tensor<1x4x4x3xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x3xi32>, tensor<1x4x4xi32>
  return
}

// -----

// Results must match the outs (destination style).
func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{expected type of operand #2 ('tensor<1x4x4x4xi32>') to match type of corresponding result ('tensor<1x4x4x5xi32>')}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode top_k>, k = 2, q_block = 64, kv_block = 64} -> tensor<1x4x4x5xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'k' is not allowed in mode relative}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode relative>, threshold = 0.3 : f32, q_block = 64, kv_block = 64, k = 2} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{mode relative requires 'threshold' in (0, 1]}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode relative>, q_block = 64, kv_block = 64} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x256x16xf32>, %i: tensor<1x4x4x4xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'segment', 'sink' and 'k_positions' apply only to mode threshold}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x256x16xf32>) outs(%i, %c : tensor<1x4x4x4xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode relative>, threshold = 0.3 : f32, q_block = 64, kv_block = 64, sink} -> tensor<1x4x4x4xi32>, tensor<1x4x4xi32>
  return
}

// -----

func.func @f(%q: tensor<1x4x256x16xf32>, %k: tensor<1x2x200x16xf32>, %i: tensor<1x4x4x3xi32>, %c: tensor<1x4x4xi32>) {
  // expected-error @+1 {{'outs[0]' capacity (dim 3) is 3 but relative selection can keep all 4 KV blocks, ceil(Skv / kv_block); needs >= 4}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x4x256x16xf32>, tensor<1x2x200x16xf32>) outs(%i, %c : tensor<1x4x4x3xi32>, tensor<1x4x4xi32>)
      {mode = #kiln<select_mode relative>, threshold = 0.3 : f32, q_block = 64, kv_block = 64} -> tensor<1x4x4x3xi32>, tensor<1x4x4xi32>
  return
}
