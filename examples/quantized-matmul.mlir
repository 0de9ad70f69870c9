// Demo: int8 per-channel quantized weights: quantize, qmatmul, and the error against f32
//
// The weights are quantized per output channel (axis 0 of [N, K] with
// transpose_b) with scale max|w|/127; the printed values are the f32
// product, the quantized product and their largest absolute difference.
func.func @linear(%x: tensor<3x16xf32>, %w: tensor<8x16xf32>, %s: tensor<8xf32>)
    -> (tensor<3x8xf32>, tensor<3x8xf32>) {
  %q0 = tensor.empty() : tensor<8x16xi8>
  %q = kiln.quantize %w scale(%s : tensor<8xf32>) : tensor<8x16xf32>
      outs(%q0 : tensor<8x16xi8>) {format = #kiln.qformat<int, axis = 0>} -> tensor<8x16xi8>
  %y0 = tensor.empty() : tensor<3x8xf32>
  %yq = kiln.qmatmul ins(%x, %q : tensor<3x16xf32>, tensor<8x16xi8>)
      rhs_scale(%s : tensor<8xf32>) outs(%y0 : tensor<3x8xf32>)
      {transpose_b, rhs_format = #kiln.qformat<int, axis = 0>} -> tensor<3x8xf32>
  %yf = kiln.matmul ins(%x, %w : tensor<3x16xf32>, tensor<8x16xf32>)
      outs(%y0 : tensor<3x8xf32>) {transpose_b} -> tensor<3x8xf32>
  return %yf, %yq : tensor<3x8xf32>, tensor<3x8xf32>
}

func.func @main() {
  %x = tensor.generate {
  ^bb0(%i: index, %j: index):
    %v = func.call @wave(%i, %j) : (index, index) -> f32
    tensor.yield %v : f32
  } : tensor<3x16xf32>
  %w = tensor.generate {
  ^bb0(%i: index, %j: index):
    %v = func.call @wave(%j, %i) : (index, index) -> f32
    tensor.yield %v : f32
  } : tensor<8x16xf32>
  // Per-channel scale: max |w[n, :]| / 127.
  %zero = arith.constant 0.0 : f32
  %s0 = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%s0 : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce ins(%w : tensor<8x16xf32>) outs(%init : tensor<8xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %a = math.absf %in : f32
      %m = arith.maximumf %a, %acc : f32
      linalg.yield %m : f32
    }
  %c127 = arith.constant 127.0 : f32
  %s = linalg.map ins(%amax : tensor<8xf32>) outs(%s0 : tensor<8xf32>)
    (%a: f32, %unused: f32) {
      %d = arith.divf %a, %c127 : f32
      linalg.yield %d : f32
    }
  %yf, %yq = func.call @linear(%x, %w, %s)
      : (tensor<3x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> (tensor<3x8xf32>, tensor<3x8xf32>)
  %e0 = tensor.empty() : tensor<f32>
  %einit = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %err = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>,
                                          affine_map<(i, j) -> ()>],
                         iterator_types = ["reduction", "reduction"]}
      ins(%yf, %yq : tensor<3x8xf32>, tensor<3x8xf32>) outs(%einit : tensor<f32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %d = arith.subf %a, %b : f32
      %ad = math.absf %d : f32
      %m = arith.maximumf %ad, %acc : f32
      linalg.yield %m : f32
  } -> tensor<f32>
  %fu = tensor.cast %yf : tensor<3x8xf32> to tensor<*xf32>
  %qu = tensor.cast %yq : tensor<3x8xf32> to tensor<*xf32>
  %eu = tensor.cast %err : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%fu) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%qu) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%eu) : (tensor<*xf32>) -> ()
  return
}

func.func @wave(%a: index, %b: index) -> f32 {
  %ai = arith.index_cast %a : index to i32
  %bi = arith.index_cast %b : index to i32
  %af = arith.sitofp %ai : i32 to f32
  %bf = arith.sitofp %bi : i32 to f32
  %k7 = arith.constant 0.7 : f32
  %k3 = arith.constant 0.37 : f32
  %x = arith.mulf %af, %k7 : f32
  %y = arith.mulf %bf, %k3 : f32
  %t = arith.addf %x, %y : f32
  %r = math.sin %t : f32
  return %r : f32
}
func.func private @printMemrefF32(tensor<*xf32>)
