// kiln-fold-conv-bn: batch_norm after conv with constant statistics folds
// into the conv (deploy mode: W' = W * s, b' = (b - mean) * s + beta with
// s = gamma / sqrt(var + eps)); a non-constant filter gets an affine step.
// RUN: kiln-opt %s --split-input-file --kiln-fold-conv-bn | FileCheck %s

// Two output channels, 1x1 filter [[1, 2], [3, 4]], bias [1, -1];
// gamma [2, 4], beta [0.5, 0], mean [1, 2], var [3, 3], eps 1:
// s = gamma / sqrt(var + eps) = [1, 2];
// W' = [[1, 2], [6, 8]], b' = ([1, -1] - [1, 2]) * [1, 2] + [0.5, 0]
//    = [0.5, -6].
// CHECK-LABEL: func.func @deploy
// CHECK-DAG:     %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}6.000000e+00]], {{\[\[}}8.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG:     %[[B:.*]] = arith.constant dense<[5.000000e-01, -6.000000e+00]> : tensor<2xf32>
// CHECK:         %[[Y:.*]] = kiln.conv ins(%{{.*}}, %[[W]] : {{.*}}) epilogue_operands(%[[B]] : tensor<2xf32>) {{.*}} {epilogue = [#kiln.step<bias>]}
// CHECK-NOT:     kiln.batch_norm
// CHECK:         return %[[Y]]
func.func @deploy(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %be = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %i = tensor.empty() : tensor<1x2x3x3xf32>
  %y = kiln.conv ins(%x, %w : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>)
       epilogue_operands(%b : tensor<2xf32>) outs(%i : tensor<1x2x3x3xf32>)
       {epilogue = [#kiln.step<bias>]} -> tensor<1x2x3x3xf32>
  %i2 = tensor.empty() : tensor<1x2x3x3xf32>
  %z = kiln.batch_norm %y, %g, %be, %m, %v : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i2 : tensor<1x2x3x3xf32>) {epsilon = 1.0 : f32}
       -> tensor<1x2x3x3xf32>
  return %z : tensor<1x2x3x3xf32>
}

// -----

// A filter that is an argument: an affine step after the bias, with
// s = [1, 2] and t = beta - mean * s = [-0.5, -4].
// CHECK-LABEL: func.func @runtime_filter
// CHECK-DAG:     %[[S:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[T:.*]] = arith.constant dense<[-5.000000e-01, -4.000000e+00]> : tensor<2xf32>
// CHECK:         kiln.conv ins(%{{.*}}, %{{.*}} : {{.*}}) epilogue_operands(%{{.*}}, %[[S]], %[[T]] : {{.*}}) {{.*}} {epilogue = [#kiln.step<bias>, #kiln.step<affine>]}
// CHECK-NOT:     kiln.batch_norm
func.func @runtime_filter(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>)
    -> tensor<1x2x3x3xf32> {
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %g = arith.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %be = arith.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %v = arith.constant dense<[3.0, 3.0]> : tensor<2xf32>
  %i = tensor.empty() : tensor<1x2x3x3xf32>
  %y = kiln.conv ins(%x, %w : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>)
       epilogue_operands(%b : tensor<2xf32>) outs(%i : tensor<1x2x3x3xf32>)
       {epilogue = [#kiln.step<bias>]} -> tensor<1x2x3x3xf32>
  %z = kiln.batch_norm %y, %g, %be, %m, %v : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i : tensor<1x2x3x3xf32>) {epsilon = 1.0 : f32}
       -> tensor<1x2x3x3xf32>
  return %z : tensor<1x2x3x3xf32>
}

// -----

// Not folded: an activation before the BN, non-constant statistics, a conv
// with another user.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: kiln.batch_norm
func.func @left_alone(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2x1x1xf32>,
                      %g: tensor<2xf32>)
    -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>,
        tensor<1x2x3x3xf32>) {
  %c = arith.constant dense<1.0> : tensor<2xf32>
  %i = tensor.empty() : tensor<1x2x3x3xf32>
  %relu = kiln.conv ins(%x, %w : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>)
          outs(%i : tensor<1x2x3x3xf32>) {epilogue = [#kiln.step<relu>]}
          -> tensor<1x2x3x3xf32>
  %a = kiln.batch_norm %relu, %c, %c, %c, %c : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %y1 = kiln.conv ins(%x, %w : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>)
        outs(%i : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %b = kiln.batch_norm %y1, %g, %c, %c, %c : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %y2 = kiln.conv ins(%x, %w : tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>)
        outs(%i : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %d = kiln.batch_norm %y2, %c, %c, %c, %c : tensor<1x2x3x3xf32>,
       tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
       outs(%i : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %a, %b, %d, %y2 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>,
         tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}
