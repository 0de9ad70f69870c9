// Not a test: only a private function.
func.func private @h(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
