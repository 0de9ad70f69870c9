// Demo: fp32 matmul 512x512x512 on the fast path (tiled for the caches, AVX-512/AVX2 FMAs)
func.func @matmul(%a: tensor<512x512xf32>, %b: tensor<512x512xf32>) -> tensor<512x512xf32> {
  %i = tensor.empty() : tensor<512x512xf32>
  %c = kiln.matmul ins(%a, %b : tensor<512x512xf32>, tensor<512x512xf32>)
      outs(%i : tensor<512x512xf32>) -> tensor<512x512xf32>
  return %c : tensor<512x512xf32>
}
