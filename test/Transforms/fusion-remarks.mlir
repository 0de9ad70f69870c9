// kiln-fusion remarks: each fusion considered reports its outcome once, on
// the candidate (the softmax of an attention, the batch_norm after a conv):
// done, or not done and why.
// RUN: kiln-opt %s --split-input-file --kiln-fuse-attention --kiln-fold-conv-bn --remarks-filter=kiln-fusion --remark-format=emitRemark --remark-policy=final --verify-diagnostics -o /dev/null

func.func @attention_fused(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>,
                           %v: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %et = tensor.empty() : tensor<1x2x4x8xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x8x4xf32>) outs(%et : tensor<1x2x4x8xf32>) permutation = [0, 1, 3, 2]
  %e0 = tensor.empty() : tensor<1x2x8x8xf32>
  %s = kiln.matmul ins(%q, %kt : tensor<1x2x8x4xf32>, tensor<1x2x4x8xf32>) outs(%e0 : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %e1 = tensor.empty() : tensor<1x2x8x8xf32>
  %p = kiln.softmax %s : tensor<1x2x8x8xf32> outs(%e1 : tensor<1x2x8x8xf32>) {dimension = 3 : i64} -> tensor<1x2x8x8xf32> // expected-remark {{[Passed] attention | Category:kiln-fusion:kiln-fuse-attention | Function=attention_fused | Remark="fused into one kiln.attention"}}
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x4xf32>) outs(%e2 : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

// -----

func.func @attention_probabilities_returned(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>,
    %v: tensor<1x2x8x4xf32>) -> (tensor<1x2x8x4xf32>, tensor<1x2x8x8xf32>) {
  %et = tensor.empty() : tensor<1x2x4x8xf32>
  %kt = linalg.transpose ins(%k : tensor<1x2x8x4xf32>) outs(%et : tensor<1x2x4x8xf32>) permutation = [0, 1, 3, 2]
  %e0 = tensor.empty() : tensor<1x2x8x8xf32>
  %s = kiln.matmul ins(%q, %kt : tensor<1x2x8x4xf32>, tensor<1x2x4x8xf32>) outs(%e0 : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %e1 = tensor.empty() : tensor<1x2x8x8xf32>
  %p = kiln.softmax %s : tensor<1x2x8x8xf32> outs(%e1 : tensor<1x2x8x8xf32>) {dimension = 3 : i64} -> tensor<1x2x8x8xf32> // expected-remark {{[Missed] attention | Category:kiln-fusion:kiln-fuse-attention | Function=attention_probabilities_returned | Reason="the softmax has other uses than P V}}
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x4xf32>) outs(%e2 : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o, %p : tensor<1x2x8x4xf32>, tensor<1x2x8x8xf32>
}

// -----

func.func @attention_k_not_transposed(%q: tensor<1x2x8x4xf32>, %kt: tensor<1x2x4x8xf32>,
                                      %v: tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32> {
  %e0 = tensor.empty() : tensor<1x2x8x8xf32>
  %s = kiln.matmul ins(%q, %kt : tensor<1x2x8x4xf32>, tensor<1x2x4x8xf32>) outs(%e0 : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %e1 = tensor.empty() : tensor<1x2x8x8xf32>
  %p = kiln.softmax %s : tensor<1x2x8x8xf32> outs(%e1 : tensor<1x2x8x8xf32>) {dimension = 3 : i64} -> tensor<1x2x8x8xf32> // expected-remark {{Reason="K is not transposed"}}
  %e2 = tensor.empty() : tensor<1x2x8x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x4xf32>) outs(%e2 : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return %o : tensor<1x2x8x4xf32>
}

// -----

func.func @conv_bn_folded(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %g = arith.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %be = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %i = tensor.empty() : tensor<1x2x3x3xf32>
  %y = kiln.conv ins(%x, %w : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) outs(%i : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %i2 = tensor.empty() : tensor<1x2x3x3xf32>
  // expected-remark @below {{[Passed] conv-bn | Category:kiln-fusion:kiln-fold-conv-bn | Function=conv_bn_folded | Remark="folded into the conv's weights and bias"}}
  %z = kiln.batch_norm %y, %g, %be, %m, %v : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i2 : tensor<1x2x3x3xf32>) {channel_axis = 1 : i64, epsilon = 1.0 : f32} -> tensor<1x2x3x3xf32>
  return %z : tensor<1x2x3x3xf32>
}

// -----

func.func @conv_bn_not_after_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %g = arith.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %i2 = tensor.empty() : tensor<1x2x3x3xf32>
  // expected-remark @below {{[Missed] conv-bn | Category:kiln-fusion:kiln-fold-conv-bn | Function=conv_bn_not_after_conv | Reason="its input is not a kiln.conv"}}
  %z = kiln.batch_norm %x, %g, %g, %g, %g : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i2 : tensor<1x2x3x3xf32>) {channel_axis = 1 : i64, epsilon = 1.0 : f32} -> tensor<1x2x3x3xf32>
  return %z : tensor<1x2x3x3xf32>
}
