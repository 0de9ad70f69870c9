// RUN: kiln-opt %s --split-input-file --kiln-test-tiling-interface="tile-sizes=1,2,32,0" --verify-diagnostics | FileCheck %s


// Attention tiles (batch, query head, query position, Dv). With 8 query heads
// over 2 KV heads, a tile of 2 query heads reads KV head h floordiv 4.
// CHECK-LABEL: func @attention_gqa
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[S:.*]]) = (0, 0, 0) to (1, 8, 64) step (1, 2, 32)
// CHECK: %[[KVH:.*]] = affine.apply #{{.*}}(%[[H]])
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], %[[H]], %[[S]], 0] [1, 2, 32, 16]
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[B]], %[[KVH]], 0, 0] [1, 1, 64, 16]
// CHECK-NOT: tensor.generate
// CHECK: kiln.attention {{.*}} -> tensor<1x2x32x16xf32>
func.func @attention_gqa(%q: tensor<1x8x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>, %o: tensor<1x8x64x16xf32>) -> tensor<1x8x64x16xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x8x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>) outs(%o : tensor<1x8x64x16xf32>) -> tensor<1x8x64x16xf32>
  return %r : tensor<1x8x64x16xf32>
}

// -----

// A causal query tile carries explicit positions: query i of the tile is
// offset + i + (Skv - Sq) = offset + i + 32 here.
// CHECK-LABEL: func @attention_causal
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[S:.*]]) =
// CHECK: %[[BASE:.*]] = affine.apply #{{.*}}(%[[S]])
// CHECK: tensor.generate
// CHECK: arith.addi %[[BASE]]
// CHECK: kiln.attention {{.*}} positions({{.*}} : tensor<1x2x32xi32>, tensor<1x2x96xi32>) {{.*}}causal
func.func @attention_causal(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x96x16xf32>, %v: tensor<1x2x96x16xf32>, %o: tensor<1x2x64x16xf32>, %l: tensor<1x2x64xf32>) -> (tensor<1x2x64x16xf32>, tensor<1x2x64xf32>) {
  %r:2 = kiln.attention ins(%q, %k, %v : tensor<1x2x64x16xf32>, tensor<1x2x96x16xf32>, tensor<1x2x96x16xf32>) outs(%o, %l : tensor<1x2x64x16xf32>, tensor<1x2x64xf32>) {causal} -> tensor<1x2x64x16xf32>, tensor<1x2x64xf32>
  return %r#0, %r#1 : tensor<1x2x64x16xf32>, tensor<1x2x64xf32>
}

// -----

// A block-sparse query tile of 32 covers 2 query blocks of 16.
// CHECK-LABEL: func @attention_blocks
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[S:.*]]) =
// CHECK: %[[QB:.*]] = affine.apply #[[DIV16:.*]](%[[S]])
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[H]], %[[QB]], 0] [1, 2, 2, 4]
// CHECK: %[[QB2:.*]] = affine.apply #[[DIV16]](%[[S]])
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[H]], %[[QB2]]] [1, 2, 2]
// CHECK: kiln.attention {{.*}} blocks
func.func @attention_blocks(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>, %idx: tensor<1x2x4x4xi32>, %cnt: tensor<1x2x4xi32>, %o: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>) blocks(%idx, %cnt : tensor<1x2x4x4xi32>, tensor<1x2x4xi32>) outs(%o : tensor<1x2x64x16xf32>) {q_block = 16 : i64, kv_block = 16 : i64} -> tensor<1x2x64x16xf32>
  return %r : tensor<1x2x64x16xf32>
}

// -----

// A query tile that does not start on a query block is refused.
func.func @attention_blocks_misaligned(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>, %idx: tensor<1x2x2x4xi32>, %cnt: tensor<1x2x2xi32>, %o: tensor<1x2x64x16xf32>) -> tensor<1x2x64x16xf32> {
  // expected-error @+4 {{query tile must be a multiple of q_block 48}}
  // expected-error @+3 {{tiling failed}}
  // expected-error @+2 {{failed to generate tiling loops}}
  // expected-error @+1 {{to tile operation}}
  %r = kiln.attention ins(%q, %k, %v : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>) blocks(%idx, %cnt : tensor<1x2x2x4xi32>, tensor<1x2x2xi32>) outs(%o : tensor<1x2x64x16xf32>) {q_block = 48 : i64, kv_block = 16 : i64} -> tensor<1x2x64x16xf32>
  return %r : tensor<1x2x64x16xf32>
}

