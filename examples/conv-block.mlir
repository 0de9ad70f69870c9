// Demo: a MobileNetV2 inverted residual: 1x1 expand + relu6, 3x3 depthwise + relu6, 1x1 project + residual
//
// Batch norms are already folded into the per-channel biases (deploy mode);
// the epilogues are ordered, so the projection adds the residual last, as
// MobileNetV2 does (no activation after the add).
func.func @inverted_residual(%x: tensor<1x16x28x28xf32>, %we: tensor<96x16x1x1xf32>,
                             %be: tensor<96xf32>, %wd: tensor<96x1x3x3xf32>,
                             %bd: tensor<96xf32>, %wp: tensor<16x96x1x1xf32>,
                             %bp: tensor<16xf32>) -> tensor<1x16x28x28xf32> {
  %e0 = tensor.empty() : tensor<1x96x28x28xf32>
  %e = kiln.conv ins(%x, %we : tensor<1x16x28x28xf32>, tensor<96x16x1x1xf32>)
      epilogue_operands(%be : tensor<96xf32>) outs(%e0 : tensor<1x96x28x28xf32>)
      {epilogue = [#kiln.step<bias>, #kiln.step<relu6>]} -> tensor<1x96x28x28xf32>
  %d0 = tensor.empty() : tensor<1x96x28x28xf32>
  %d = kiln.conv ins(%e, %wd : tensor<1x96x28x28xf32>, tensor<96x1x3x3xf32>)
      epilogue_operands(%bd : tensor<96xf32>) outs(%d0 : tensor<1x96x28x28xf32>)
      {groups = 96 : i64, pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>,
       epilogue = [#kiln.step<bias>, #kiln.step<relu6>]} -> tensor<1x96x28x28xf32>
  %p0 = tensor.empty() : tensor<1x16x28x28xf32>
  %p = kiln.conv ins(%d, %wp : tensor<1x96x28x28xf32>, tensor<16x96x1x1xf32>)
      epilogue_operands(%bp, %x : tensor<16xf32>, tensor<1x16x28x28xf32>)
      outs(%p0 : tensor<1x16x28x28xf32>)
      {epilogue = [#kiln.step<bias>, #kiln.step<residual_add>]} -> tensor<1x16x28x28xf32>
  return %p : tensor<1x16x28x28xf32>
}
