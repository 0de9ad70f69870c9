// kiln-fuse-attention on every broadcast shape of a constant additive mask:
// the mask is judged by the values the scores receive through broadcasts
// and reshapes ([1,1,1,T] key rows, [B,1,1,T], [1,1,S,T], [B,H,S,T],
// scalars), never by the constant's own last two dims. A zero mask adds
// nothing, a causal one becomes `causal`, any other is kept. A row hidden
// entirely gives 0 in kiln.softmax and kiln.attention alike when it is
// -inf, and averages V when it is finite: such a finite mask is not causal.
// RUN: kiln-opt %s --split-input-file --kiln-fuse-attention | FileCheck %s

// A zero [1,1,1,T] mask (no padding) adds nothing; it is not causal.
// CHECK-LABEL: func.func @key_row_zero_unit_batch
// CHECK: kiln.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : {{[^)]*}}) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
// CHECK-NOT: causal
func.func @key_row_zero_unit_batch(%q: tensor<1x1x3x4xf32>, %k: tensor<1x1x5x4xf32>, %v: tensor<1x1x5x4xf32>) -> tensor<1x1x3x4xf32> {
  %i = tensor.empty() : tensor<1x1x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<1x1x3x4xf32>, tensor<1x1x5x4xf32>)
       outs(%i : tensor<1x1x3x5xf32>) {transpose_b} -> tensor<1x1x3x5xf32>
  %m = arith.constant dense<0.0> : tensor<1x1x1x5xf32>
  %mr = tensor.collapse_shape %m [[0], [1], [2, 3]] : tensor<1x1x1x5xf32> into tensor<1x1x5xf32>
  %mb = tensor.empty() : tensor<1x1x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<1x1x5xf32>)
        outs(%mb : tensor<1x1x3x5xf32>) dimensions = [2]
  %s3 = arith.addf %s, %mx : tensor<1x1x3x5xf32>
  %p = kiln.softmax %s3 : tensor<1x1x3x5xf32> outs(%i : tensor<1x1x3x5xf32>) -> tensor<1x1x3x5xf32>
  %oi = tensor.empty() : tensor<1x1x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x1x3x5xf32>, tensor<1x1x5x4xf32>)
       outs(%oi : tensor<1x1x3x4xf32>) -> tensor<1x1x3x4xf32>
  return %o : tensor<1x1x3x4xf32>
}

// -----

// The same with a batch and heads: collapsed to [T], broadcast over 0, 1, 2.
// CHECK-LABEL: func.func @key_row_zero
// CHECK: kiln.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : {{[^)]*}}) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
// CHECK-NOT: causal
func.func @key_row_zero(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %m = arith.constant dense<0.0> : tensor<1x1x1x5xf32>
  %mr = tensor.collapse_shape %m [[0, 1, 2, 3]] : tensor<1x1x1x5xf32> into tensor<5xf32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<5xf32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1, 2]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// A key padding row (the last key hidden): kept as the mask.
// CHECK-LABEL: func.func @key_row_padding
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x3x5xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @key_row_padding(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mr = arith.constant dense<[0.0, 0.0, 0.0, 0.0, 0xFF800000]> : tensor<5xf32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<5xf32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1, 2]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// [B,1,1,T]: a padding row per batch, kept.
// CHECK-LABEL: func.func @batch_key_rows
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x3x5xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @batch_key_rows(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %m = arith.constant dense<[[[[0.0, 0.0, 0.0, 0.0, 0.0]]], [[[0.0, 0.0, 0.0, 0xFF800000, 0xFF800000]]]]> : tensor<2x1x1x5xf32>
  %mr = tensor.collapse_shape %m [[0, 1, 2], [3]] : tensor<2x1x1x5xf32> into tensor<2x5xf32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<2x5xf32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [1, 2]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// [1,1,S,T] causal with S < T (bottom-right aligned): `causal`.
// CHECK-LABEL: func.func @square_causal
// CHECK: kiln.attention ins({{[^)]*}}) outs({{[^)]*}}) {causal, scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
func.func @square_causal(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %m = arith.constant dense<[[[[0.0, 0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<1x1x3x5xf32>
  %mr = tensor.collapse_shape %m [[0, 1, 2], [3]] : tensor<1x1x3x5xf32> into tensor<3x5xf32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<3x5xf32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// [B,H,S,T] causal, hidden entries -1e30: `causal`.
// CHECK-LABEL: func.func @full_causal_finite
// CHECK: kiln.attention ins({{[^)]*}}) outs({{[^)]*}}) {causal, scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
func.func @full_causal_finite(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mx = arith.constant dense<[[[[0.0, 0.0, 0.0, -1.0e+30, -1.0e+30], [0.0, 0.0, 0.0, 0.0, -1.0e+30], [0.0, 0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, -1.0e+30, -1.0e+30], [0.0, 0.0, 0.0, 0.0, -1.0e+30], [0.0, 0.0, 0.0, 0.0, 0.0]]], [[[0.0, 0.0, 0.0, -1.0e+30, -1.0e+30], [0.0, 0.0, 0.0, 0.0, -1.0e+30], [0.0, 0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, -1.0e+30, -1.0e+30], [0.0, 0.0, 0.0, 0.0, -1.0e+30], [0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<2x2x3x5xf32>
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// [1,1,S,T] zero: no mask.
// CHECK-LABEL: func.func @square_zero
// CHECK: kiln.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : {{[^)]*}}) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
// CHECK-NOT: causal
func.func @square_zero(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %m = arith.constant dense<0.0> : tensor<1x1x3x5xf32>
  %mr = tensor.collapse_shape %m [[0, 1, 2], [3]] : tensor<1x1x3x5xf32> into tensor<3x5xf32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<3x5xf32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// A zero scalar: no mask.
// CHECK-LABEL: func.func @scalar_zero
// CHECK: kiln.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : {{[^)]*}}) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
// CHECK-NOT: causal
func.func @scalar_zero(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mr = arith.constant dense<0.0> : tensor<f32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<f32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1, 2, 3]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// A finite scalar (adds the same to every score): kept.
// CHECK-LABEL: func.func @scalar_bias
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x3x5xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @scalar_bias(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mr = arith.constant dense<-2.0> : tensor<f32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<f32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1, 2, 3]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// A -inf scalar hides every row: 0 fused and unfused (kiln.softmax's rule).
// CHECK-LABEL: func.func @scalar_hides_all
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x3x5xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @scalar_hides_all(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mr = arith.constant dense<0xFF800000> : tensor<f32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<f32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1, 2, 3]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// One diagonal too low: not causal, kept as the mask.
// CHECK-LABEL: func.func @causal_wrong_diagonal
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x3x5xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @causal_wrong_diagonal(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mr = arith.constant dense<[[0.0, 0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0xFF800000]]> : tensor<3x5xf32>
  %mb = tensor.empty() : tensor<2x2x3x5xf32>
  %mx = linalg.broadcast ins(%mr : tensor<3x5xf32>)
        outs(%mb : tensor<2x2x3x5xf32>) dimensions = [0, 1]
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// Causal in one head only: kept as the mask.
// CHECK-LABEL: func.func @causal_one_head
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x3x5xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @causal_one_head(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x5x4xf32>, %v: tensor<2x2x5x4xf32>) -> tensor<2x2x3x4xf32> {
  %i = tensor.empty() : tensor<2x2x3x5xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x5x4xf32>)
       outs(%i : tensor<2x2x3x5xf32>) {transpose_b} -> tensor<2x2x3x5xf32>
  %mx = arith.constant dense<[[[[0.0, 0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]]], [[[0.0, 0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<2x2x3x5xf32>
  %s3 = arith.addf %s, %mx : tensor<2x2x3x5xf32>
  %p = kiln.softmax %s3 : tensor<2x2x3x5xf32> outs(%i : tensor<2x2x3x5xf32>) -> tensor<2x2x3x5xf32>
  %oi = tensor.empty() : tensor<2x2x3x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x3x5xf32>, tensor<2x2x5x4xf32>)
       outs(%oi : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

// Causal with S > T and -inf: row 0 sees no key, 0 in both forms: `causal`.
// CHECK-LABEL: func.func @causal_more_queries
// CHECK: kiln.attention ins({{[^)]*}}) outs({{[^)]*}}) {causal, scale = 1.000000e+00 : f32}
// CHECK-NOT: kiln.softmax
func.func @causal_more_queries(%q: tensor<2x2x4x4xf32>, %k: tensor<2x2x3x4xf32>, %v: tensor<2x2x3x4xf32>) -> tensor<2x2x4x4xf32> {
  %i = tensor.empty() : tensor<2x2x4x3xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x4x4xf32>, tensor<2x2x3x4xf32>)
       outs(%i : tensor<2x2x4x3xf32>) {transpose_b} -> tensor<2x2x4x3xf32>
  %mr = arith.constant dense<[[0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0]]> : tensor<4x3xf32>
  %mb = tensor.empty() : tensor<2x2x4x3xf32>
  %mx = linalg.broadcast ins(%mr : tensor<4x3xf32>)
        outs(%mb : tensor<2x2x4x3xf32>) dimensions = [0, 1]
  %s3 = arith.addf %s, %mx : tensor<2x2x4x3xf32>
  %p = kiln.softmax %s3 : tensor<2x2x4x3xf32> outs(%i : tensor<2x2x4x3xf32>) -> tensor<2x2x4x3xf32>
  %oi = tensor.empty() : tensor<2x2x4x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x4x3xf32>, tensor<2x2x3x4xf32>)
       outs(%oi : tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  return %o : tensor<2x2x4x4xf32>
}

// -----

// The same with -1e30: row 0 averages V in both forms; kept as the mask.
// CHECK-LABEL: func.func @causal_more_queries_finite
// CHECK: kiln.attention ins({{[^)]*}}) mask(%{{.*}} : tensor<2x2x4x3xf32>) outs({{[^)]*}}) {scale = 1.000000e+00 : f32}
// CHECK-NOT: causal
// CHECK-NOT: kiln.softmax
func.func @causal_more_queries_finite(%q: tensor<2x2x4x4xf32>, %k: tensor<2x2x3x4xf32>, %v: tensor<2x2x3x4xf32>) -> tensor<2x2x4x4xf32> {
  %i = tensor.empty() : tensor<2x2x4x3xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x4x4xf32>, tensor<2x2x3x4xf32>)
       outs(%i : tensor<2x2x4x3xf32>) {transpose_b} -> tensor<2x2x4x3xf32>
  %mr = arith.constant dense<[[-1.0e+30, -1.0e+30, -1.0e+30], [0.0, -1.0e+30, -1.0e+30], [0.0, 0.0, -1.0e+30], [0.0, 0.0, 0.0]]> : tensor<4x3xf32>
  %mb = tensor.empty() : tensor<2x2x4x3xf32>
  %mx = linalg.broadcast ins(%mr : tensor<4x3xf32>)
        outs(%mb : tensor<2x2x4x3xf32>) dimensions = [0, 1]
  %s3 = arith.addf %s, %mx : tensor<2x2x4x3xf32>
  %p = kiln.softmax %s3 : tensor<2x2x4x3xf32> outs(%i : tensor<2x2x4x3xf32>) -> tensor<2x2x4x3xf32>
  %oi = tensor.empty() : tensor<2x2x4x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x4x3xf32>, tensor<2x2x3x4xf32>)
       outs(%oi : tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  return %o : tensor<2x2x4x4xf32>
}

// -----

// masked_fill with a [1,1,1,T] key-padding condition seen through a
// collapse and a broadcast: an additive 0 / -inf mask per [S, T] position.
// CHECK-LABEL: func.func @masked_fill_key_row
// CHECK: %[[M:.*]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000]]]]> : tensor<1x1x2x3xf32>
// CHECK: kiln.attention ins(%arg0, %arg1, %arg2 : {{.*}}) mask(%[[M]] : tensor<1x1x2x3xf32>) outs({{.*}}) {scale = 1.000000e+00 : f32}
func.func @masked_fill_key_row(%q: tensor<2x2x2x4xf32>, %k: tensor<2x2x3x4xf32>,
                               %v: tensor<2x2x3x4xf32>) -> tensor<2x2x2x4xf32> {
  %e1 = tensor.empty() : tensor<2x2x2x3xf32>
  %s = kiln.matmul ins(%q, %k : tensor<2x2x2x4xf32>, tensor<2x2x3x4xf32>) outs(%e1 : tensor<2x2x2x3xf32>) {transpose_b} -> tensor<2x2x2x3xf32>
  %pad = arith.constant dense<[[[[false, false, true]]]]> : tensor<1x1x1x3xi1>
  %row = tensor.collapse_shape %pad [[0, 1, 2, 3]] : tensor<1x1x1x3xi1> into tensor<3xi1>
  %e2 = tensor.empty() : tensor<2x2x2x3xi1>
  %c = linalg.broadcast ins(%row : tensor<3xi1>) outs(%e2 : tensor<2x2x2x3xi1>) dimensions = [0, 1, 2]
  %ninf = arith.constant dense<0xFF800000> : tensor<2x2x2x3xf32>
  %u = arith.select %c, %ninf, %s : tensor<2x2x2x3xi1>, tensor<2x2x2x3xf32>
  %e3 = tensor.empty() : tensor<2x2x2x3xf32>
  %p = kiln.softmax %u : tensor<2x2x2x3xf32> outs(%e3 : tensor<2x2x2x3xf32>) -> tensor<2x2x2x3xf32>
  %e4 = tensor.empty() : tensor<2x2x2x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<2x2x2x3xf32>, tensor<2x2x3x4xf32>) outs(%e4 : tensor<2x2x2x4xf32>) -> tensor<2x2x2x4xf32>
  return %o : tensor<2x2x2x4xf32>
}

// -----

// masked_fill hiding every key of row 1 with a finite fill: the graph
// averages V there, so the fill stays in the additive mask (not -inf).
// CHECK-LABEL: func.func @masked_fill_hides_row
// CHECK: %[[M:.*]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00, -3.000000e+38], [-3.000000e+38, -3.000000e+38]]]]> : tensor<1x1x2x2xf32>
// CHECK: kiln.attention ins(%arg0, %arg1, %arg2 : {{.*}}) mask(%[[M]] : tensor<1x1x2x2xf32>)
func.func @masked_fill_hides_row(%q: tensor<1x1x2x4xf32>, %k: tensor<1x1x2x4xf32>,
                                 %v: tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32> {
  %e1 = tensor.empty() : tensor<1x1x2x2xf32>
  %s = kiln.matmul ins(%q, %k : tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>) outs(%e1 : tensor<1x1x2x2xf32>) {transpose_b} -> tensor<1x1x2x2xf32>
  %keep = arith.constant dense<[[[[true, false], [false, false]]]]> : tensor<1x1x2x2xi1>
  %fill = arith.constant dense<-3.0e38> : tensor<1x1x2x2xf32>
  %u = arith.select %keep, %s, %fill : tensor<1x1x2x2xi1>, tensor<1x1x2x2xf32>
  %e3 = tensor.empty() : tensor<1x1x2x2xf32>
  %p = kiln.softmax %u : tensor<1x1x2x2xf32> outs(%e3 : tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %e4 = tensor.empty() : tensor<1x1x2x4xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x1x2x2xf32>, tensor<1x1x2x4xf32>) outs(%e4 : tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32>
  return %o : tensor<1x1x2x4xf32>
}
