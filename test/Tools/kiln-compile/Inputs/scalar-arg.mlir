// Not a test: an entry point taking a scalar.
func.func @f(%a: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
