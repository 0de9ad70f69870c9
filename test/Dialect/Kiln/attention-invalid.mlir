// RUN: kiln-opt %s --split-input-file --verify-diagnostics
// One case per verifier rule of kiln.attention, kiln.online_attention,
// kiln.attention_merge, kiln.permute and kiln.unpermute.

func.func @query_rank(%q: tensor<8x16x32xf32>, %k: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'query' must be rank 4, got rank 3}}
  %r = kiln.attention ins(%q, %k, %k : tensor<8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @key_rank(%q: tensor<1x8x16x32xf32>, %k: tensor<8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'key' must be rank 4, got rank 3}}
  %r = kiln.attention ins(%q, %k, %q : tensor<1x8x16x32xf32>, tensor<8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @value_rank(%q: tensor<1x8x16x32xf32>, %v: tensor<8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'value' must be rank 4, got rank 3}}
  %r = kiln.attention ins(%q, %q, %v : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @key_batch(%q: tensor<1x8x16x32xf32>, %k: tensor<2x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'key' dim 0 (batch, as 'query') is 2, expected 1}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @key_head_dim(%q: tensor<1x8x16x32xf32>, %k: tensor<1x8x16x16xf32>, %v: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'key' dim 3 (head dim, as 'query') is 16, expected 32}}
  %r = kiln.attention ins(%q, %k, %v : tensor<1x8x16x32xf32>, tensor<1x8x16x16xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @value_batch(%q: tensor<1x8x16x32xf32>, %v: tensor<3x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'value' dim 0 (batch, as 'query') is 3, expected 1}}
  %r = kiln.attention ins(%q, %q, %v : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<3x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @value_heads(%q: tensor<1x8x16x32xf32>, %k: tensor<1x2x16x32xf32>, %v: tensor<1x4x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'value' dim 1 (heads, as 'key') is 4, expected 2}}
  %r = kiln.attention ins(%q, %k, %v : tensor<1x8x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x4x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @value_seq(%q: tensor<1x8x16x32xf32>, %k: tensor<1x2x20x32xf32>, %v: tensor<1x2x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'value' dim 2 (sequence, as 'key') is 16, expected 20}}
  %r = kiln.attention ins(%q, %k, %v : tensor<1x8x16x32xf32>, tensor<1x2x20x32xf32>, tensor<1x2x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @gqa(%q: tensor<1x8x16x32xf32>, %k: tensor<1x3x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'key' head count 3 must divide 'query' head count 8}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x32xf32>, tensor<1x3x16x32xf32>, tensor<1x3x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @gqa_zero(%q: tensor<1x8x16x32xf32>, %k: tensor<1x0x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'key' head count 0 must divide 'query' head count 8}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x32xf32>, tensor<1x0x16x32xf32>, tensor<1x0x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @outs_count(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{expects 1 or 2 'outs' (output, optional lse), got 3}}
  %r:3 = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o, %o, %o : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>
  return
}

// -----

func.func @results_count(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{expected the number of tensor results (0) to be equal to the number of output tensors (1)}}
  kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>)
  return
}

// -----

func.func @result_type(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{expected type of operand #3 ('tensor<1x8x16x32xf32>') to match type of corresponding result ('tensor<1x8x16x32xf16>')}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf16>
  return
}

// -----

func.func @out_rank(%q: tensor<1x8x16x32xf32>, %o: tensor<8x16x32xf32>) {
  // expected-error @+1 {{'outs[0]' must be rank 4, got rank 3}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<8x16x32xf32>) -> tensor<8x16x32xf32>
  return
}

// -----

func.func @out_batch(%q: tensor<1x8x16x32xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'outs[0]' dim 0 (batch, as 'query') is 2, expected 1}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @out_heads(%q: tensor<1x8x16x32xf32>, %k: tensor<1x2x16x32xf32>, %o: tensor<1x2x16x32xf32>) {
  // expected-error @+1 {{'outs[0]' dim 1 (heads, as 'query') is 2, expected 8}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x32xf32>) outs(%o : tensor<1x2x16x32xf32>) -> tensor<1x2x16x32xf32>
  return
}

// -----

func.func @out_seq(%q: tensor<1x8x16x32xf32>, %k: tensor<1x8x20x32xf32>, %o: tensor<1x8x20x32xf32>) {
  // expected-error @+1 {{'outs[0]' dim 2 (sequence, as 'query') is 20, expected 16}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x32xf32>, tensor<1x8x20x32xf32>, tensor<1x8x20x32xf32>) outs(%o : tensor<1x8x20x32xf32>) -> tensor<1x8x20x32xf32>
  return
}

// -----

func.func @out_value_dim(%q: tensor<1x8x16x32xf32>, %v: tensor<1x8x16x8xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'outs[0]' dim 3 (value dim, as 'value') is 32, expected 8}}
  %r = kiln.attention ins(%q, %q, %v : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x8xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @out_type(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xi32>) {
  // expected-error @+1 {{operand #3 must be variadic of ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o : tensor<1x8x16x32xi32>) -> tensor<1x8x16x32xi32>
  return
}

// -----

func.func @lse_rank(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>, %l: tensor<1x8x16x1xf32>) {
  // expected-error @+1 {{'outs[1]' must be rank 3, got rank 4}}
  %r:2 = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o, %l : tensor<1x8x16x32xf32>, tensor<1x8x16x1xf32>) -> tensor<1x8x16x32xf32>, tensor<1x8x16x1xf32>
  return
}

// -----

func.func @lse_f32(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>, %l: tensor<1x8x16xf16>) {
  // expected-error @+1 {{'outs[1]' element type must be f32, got 'f16'}}
  %r:2 = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o, %l : tensor<1x8x16x32xf32>, tensor<1x8x16xf16>) -> tensor<1x8x16x32xf32>, tensor<1x8x16xf16>
  return
}

// -----

func.func @lse_batch(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>, %l: tensor<2x8x16xf32>) {
  // expected-error @+1 {{'outs[1]' dim 0 (batch, as 'query') is 2, expected 1}}
  %r:2 = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o, %l : tensor<1x8x16x32xf32>, tensor<2x8x16xf32>) -> tensor<1x8x16x32xf32>, tensor<2x8x16xf32>
  return
}

// -----

func.func @lse_heads(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>, %l: tensor<1x4x16xf32>) {
  // expected-error @+1 {{'outs[1]' dim 1 (heads, as 'query') is 4, expected 8}}
  %r:2 = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o, %l : tensor<1x8x16x32xf32>, tensor<1x4x16xf32>) -> tensor<1x8x16x32xf32>, tensor<1x4x16xf32>
  return
}

// -----

func.func @lse_seq(%q: tensor<1x8x16x32xf32>, %o: tensor<1x8x16x32xf32>, %l: tensor<1x8x15xf32>) {
  // expected-error @+1 {{'outs[1]' dim 2 (sequence, as 'query') is 15, expected 16}}
  %r:2 = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) outs(%o, %l : tensor<1x8x16x32xf32>, tensor<1x8x15xf32>) -> tensor<1x8x16x32xf32>, tensor<1x8x15xf32>
  return
}

// -----

func.func @mask_rank(%q: tensor<1x8x16x32xf32>, %m: tensor<16x16xf32>, %o: tensor<1x8x16x32xf32>) {
  // expected-error @+1 {{'mask' must be rank 4, got rank 2}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>, tensor<1x8x16x32xf32>) mask(%m : tensor<16x16xf32>) outs(%o : tensor<1x8x16x32xf32>) -> tensor<1x8x16x32xf32>
  return
}

// -----

func.func @mask_batch(%q: tensor<2x8x16x32xf32>, %m: tensor<3x1x16x16xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'mask' dim 0 (batch or 1) is 3, expected 2}}
  %r = kiln.attention ins(%q, %q, %q : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) mask(%m : tensor<3x1x16x16xf32>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_heads(%q: tensor<2x8x16x32xf32>, %m: tensor<1x2x16x16xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'mask' dim 1 (heads or 1) is 2, expected 8}}
  %r = kiln.attention ins(%q, %q, %q : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) mask(%m : tensor<1x2x16x16xf32>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_q(%q: tensor<2x8x16x32xf32>, %m: tensor<1x1x8x16xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'mask' dim 2 (sequence, as 'query') is 8, expected 16}}
  %r = kiln.attention ins(%q, %q, %q : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) mask(%m : tensor<1x1x8x16xf32>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @mask_kv(%q: tensor<2x8x16x32xf32>, %m: tensor<1x1x16x17xf32>, %o: tensor<2x8x16x32xf32>) {
  // expected-error @+1 {{'mask' dim 3 (sequence, as 'key') is 17, expected 16}}
  %r = kiln.attention ins(%q, %q, %q : tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>, tensor<2x8x16x32xf32>) mask(%m : tensor<1x1x16x17xf32>) outs(%o : tensor<2x8x16x32xf32>) -> tensor<2x8x16x32xf32>
  return
}

// -----

func.func @blocks_together(%q: tensor<1x2x16x8xf32>, %bi: tensor<1x2x2x2xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'block_indices' and 'block_counts' must be given together}}
  %r = "kiln.attention"(%q, %q, %q, %bi, %o) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0, 0, 0, 1>, q_block = 8 : i64, kv_block = 8 : i64}> : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x2x2xi32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @block_attrs_missing(%q: tensor<1x2x16x8xf32>, %bi: tensor<1x2x2x2xi32>, %bc: tensor<1x2x2xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_block' and 'kv_block' are required with a block list and allowed only with one}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<1x2x2x2xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x2x16x8xf32>) {q_block = 8} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @block_attrs_without_list(%q: tensor<1x2x16x8xf32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_block' and 'kv_block' are required with a block list and allowed only with one}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) outs(%o : tensor<1x2x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @block_size(%q: tensor<1x2x16x8xf32>, %bi: tensor<1x2x2x2xi32>, %bc: tensor<1x2x2xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_block' and 'kv_block' must be positive}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<1x2x2x2xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x2x16x8xf32>) {q_block = 8, kv_block = 0} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @indices_rank(%q: tensor<1x2x16x8xf32>, %bi: tensor<2x2x2xi32>, %bc: tensor<1x2x2xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'block_indices' must be rank 4, got rank 3}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<2x2x2xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x2x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @counts_rank(%q: tensor<1x2x16x8xf32>, %bi: tensor<1x2x2x2xi32>, %bc: tensor<1x2x2x1xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'block_counts' must be rank 3, got rank 4}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<1x2x2x2xi32>, tensor<1x2x2x1xi32>) outs(%o : tensor<1x2x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @indices_batch(%q: tensor<1x2x16x8xf32>, %bi: tensor<2x2x2x2xi32>, %bc: tensor<1x2x2xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'block_indices' dim 0 (batch, as 'query') is 2, expected 1}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<2x2x2x2xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x2x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @indices_heads(%q: tensor<1x8x16x8xf32>, %k: tensor<1x2x16x8xf32>, %bi: tensor<1x4x2x2xi32>, %bc: tensor<1x4x2xi32>, %o: tensor<1x8x16x8xf32>) {
  // expected-error @+1 {{'block_indices' dim 1 (heads) is 4, expected 8 ('query' heads) or 2 ('key' heads)}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<1x4x2x2xi32>, tensor<1x4x2xi32>) outs(%o : tensor<1x8x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x8x16x8xf32>
  return
}

// -----

func.func @indices_nq(%q: tensor<1x2x17x8xf32>, %bi: tensor<1x2x2x2xi32>, %bc: tensor<1x2x2xi32>, %o: tensor<1x2x17x8xf32>) {
  // expected-error @+1 {{'block_indices' dim 2 (query blocks, ceil(Sq / q_block)) is 2, expected 3}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x17x8xf32>, tensor<1x2x17x8xf32>, tensor<1x2x17x8xf32>) blocks(%bi, %bc : tensor<1x2x2x2xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x2x17x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x2x17x8xf32>
  return
}

// -----

func.func @counts_batch(%q: tensor<?x2x16x8xf32>, %bi: tensor<1x2x2x2xi32>, %bc: tensor<2x2x2xi32>, %o: tensor<?x2x16x8xf32>) {
  // expected-error @+1 {{'block_counts' dim 0 (batch, as 'block_indices') is 2, expected 1}}
  %r = kiln.attention ins(%q, %q, %q : tensor<?x2x16x8xf32>, tensor<?x2x16x8xf32>, tensor<?x2x16x8xf32>) blocks(%bi, %bc : tensor<1x2x2x2xi32>, tensor<2x2x2xi32>) outs(%o : tensor<?x2x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<?x2x16x8xf32>
  return
}

// -----

func.func @counts_heads(%q: tensor<1x8x16x8xf32>, %k: tensor<1x2x16x8xf32>, %bi: tensor<1x8x2x2xi32>, %bc: tensor<1x2x2xi32>, %o: tensor<1x8x16x8xf32>) {
  // expected-error @+1 {{'block_counts' dim 1 (heads, as 'block_indices') is 2, expected 8}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) blocks(%bi, %bc : tensor<1x8x2x2xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x8x16x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x8x16x8xf32>
  return
}

// -----

func.func @counts_nq(%q: tensor<1x2x?x8xf32>, %bi: tensor<1x2x2x2xi32>, %bc: tensor<1x2x3xi32>, %o: tensor<1x2x?x8xf32>) {
  // expected-error @+1 {{'block_counts' dim 2 (query blocks, as 'block_indices') is 3, expected 2}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) blocks(%bi, %bc : tensor<1x2x2x2xi32>, tensor<1x2x3xi32>) outs(%o : tensor<1x2x?x8xf32>) {q_block = 8, kv_block = 8} -> tensor<1x2x?x8xf32>
  return
}

// -----

func.func @positions_together(%q: tensor<1x2x16x8xf32>, %p: tensor<1x2x16xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_positions' and 'k_positions' must be given together}}
  %r = "kiln.attention"(%q, %q, %q, %p, %o) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 1, 0, 1>, causal}> : (tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16xi32>, tensor<1x2x16x8xf32>) -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @qpos_rank(%q: tensor<1x2x16x8xf32>, %qp: tensor<2x16xi32>, %kp: tensor<1x2x16xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_positions' must be rank 3, got rank 2}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) positions(%qp, %kp : tensor<2x16xi32>, tensor<1x2x16xi32>) outs(%o : tensor<1x2x16x8xf32>) {causal} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @kpos_rank(%q: tensor<1x2x16x8xf32>, %qp: tensor<1x2x16xi32>, %kp: tensor<1x2x16x1xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'k_positions' must be rank 3, got rank 4}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) positions(%qp, %kp : tensor<1x2x16xi32>, tensor<1x2x16x1xi32>) outs(%o : tensor<1x2x16x8xf32>) {causal} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @qpos_batch(%q: tensor<1x2x16x8xf32>, %qp: tensor<4x2x16xi32>, %kp: tensor<1x2x16xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_positions' dim 0 (batch, as 'query') is 4, expected 1}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) positions(%qp, %kp : tensor<4x2x16xi32>, tensor<1x2x16xi32>) outs(%o : tensor<1x2x16x8xf32>) {causal} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @qpos_heads(%q: tensor<1x8x16x8xf32>, %k: tensor<1x2x16x8xf32>, %qp: tensor<1x4x16xi32>, %kp: tensor<1x2x16xi32>, %o: tensor<1x8x16x8xf32>) {
  // expected-error @+1 {{'q_positions' dim 1 (heads) is 4, expected 8 ('query' heads) or 2 ('key' heads)}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) positions(%qp, %kp : tensor<1x4x16xi32>, tensor<1x2x16xi32>) outs(%o : tensor<1x8x16x8xf32>) {causal} -> tensor<1x8x16x8xf32>
  return
}

// -----

func.func @qpos_seq(%q: tensor<1x2x16x8xf32>, %qp: tensor<1x2x12xi32>, %kp: tensor<1x2x16xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'q_positions' dim 2 (sequence, as 'query') is 12, expected 16}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) positions(%qp, %kp : tensor<1x2x12xi32>, tensor<1x2x16xi32>) outs(%o : tensor<1x2x16x8xf32>) {causal} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @kpos_batch(%q: tensor<?x2x16x8xf32>, %qp: tensor<1x2x16xi32>, %kp: tensor<3x2x16xi32>, %o: tensor<?x2x16x8xf32>) {
  // expected-error @+1 {{'k_positions' dim 0 (batch, as 'q_positions') is 3, expected 1}}
  %r = kiln.attention ins(%q, %q, %q : tensor<?x2x16x8xf32>, tensor<?x2x16x8xf32>, tensor<?x2x16x8xf32>) positions(%qp, %kp : tensor<1x2x16xi32>, tensor<3x2x16xi32>) outs(%o : tensor<?x2x16x8xf32>) {causal} -> tensor<?x2x16x8xf32>
  return
}

// -----

func.func @kpos_heads(%q: tensor<1x8x16x8xf32>, %k: tensor<1x2x16x8xf32>, %qp: tensor<1x8x16xi32>, %kp: tensor<1x8x16xi32>, %o: tensor<1x8x16x8xf32>) {
  // expected-error @+1 {{'k_positions' dim 1 (heads, as 'key') is 8, expected 2}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x8x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) positions(%qp, %kp : tensor<1x8x16xi32>, tensor<1x8x16xi32>) outs(%o : tensor<1x8x16x8xf32>) {causal} -> tensor<1x8x16x8xf32>
  return
}

// -----

func.func @kpos_seq(%q: tensor<1x2x16x8xf32>, %k: tensor<1x2x32x8xf32>, %qp: tensor<1x2x16xi32>, %kp: tensor<1x2x16xi32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'k_positions' dim 2 (sequence, as 'key') is 16, expected 32}}
  %r = kiln.attention ins(%q, %k, %k : tensor<1x2x16x8xf32>, tensor<1x2x32x8xf32>, tensor<1x2x32x8xf32>) positions(%qp, %kp : tensor<1x2x16xi32>, tensor<1x2x16xi32>) outs(%o : tensor<1x2x16x8xf32>) {causal} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @window_left(%q: tensor<1x2x16x8xf32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'window_left' must be >= 0, got -1}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) outs(%o : tensor<1x2x16x8xf32>) {window_left = -1} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @window_right(%q: tensor<1x2x16x8xf32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'window_right' must be >= 0, got -4}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) outs(%o : tensor<1x2x16x8xf32>) {window_left = 2, window_right = -4} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @scale_zero(%q: tensor<1x2x16x8xf32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'scale' must be finite and > 0}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) outs(%o : tensor<1x2x16x8xf32>) {scale = 0.0 : f32} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @scale_inf(%q: tensor<1x2x16x8xf32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'scale' must be finite and > 0}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) outs(%o : tensor<1x2x16x8xf32>) {scale = 0x7F800000 : f32} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @scale_negative(%q: tensor<1x2x16x8xf32>, %o: tensor<1x2x16x8xf32>) {
  // expected-error @+1 {{'scale' must be finite and > 0}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>) outs(%o : tensor<1x2x16x8xf32>) {scale = -0.5 : f32} -> tensor<1x2x16x8xf32>
  return
}

// -----

func.func @default_scale_dynamic_d(%q: tensor<1x2x16x?xf32>, %o: tensor<1x2x16x?xf32>) {
  // expected-error @+1 {{the default 'scale' 1/sqrt(D) needs a static, positive 'query' head dim; give 'scale'}}
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x16x?xf32>, tensor<1x2x16x?xf32>, tensor<1x2x16x?xf32>) outs(%o : tensor<1x2x16x?xf32>) -> tensor<1x2x16x?xf32>
  return
}

// -----

func.func @online_query_rank(%q: tensor<64xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'query' must be rank >= 2, got rank 1}}
  %r:3 = kiln.online_attention ins(%q, %q, %q : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_key_rank(%q: tensor<64x32xf32>, %k: tensor<2x16x32xf32>, %v: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'key' must be rank 2, got rank 3}}
  %r:3 = kiln.online_attention ins(%q, %k, %v : tensor<64x32xf32>, tensor<2x16x32xf32>, tensor<16x32xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_value_rank(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %v: tensor<16xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'value' must be rank 2, got rank 1}}
  %r:3 = kiln.online_attention ins(%q, %k, %v : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_acc_rank(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<64xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'acc' must be rank 2, got rank 1}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %m, %m : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_max_rank(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>, %bad: tensor<64x1xf32>) {
  // expected-error @+1 {{'max' must be rank 1, got rank 2}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %bad, %m : tensor<64x32xf32>, tensor<64x1xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64x1xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_sum_rank(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>, %bad: tensor<64x1xf32>) {
  // expected-error @+1 {{'sum' must be rank 1, got rank 2}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %m, %bad : tensor<64x32xf32>, tensor<64xf32>, tensor<64x1xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64x1xf32>
  return
}

// -----

func.func @online_mask_rank(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %mask: tensor<16xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'mask' must be rank 2, got rank 1}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) mask(%mask : tensor<16xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_batch(%q: tensor<2x64x32xf32>, %k: tensor<3x16x32xf32>, %acc: tensor<2x64x32xf32>, %m: tensor<2x64xf32>) {
  // expected-error @+1 {{'key' dim 0 (batch, as 'query') is 3, expected 2}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<2x64x32xf32>, tensor<3x16x32xf32>, tensor<3x16x32xf32>) outs(%acc, %m, %m : tensor<2x64x32xf32>, tensor<2x64xf32>, tensor<2x64xf32>) {scale = 1.0 : f32} -> tensor<2x64x32xf32>, tensor<2x64xf32>, tensor<2x64xf32>
  return
}

// -----

func.func @online_head_dim(%q: tensor<64x32xf32>, %k: tensor<16x16xf32>, %v: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'key' dim 1 (head dim, as 'query') is 16, expected 32}}
  %r:3 = kiln.online_attention ins(%q, %k, %v : tensor<64x32xf32>, tensor<16x16xf32>, tensor<16x32xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_value_keys(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %v: tensor<8x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'value' dim 0 (keys, as 'key') is 8, expected 16}}
  %r:3 = kiln.online_attention ins(%q, %k, %v : tensor<64x32xf32>, tensor<16x32xf32>, tensor<8x32xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_acc_rows(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<32x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'acc' dim 0 (rows, as 'query') is 32, expected 64}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %m, %m : tensor<32x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<32x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_acc_dv(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %v: tensor<16x8xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'acc' dim 1 (value dim, as 'value') is 32, expected 8}}
  %r:3 = kiln.online_attention ins(%q, %k, %v : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x8xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_max_rows(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>, %bad: tensor<63xf32>) {
  // expected-error @+1 {{'max' dim 0 (rows, as 'query') is 63, expected 64}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %bad, %m : tensor<64x32xf32>, tensor<63xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<63xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_sum_rows(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>, %bad: tensor<63xf32>) {
  // expected-error @+1 {{'sum' dim 0 (rows, as 'query') is 63, expected 64}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %m, %bad : tensor<64x32xf32>, tensor<64xf32>, tensor<63xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<63xf32>
  return
}

// -----

func.func @online_mask_rows(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %mask: tensor<32x16xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'mask' dim 0 (rows, as 'query') is 32, expected 64}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) mask(%mask : tensor<32x16xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_mask_keys(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %mask: tensor<64x15xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'mask' dim 1 (keys, as 'key') is 15, expected 16}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) mask(%mask : tensor<64x15xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 1.0 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @online_scale(%q: tensor<64x32xf32>, %k: tensor<16x32xf32>, %acc: tensor<64x32xf32>, %m: tensor<64xf32>) {
  // expected-error @+1 {{'scale' must be finite and > 0}}
  %r:3 = kiln.online_attention ins(%q, %k, %k : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%acc, %m, %m : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>) {scale = 0x7FC00000 : f32} -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
  return
}

// -----

func.func @merge_empty(%oi: tensor<1x4x8x2xf32>, %li: tensor<1x4x8xf32>) {
  // expected-error @+1 {{expects at least one partial in 'partial_outputs'}}
  %o:2 = "kiln.attention_merge"(%oi, %li) <{operandSegmentSizes = array<i32: 0, 0, 2>}> : (tensor<1x4x8x2xf32>, tensor<1x4x8xf32>) -> (tensor<1x4x8x2xf32>, tensor<1x4x8xf32>)
  return
}

// -----

func.func @merge_lse_count(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>) {
  // expected-error @+1 {{expects one 'partial_lses' per partial output, got 1 for 2}}
  %o, %l = kiln.attention_merge ins(%o0, %o0 : tensor<1x4x8x2xf32>, tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%o0, %l0 : tensor<1x4x8x2xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x2xf32>, tensor<1x4x8xf32>
  return
}

// -----

func.func @merge_rank(%o0: tensor<4x8x2xf32>, %l0: tensor<1x4x8xf32>) {
  // expected-error @+1 {{'partial_outputs[0]' must be rank 4, got rank 3}}
  %o, %l = kiln.attention_merge ins(%o0 : tensor<4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%o0, %l0 : tensor<4x8x2xf32>, tensor<1x4x8xf32>) -> tensor<4x8x2xf32>, tensor<1x4x8xf32>
  return
}

// -----

func.func @merge_partial_shape(%o0: tensor<1x4x8x2xf32>, %o1: tensor<1x4x8x3xf32>, %l0: tensor<1x4x8xf32>) {
  // expected-error @+1 {{'partial_outputs[1]' dim 3 (as 'partial_outputs[0]') is 3, expected 2}}
  %o, %l = kiln.attention_merge ins(%o0, %o1 : tensor<1x4x8x2xf32>, tensor<1x4x8x3xf32>) lse(%l0, %l0 : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%o0, %l0 : tensor<1x4x8x2xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x2xf32>, tensor<1x4x8xf32>
  return
}

// -----

func.func @merge_lse_rank(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>, %l1: tensor<4x8xf32>) {
  // expected-error @+1 {{'partial_lses[1]' must be rank 3, got rank 2}}
  %o, %l = kiln.attention_merge ins(%o0, %o0 : tensor<1x4x8x2xf32>, tensor<1x4x8x2xf32>) lse(%l0, %l1 : tensor<1x4x8xf32>, tensor<4x8xf32>) outs(%o0, %l0 : tensor<1x4x8x2xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x2xf32>, tensor<1x4x8xf32>
  return
}

// -----

func.func @merge_lse_shape(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x7xf32>) {
  // expected-error @+1 {{'partial_lses[0]' dim 2 (as 'partial_outputs[0]') is 7, expected 8}}
  %o, %l = kiln.attention_merge ins(%o0 : tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x7xf32>) outs(%o0, %l0 : tensor<1x4x8x2xf32>, tensor<1x4x7xf32>) -> tensor<1x4x8x2xf32>, tensor<1x4x7xf32>
  return
}

// -----

func.func @merge_outs_count(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>) {
  // expected-error @+1 {{expects 2 'outs' (output, lse), got 1}}
  %o = kiln.attention_merge ins(%o0 : tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%o0 : tensor<1x4x8x2xf32>) -> tensor<1x4x8x2xf32>
  return
}

// -----

func.func @merge_out_type(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>, %oi: tensor<1x4x8x2xi32>) {
  // expected-error @+1 {{'outs[0]' element type must be f32, f16 or bf16, got 'i32'}}
  %o, %l = kiln.attention_merge ins(%o0 : tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%oi, %l0 : tensor<1x4x8x2xi32>, tensor<1x4x8xf32>) -> tensor<1x4x8x2xi32>, tensor<1x4x8xf32>
  return
}

// -----

func.func @merge_out_shape(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>, %oi: tensor<1x2x8x2xf32>) {
  // expected-error @+1 {{'outs[0]' dim 1 (as 'partial_outputs[0]') is 2, expected 4}}
  %o, %l = kiln.attention_merge ins(%o0 : tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%oi, %l0 : tensor<1x2x8x2xf32>, tensor<1x4x8xf32>) -> tensor<1x2x8x2xf32>, tensor<1x4x8xf32>
  return
}

// -----

func.func @merge_lse_out_shape(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>, %li: tensor<1x4x9xf32>) {
  // expected-error @+1 {{'outs[1]' dim 2 (as 'partial_outputs[0]') is 9, expected 8}}
  %o, %l = kiln.attention_merge ins(%o0 : tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%o0, %li : tensor<1x4x8x2xf32>, tensor<1x4x9xf32>) -> tensor<1x4x8x2xf32>, tensor<1x4x9xf32>
  return
}

// -----

func.func @merge_lse_out_f32(%o0: tensor<1x4x8x2xf32>, %l0: tensor<1x4x8xf32>, %li: tensor<1x4x8xf16>) {
  // expected-error @+1 {{'outs[1]' element type must be f32, got 'f16'}}
  %o, %l = kiln.attention_merge ins(%o0 : tensor<1x4x8x2xf32>) lse(%l0 : tensor<1x4x8xf32>) outs(%o0, %li : tensor<1x4x8x2xf32>, tensor<1x4x8xf16>) -> tensor<1x4x8x2xf32>, tensor<1x4x8xf16>
  return
}

// -----

func.func @permute_rank(%x: tensor<2x16xf32>, %i: tensor<1x2x16xi32>) {
  // expected-error @+1 {{'input' must be rank >= 3, got rank 2}}
  %r = kiln.permute %x by %i : tensor<2x16xf32>, tensor<1x2x16xi32> outs(%x : tensor<2x16xf32>) -> tensor<2x16xf32>
  return
}

// -----

func.func @permute_indices_rank(%x: tensor<1x2x16x4xf32>, %i: tensor<2x16xi32>) {
  // expected-error @+1 {{'indices' must be rank 3, got rank 2}}
  %r = kiln.permute %x by %i : tensor<1x2x16x4xf32>, tensor<2x16xi32> outs(%x : tensor<1x2x16x4xf32>) -> tensor<1x2x16x4xf32>
  return
}

// -----

func.func @permute_indices_heads(%x: tensor<1x2x16x4xf32>, %i: tensor<1x4x16xi32>) {
  // expected-error @+1 {{'indices' dim 1 (heads, as 'input') is 4, expected 2}}
  %r = kiln.permute %x by %i : tensor<1x2x16x4xf32>, tensor<1x4x16xi32> outs(%x : tensor<1x2x16x4xf32>) -> tensor<1x2x16x4xf32>
  return
}

// -----

func.func @permute_init(%x: tensor<1x2x16x4xf32>, %i: tensor<1x2x16xi32>, %o: tensor<1x2x16x4xf16>) {
  // expected-error @+1 {{'init' type 'tensor<1x2x16x4xf16>' must equal 'input' type 'tensor<1x2x16x4xf32>'}}
  %r = kiln.permute %x by %i : tensor<1x2x16x4xf32>, tensor<1x2x16xi32> outs(%o : tensor<1x2x16x4xf16>) -> tensor<1x2x16x4xf16>
  return
}

// -----

func.func @permute_index_type(%x: tensor<1x2x16x4xf32>, %i: tensor<1x2x16xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %r = kiln.permute %x by %i : tensor<1x2x16x4xf32>, tensor<1x2x16xf32> outs(%x : tensor<1x2x16x4xf32>) -> tensor<1x2x16x4xf32>
  return
}

// -----

func.func @unpermute_seq(%x: tensor<?x2x16x4xf32>, %i: tensor<?x2x15xi64>) {
  // expected-error @+1 {{'indices' dim 2 (sequence, as 'input') is 15, expected 16}}
  %r = kiln.unpermute %x by %i : tensor<?x2x16x4xf32>, tensor<?x2x15xi64> outs(%x : tensor<?x2x16x4xf32>) -> tensor<?x2x16x4xf32>
  return
}

// -----

func.func @unpermute_batch(%x: tensor<1x2x16x4xf32>, %i: tensor<2x2x16xi64>) {
  // expected-error @+1 {{'indices' dim 0 (batch, as 'input') is 2, expected 1}}
  %r = kiln.unpermute %x by %i : tensor<1x2x16x4xf32>, tensor<2x2x16xi64> outs(%x : tensor<1x2x16x4xf32>) -> tensor<1x2x16x4xf32>
  return
}

// -----

func.func @unpermute_init(%x: tensor<1x2x16x4xf32>, %i: tensor<1x2x16xi64>, %o: tensor<1x2x?x4xf32>) {
  // expected-error @+1 {{'init' type 'tensor<1x2x?x4xf32>' must equal 'input' type 'tensor<1x2x16x4xf32>'}}
  %r = kiln.unpermute %x by %i : tensor<1x2x16x4xf32>, tensor<1x2x16xi64> outs(%o : tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32>
  return
}

// -----

func.func @permute_constant_repeat(%x: tensor<1x2x3x4xf32>) {
  %i = arith.constant dense<[[[0, 1, 2], [2, 0, 2]]]> : tensor<1x2x3xi32>
  // expected-error @+1 {{'indices' of (batch, head) (0, 1) are not a permutation of [0, 3): 2 at position 2}}
  %r = kiln.permute %x by %i : tensor<1x2x3x4xf32>, tensor<1x2x3xi32> outs(%x : tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return
}

// -----

func.func @unpermute_constant_out_of_range(%x: tensor<1x1x3x4xf32>) {
  %i = arith.constant dense<[[[0, 3, 1]]]> : tensor<1x1x3xi64>
  // expected-error @+1 {{'indices' of (batch, head) (0, 0) are not a permutation of [0, 3): 3 at position 1}}
  %r = kiln.unpermute %x by %i : tensor<1x1x3x4xf32>, tensor<1x1x3xi64> outs(%x : tensor<1x1x3x4xf32>) -> tensor<1x1x3x4xf32>
  return
}
