// Demo: a linear layer with int8 per-channel weights: quantize, qmatmul, and the f32 product beside it
//
// The weights [N, K] are quantized per output channel (axis 0, transpose_b);
// the scales are data (an input), as run-time scales are. examples/demo.py
// checks both products against numpy and reports the quantization error.
func.func @linear(%x: tensor<16x256xf32>, %w: tensor<512x256xf32>, %s: tensor<512xf32>)
    -> (tensor<16x512xf32>, tensor<16x512xf32>) {
  %q0 = tensor.empty() : tensor<512x256xi8>
  %q = kiln.quantize %w scale(%s : tensor<512xf32>) : tensor<512x256xf32>
      outs(%q0 : tensor<512x256xi8>) {format = #kiln.qformat<int, axis = 0>}
      -> tensor<512x256xi8>
  %y0 = tensor.empty() : tensor<16x512xf32>
  %yq = kiln.qmatmul ins(%x, %q : tensor<16x256xf32>, tensor<512x256xi8>)
      rhs_scale(%s : tensor<512xf32>) outs(%y0 : tensor<16x512xf32>)
      {transpose_b, rhs_format = #kiln.qformat<int, axis = 0>} -> tensor<16x512xf32>
  %yf = kiln.matmul ins(%x, %w : tensor<16x256xf32>, tensor<512x256xf32>)
      outs(%y0 : tensor<16x512xf32>) {transpose_b} -> tensor<16x512xf32>
  return %yf, %yq : tensor<16x512xf32>, tensor<16x512xf32>
}
