// Demo: a MobileNetV2-style block: 1x1 expand + relu6, 3x3 depthwise + relu6, 1x1 project + residual
//
// Batch norms are already folded into the per-channel bias (deploy mode);
// the epilogues are ordered, so the projection adds the residual last, as
// MobileNetV2 does (no activation after the add).
func.func @inverted_residual(%x: tensor<1x4x5x5xf32>, %we: tensor<12x4x1x1xf32>,
                             %be: tensor<12xf32>, %wd: tensor<12x1x3x3xf32>,
                             %bd: tensor<12xf32>, %wp: tensor<4x12x1x1xf32>,
                             %bp: tensor<4xf32>) -> tensor<1x4x5x5xf32> {
  %e0 = tensor.empty() : tensor<1x12x5x5xf32>
  %e = kiln.conv ins(%x, %we : tensor<1x4x5x5xf32>, tensor<12x4x1x1xf32>)
      epilogue_operands(%be : tensor<12xf32>) outs(%e0 : tensor<1x12x5x5xf32>)
      {epilogue = [#kiln.step<bias>, #kiln.step<relu6>]} -> tensor<1x12x5x5xf32>
  %d0 = tensor.empty() : tensor<1x12x5x5xf32>
  %d = kiln.conv ins(%e, %wd : tensor<1x12x5x5xf32>, tensor<12x1x3x3xf32>)
      epilogue_operands(%bd : tensor<12xf32>) outs(%d0 : tensor<1x12x5x5xf32>)
      {groups = 12 : i64, pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>,
       epilogue = [#kiln.step<bias>, #kiln.step<relu6>]} -> tensor<1x12x5x5xf32>
  %p0 = tensor.empty() : tensor<1x4x5x5xf32>
  %p = kiln.conv ins(%d, %wp : tensor<1x12x5x5xf32>, tensor<4x12x1x1xf32>)
      epilogue_operands(%bp, %x : tensor<4xf32>, tensor<1x4x5x5xf32>)
      outs(%p0 : tensor<1x4x5x5xf32>)
      {epilogue = [#kiln.step<bias>, #kiln.step<residual_add>]} -> tensor<1x4x5x5xf32>
  return %p : tensor<1x4x5x5xf32>
}

func.func @main() {
  %x = tensor.generate {
  ^bb0(%n: index, %c: index, %h: index, %w: index):
    %v = func.call @wave(%c, %h, %w) : (index, index, index) -> f32
    tensor.yield %v : f32
  } : tensor<1x4x5x5xf32>
  %we = tensor.generate {
  ^bb0(%o: index, %i: index, %h: index, %w: index):
    %v = func.call @wave(%o, %i, %h) : (index, index, index) -> f32
    tensor.yield %v : f32
  } : tensor<12x4x1x1xf32>
  %wd = tensor.generate {
  ^bb0(%o: index, %i: index, %h: index, %w: index):
    %v = func.call @wave(%o, %h, %w) : (index, index, index) -> f32
    tensor.yield %v : f32
  } : tensor<12x1x3x3xf32>
  %wp = tensor.generate {
  ^bb0(%o: index, %i: index, %h: index, %w: index):
    %v = func.call @wave(%i, %o, %w) : (index, index, index) -> f32
    tensor.yield %v : f32
  } : tensor<4x12x1x1xf32>
  %b12 = arith.constant dense<0.1> : tensor<12xf32>
  %b4 = arith.constant dense<-0.2> : tensor<4xf32>
  %y = func.call @inverted_residual(%x, %we, %b12, %wd, %b12, %wp, %b4)
      : (tensor<1x4x5x5xf32>, tensor<12x4x1x1xf32>, tensor<12xf32>, tensor<12x1x3x3xf32>,
         tensor<12xf32>, tensor<4x12x1x1xf32>, tensor<4xf32>) -> tensor<1x4x5x5xf32>
  %u = tensor.cast %y : tensor<1x4x5x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// cos(0.7 a + 0.3 b - 0.5 c): a smooth deterministic pattern in [-1, 1].
func.func @wave(%a: index, %b: index, %c: index) -> f32 {
  %ai = arith.index_cast %a : index to i32
  %bi = arith.index_cast %b : index to i32
  %ci = arith.index_cast %c : index to i32
  %af = arith.sitofp %ai : i32 to f32
  %bf = arith.sitofp %bi : i32 to f32
  %cf = arith.sitofp %ci : i32 to f32
  %k7 = arith.constant 0.7 : f32
  %k3 = arith.constant 0.3 : f32
  %k5 = arith.constant -0.5 : f32
  %x = arith.mulf %af, %k7 : f32
  %y = arith.mulf %bf, %k3 : f32
  %z = arith.mulf %cf, %k5 : f32
  %s = arith.addf %x, %y : f32
  %t = arith.addf %s, %z : f32
  %r = math.cos %t : f32
  return %r : f32
}
func.func private @printMemrefF32(tensor<*xf32>)
