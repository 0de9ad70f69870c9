// Demo: causal grouped-query attention (8 query heads over 2 KV heads, 200 tokens) with its LSE
//
// examples/demo.py feeds it seeded random inputs and checks it against numpy.
func.func @causal_gqa(%q: tensor<1x8x200x64xf32>, %k: tensor<1x2x200x64xf32>,
                      %v: tensor<1x2x200x64xf32>)
    -> (tensor<1x8x200x64xf32>, tensor<1x8x200xf32>) {
  %o0 = tensor.empty() : tensor<1x8x200x64xf32>
  %l0 = tensor.empty() : tensor<1x8x200xf32>
  %o, %l = kiln.attention
      ins(%q, %k, %v : tensor<1x8x200x64xf32>, tensor<1x2x200x64xf32>, tensor<1x2x200x64xf32>)
      outs(%o0, %l0 : tensor<1x8x200x64xf32>, tensor<1x8x200xf32>) {causal}
      -> tensor<1x8x200x64xf32>, tensor<1x8x200xf32>
  return %o, %l : tensor<1x8x200x64xf32>, tensor<1x8x200xf32>
}
