// Demo: causal grouped-query attention (4 query heads over 2 KV heads) with its LSE
//
// Inputs are deterministic patterns so the printed output is reproducible.
func.func @causal_gqa(%q: tensor<1x4x6x8xf32>, %k: tensor<1x2x6x8xf32>,
                      %v: tensor<1x2x6x8xf32>) -> (tensor<1x4x6x8xf32>, tensor<1x4x6xf32>) {
  %o0 = tensor.empty() : tensor<1x4x6x8xf32>
  %l0 = tensor.empty() : tensor<1x4x6xf32>
  %o, %l = kiln.attention ins(%q, %k, %v : tensor<1x4x6x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>)
      outs(%o0, %l0 : tensor<1x4x6x8xf32>, tensor<1x4x6xf32>) {causal}
      -> tensor<1x4x6x8xf32>, tensor<1x4x6xf32>
  return %o, %l : tensor<1x4x6x8xf32>, tensor<1x4x6xf32>
}

// x[b, h, s, d] = sin(seed * (1 + h) + 0.37 * s + 0.11 * d * d)
func.func @pattern(%seed: f32, %h: index, %s: index, %d: index) -> f32 {
  %hf = arith.index_cast %h : index to i32
  %sf = arith.index_cast %s : index to i32
  %df = arith.index_cast %d : index to i32
  %hx = arith.sitofp %hf : i32 to f32
  %sx = arith.sitofp %sf : i32 to f32
  %dx = arith.sitofp %df : i32 to f32
  %one = arith.constant 1.0 : f32
  %c37 = arith.constant 0.37 : f32
  %c11 = arith.constant 0.11 : f32
  %h1 = arith.addf %hx, %one : f32
  %a = arith.mulf %seed, %h1 : f32
  %b = arith.mulf %c37, %sx : f32
  %dd = arith.mulf %dx, %dx : f32
  %c = arith.mulf %c11, %dd : f32
  %ab = arith.addf %a, %b : f32
  %abc = arith.addf %ab, %c : f32
  %r = math.sin %abc : f32
  return %r : f32
}

func.func @main() {
  %sq = arith.constant 0.5 : f32
  %sk = arith.constant 1.3 : f32
  %sv = arith.constant 2.1 : f32
  %q = tensor.generate {
  ^bb0(%b: index, %h: index, %s: index, %d: index):
    %x = func.call @pattern(%sq, %h, %s, %d) : (f32, index, index, index) -> f32
    tensor.yield %x : f32
  } : tensor<1x4x6x8xf32>
  %k = tensor.generate {
  ^bb0(%b: index, %h: index, %s: index, %d: index):
    %x = func.call @pattern(%sk, %h, %s, %d) : (f32, index, index, index) -> f32
    tensor.yield %x : f32
  } : tensor<1x2x6x8xf32>
  %v = tensor.generate {
  ^bb0(%b: index, %h: index, %s: index, %d: index):
    %x = func.call @pattern(%sv, %h, %s, %d) : (f32, index, index, index) -> f32
    tensor.yield %x : f32
  } : tensor<1x2x6x8xf32>
  %o, %l = func.call @causal_gqa(%q, %k, %v)
      : (tensor<1x4x6x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>)
      -> (tensor<1x4x6x8xf32>, tensor<1x4x6xf32>)
  %ou = tensor.cast %o : tensor<1x4x6x8xf32> to tensor<*xf32>
  %lu = tensor.cast %l : tensor<1x4x6xf32> to tensor<*xf32>
  call @printMemrefF32(%ou) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%lu) : (tensor<*xf32>) -> ()
  return
}
func.func private @printMemrefF32(tensor<*xf32>)
