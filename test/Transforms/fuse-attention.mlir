// kiln-fuse-attention: matmul / scale / mask / softmax / matmul written out
// becomes one kiln.attention; a constant causal mask becomes `causal`.
// RUN: kiln-opt %s --split-input-file --kiln-fuse-attention | FileCheck %s

// CHECK-LABEL: func.func @causal_div
// CHECK-SAME:    (%[[Q:[^:]*]]: {{.*}}, %[[K:[^:]*]]: {{.*}}, %[[V:[^:]*]]: {{.*}})
// CHECK:         %[[O:.*]] = kiln.attention ins(%[[Q]], %[[K]], %[[V]] : {{.*}}) outs(%{{.*}} : tensor<1x2x4x8xf32>) {causal, scale = 5.000000e-01 : f32}
// CHECK-NOT:     kiln.softmax
// CHECK-NOT:     kiln.matmul
// CHECK:         return %[[O]]
func.func @causal_div(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                      %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %i = tensor.empty() : tensor<1x2x4x4xf32>
  %s = kiln.matmul ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
       outs(%i : tensor<1x2x4x4xf32>) {transpose_b} -> tensor<1x2x4x4xf32>
  %c = arith.constant dense<2.0> : tensor<1x2x4x4xf32>
  %s2 = arith.divf %s, %c : tensor<1x2x4x4xf32>
  // The causal mask as an exporter writes it: a constant [S, T] (the
  // float minimum above the diagonal) broadcast to the scores' shape.
  %m = arith.constant dense<[[0.0, -3.4e38, -3.4e38, -3.4e38],
                             [0.0, 0.0, -3.4e38, -3.4e38],
                             [0.0, 0.0, 0.0, -3.4e38],
                             [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %mb = tensor.empty() : tensor<1x2x4x4xf32>
  %mx = linalg.broadcast ins(%m : tensor<4x4xf32>)
        outs(%mb : tensor<1x2x4x4xf32>) dimensions = [0, 1]
  %s3 = arith.addf %s2, %mx : tensor<1x2x4x4xf32>
  %p = kiln.softmax %s3 : tensor<1x2x4x4xf32> outs(%i : tensor<1x2x4x4xf32>)
       -> tensor<1x2x4x4xf32>
  %oi = tensor.empty() : tensor<1x2x4x8xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>)
       outs(%oi : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// K transposed explicitly, a multiply by the scale, a general mask kept.
// CHECK-LABEL: func.func @transpose_mul_mask
// CHECK-SAME:    (%[[Q:[^:]*]]: {{.*}}, %[[K:[^:]*]]: {{.*}}, %[[V:[^:]*]]: {{.*}}, %[[M:[^:]*]]: {{.*}})
// CHECK:         kiln.attention ins(%[[Q]], %[[K]], %[[V]] : {{.*}}) mask(%[[M]] : tensor<2x1x3x5xf32>) {{.*}} {scale = 2.500000e-01 : f32}
// CHECK-NOT:     linalg.transpose
func.func @transpose_mul_mask(%q: tensor<2x1x3x8xf32>, %k: tensor<2x1x5x8xf32>,
                              %v: tensor<2x1x5x4xf32>, %m: tensor<2x1x3x5xf32>)
    -> tensor<2x1x3x4xf32> {
  %te = tensor.empty() : tensor<2x1x8x5xf32>
  %kt = linalg.transpose ins(%k : tensor<2x1x5x8xf32>)
        outs(%te : tensor<2x1x8x5xf32>) permutation = [0, 1, 3, 2]
  %i = tensor.empty() : tensor<2x1x3x5xf32>
  %s = kiln.matmul ins(%q, %kt : tensor<2x1x3x8xf32>, tensor<2x1x8x5xf32>)
       outs(%i : tensor<2x1x3x5xf32>) -> tensor<2x1x3x5xf32>
  %c = arith.constant dense<0.25> : tensor<2x1x3x5xf32>
  %s2 = arith.mulf %s, %c : tensor<2x1x3x5xf32>
  %s3 = arith.addf %s2, %m : tensor<2x1x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x1x3x5xf32> outs(%i : tensor<2x1x3x5xf32>)
       {dimension = 3 : i64} -> tensor<2x1x3x5xf32>
  %oi = tensor.empty() : tensor<2x1x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x1x3x5xf32>, tensor<2x1x5x4xf32>)
       outs(%oi : tensor<2x1x3x4xf32>) -> tensor<2x1x3x4xf32>
  return %o : tensor<2x1x3x4xf32>
}

// -----

// Left alone: softmax over another dim; scores used elsewhere.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT:     kiln.attention
func.func @left_alone(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>)
    -> (tensor<1x1x4x8xf32>, tensor<1x1x4x4xf32>) {
  %i = tensor.empty() : tensor<1x1x4x4xf32>
  %s = kiln.matmul ins(%q, %k : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>)
       outs(%i : tensor<1x1x4x4xf32>) {transpose_b} -> tensor<1x1x4x4xf32>
  %p = kiln.softmax %s : tensor<1x1x4x4xf32> outs(%i : tensor<1x1x4x4xf32>)
       {dimension = 2 : i64} -> tensor<1x1x4x4xf32>
  %oi = tensor.empty() : tensor<1x1x4x8xf32>
  %o = kiln.matmul ins(%p, %q : tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>)
       outs(%oi : tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o, %s : tensor<1x1x4x8xf32>, tensor<1x1x4x4xf32>
}
