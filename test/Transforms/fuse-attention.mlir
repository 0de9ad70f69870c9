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

// -----

// PyTorch's masked_fill(tril == 0, -inf): a select on a constant condition
// broadcast over batch and heads is `causal`; K arrives through one
// transpose [B, S, H, D] -> [B, H, D, S], which becomes [B, H, S, D].
// CHECK-LABEL: func.func @masked_fill_causal
// CHECK: %[[K:.*]] = linalg.transpose ins(%arg1 : tensor<1x4x2x8xf32>) outs(%{{.*}} : tensor<1x2x4x8xf32>) permutation = [0, 2, 1, 3]
// CHECK: kiln.attention ins(%arg0, %[[K]], %arg2 : {{.*}}) outs({{.*}}) {causal, scale = 5.000000e-01 : f32}
// CHECK-NOT: arith.select
func.func @masked_fill_causal(%q: tensor<1x2x4x8xf32>, %kr: tensor<1x4x2x8xf32>,
                              %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %e0 = tensor.empty() : tensor<1x2x8x4xf32>
  %kt = linalg.transpose ins(%kr : tensor<1x4x2x8xf32>) outs(%e0 : tensor<1x2x8x4xf32>) permutation = [0, 2, 3, 1]
  %e1 = tensor.empty() : tensor<1x2x4x4xf32>
  %s = kiln.matmul ins(%q, %kt : tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) outs(%e1 : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %half = arith.constant dense<0.5> : tensor<1x2x4x4xf32>
  %t = arith.mulf %s, %half : tensor<1x2x4x4xf32>
  %hidden = arith.constant dense<[[false, true, true, true], [false, false, true, true],
                                  [false, false, false, true], [false, false, false, false]]> : tensor<4x4xi1>
  %e2 = tensor.empty() : tensor<1x2x4x4xi1>
  %c = linalg.broadcast ins(%hidden : tensor<4x4xi1>) outs(%e2 : tensor<1x2x4x4xi1>) dimensions = [0, 1]
  %ninf = arith.constant dense<0xFF800000> : tensor<1x2x4x4xf32>
  %u = arith.select %c, %ninf, %t : tensor<1x2x4x4xi1>, tensor<1x2x4x4xf32>
  %e3 = tensor.empty() : tensor<1x2x4x4xf32>
  %p = kiln.softmax %u : tensor<1x2x4x4xf32> outs(%e3 : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %e4 = tensor.empty() : tensor<1x2x4x8xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) outs(%e4 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A masked_fill that is not causal (the select keeps the scores where the
// condition holds) becomes an additive 0 / fill mask.
// CHECK-LABEL: func.func @masked_fill_general
// CHECK: %[[M:.*]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00, -3.000000e+38], [-3.000000e+38, 0.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK: kiln.attention ins(%arg0, %arg1, %arg2 : {{.*}}) mask(%[[M]] : tensor<1x1x2x2xf32>) outs({{.*}}) {scale = 1.000000e+00 : f32}
func.func @masked_fill_general(%q: tensor<1x1x2x4xf32>, %k: tensor<1x1x2x4xf32>,
                               %v: tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32> {
  %e1 = tensor.empty() : tensor<1x1x2x2xf32>
  %s = kiln.matmul ins(%q, %k : tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>) outs(%e1 : tensor<1x1x2x2xf32>) {transpose_b} -> tensor<1x1x2x2xf32>
  %keep = arith.constant dense<[[[[true, false], [false, true]]]]> : tensor<1x1x2x2xi1>
  %ninf = arith.constant dense<-3.0e38> : tensor<1x1x2x2xf32>
  %u = arith.select %keep, %s, %ninf : tensor<1x1x2x2xi1>, tensor<1x1x2x2xf32>
  %e3 = tensor.empty() : tensor<1x1x2x2xf32>
  %p = kiln.softmax %u : tensor<1x1x2x2xf32> outs(%e3 : tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %e4 = tensor.empty() : tensor<1x1x2x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x1x2x2xf32>, tensor<1x1x2x4xf32>) outs(%e4 : tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32>
  return %o : tensor<1x1x2x4xf32>
}

// -----

// nn.MultiheadAttention's export: [B*H, S, D], q divided before the matmul,
// a multiply by 1, a [1, S, T] causal mask. It runs as [1, B*H, S, D].
// CHECK-LABEL: func.func @multihead
// CHECK: %[[Q:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1], [2], [3]] output_shape [1, 6, 3, 4]
// CHECK: %[[A:.*]] = kiln.attention ins(%[[Q]], %{{.*}}, %{{.*}} : tensor<1x6x3x4xf32>, tensor<1x6x3x4xf32>, tensor<1x6x3x4xf32>) outs(%{{.*}} : tensor<1x6x3x4xf32>) {causal, scale = 5.000000e-01 : f32}
// CHECK: tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<1x6x3x4xf32> into tensor<6x3x4xf32>
func.func @multihead(%q: tensor<6x3x4xf32>, %k: tensor<6x3x4xf32>,
                     %v: tensor<6x3x4xf32>) -> tensor<6x3x4xf32> {
  %two = arith.constant dense<2.0> : tensor<6x3x4xf32>
  %qs = arith.divf %q, %two : tensor<6x3x4xf32>
  %e0 = tensor.empty() : tensor<6x4x3xf32>
  %kt = linalg.transpose ins(%k : tensor<6x3x4xf32>) outs(%e0 : tensor<6x4x3xf32>) permutation = [0, 2, 1]
  %e1 = tensor.empty() : tensor<6x3x3xf32>
  %s = kiln.matmul ins(%qs, %kt : tensor<6x3x4xf32>, tensor<6x4x3xf32>) outs(%e1 : tensor<6x3x3xf32>) -> tensor<6x3x3xf32>
  %one = arith.constant dense<1.0> : tensor<6x3x3xf32>
  %t = arith.mulf %s, %one : tensor<6x3x3xf32>
  %m = arith.constant dense<[[[0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0]]]> : tensor<1x3x3xf32>
  %mc = tensor.collapse_shape %m [[0, 1], [2]] : tensor<1x3x3xf32> into tensor<3x3xf32>
  %e2 = tensor.empty() : tensor<6x3x3xf32>
  %mb = linalg.broadcast ins(%mc : tensor<3x3xf32>) outs(%e2 : tensor<6x3x3xf32>) dimensions = [0]
  %u = arith.addf %t, %mb : tensor<6x3x3xf32>
  %e3 = tensor.empty() : tensor<6x3x3xf32>
  %p = kiln.softmax %u : tensor<6x3x3xf32> outs(%e3 : tensor<6x3x3xf32>) -> tensor<6x3x3xf32>
  %e4 = tensor.empty() : tensor<6x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<6x3x3xf32>, tensor<6x3x4xf32>) outs(%e4 : tensor<6x3x4xf32>) -> tensor<6x3x4xf32>
  return %o : tensor<6x3x4xf32>
}

// -----

// A dynamic batch: the broadcasts are sized by tensor.dim of the scores,
// which the pass first moves to values before the attention, and the scale
// is a linalg.fill.
// CHECK-LABEL: func.func @dynamic_batch
// CHECK: kiln.attention ins(%arg0, %arg1, %arg2 : tensor<?x2x4x8xf32>, {{.*}}) outs({{.*}}) {scale = 2.500000e-01 : f32}
// CHECK-NOT: kiln.softmax
func.func @dynamic_batch(%q: tensor<?x2x4x8xf32>, %k: tensor<?x2x4x8xf32>,
                         %v: tensor<?x2x4x8xf32>) -> tensor<?x2x4x8xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %q, %c0 : tensor<?x2x4x8xf32>
  %e1 = tensor.empty(%b) : tensor<?x2x4x4xf32>
  %s = kiln.matmul ins(%q, %k : tensor<?x2x4x8xf32>, tensor<?x2x4x8xf32>) outs(%e1 : tensor<?x2x4x4xf32>) {transpose_b} -> tensor<?x2x4x4xf32>
  %d = tensor.dim %s, %c0 : tensor<?x2x4x4xf32>
  %quarter = arith.constant 0.25 : f32
  %ef = tensor.empty(%d) : tensor<?x2x4x4xf32>
  %f = linalg.fill ins(%quarter : f32) outs(%ef : tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %t = arith.mulf %s, %f : tensor<?x2x4x4xf32>
  %d2 = tensor.dim %t, %c0 : tensor<?x2x4x4xf32>
  %e3 = tensor.empty(%d2) : tensor<?x2x4x4xf32>
  %p = kiln.softmax %t : tensor<?x2x4x4xf32> outs(%e3 : tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %d3 = tensor.dim %p, %c0 : tensor<?x2x4x4xf32>
  %e4 = tensor.empty(%d3) : tensor<?x2x4x8xf32>
  %o = kiln.matmul ins(%p, %v : tensor<?x2x4x4xf32>, tensor<?x2x4x8xf32>) outs(%e4 : tensor<?x2x4x8xf32>) -> tensor<?x2x4x8xf32>
  return %o : tensor<?x2x4x8xf32>
}
