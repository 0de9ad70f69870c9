// kiln-permute-block-sparse (PBS): last-block key scores, within-segment
// ranks, K/V permuted by unpermute(iota, rank), block_select {threshold}
// with positions, block-sparse causal attention with positions.
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-permute-block-sparse="block-size=32 segment-size=64" \
// RUN:   | FileCheck %s
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-permute-block-sparse="block-size=32 segment-size=64 threshold=0.5 sink=false all=true" \
// RUN:   | FileCheck %s --check-prefix=OPTS
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-permute-block-sparse="block-size=32 segment-size=64 min-seq-len=512" \
// RUN:   | FileCheck %s --check-prefix=MIN

// CHECK-LABEL: func.func @pbs
// CHECK-SAME:    (%[[Q:[^:]*]]: tensor<1x4x300x16xf32>, %[[K:[^:]*]]: tensor<1x2x300x16xf32>, %[[V:[^:]*]]: tensor<1x2x300x16xf32>
//                The last 32 queries score the keys.
// CHECK:         %[[QL:.*]] = tensor.extract_slice %[[Q]][0, 0, 268, 0] [1, 4, 32, 16]
// CHECK:         linalg.generic {{.*}} ins(%[[QL]], %[[K]] :
//                Keys past the last complete segment (256) get -inf.
// CHECK:         arith.cmpi slt, %{{.*}}, %c256
// CHECK:         kiln.softmax {{.*}} {dimension = 3 : i64}
//                Summed over the 2 query heads of each KV head.
// CHECK:         %[[SCORE:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x300xf32>)
// CHECK:         %[[PAD:.*]] = tensor.pad %[[SCORE]] low[0, 0, 0] high[0, 0, 20]
//                Ranks: compares within the segment of each key.
// CHECK:         linalg.generic {{.*}} ins(%[[PAD]], %[[SCORE]], %{{.*}} : tensor<1x2x320xf32>, tensor<1x2x300xf32>, tensor<64xf32>)
// CHECK:         arith.cmpf ogt
// CHECK:         %[[IDX:.*]] = kiln.unpermute %{{.*}} by %{{.*}} : tensor<1x2x300xi32>, tensor<1x2x300xi32>
// CHECK:         %[[KP:.*]] = kiln.permute %[[K]] by %[[IDX]]
// CHECK:         %[[VP:.*]] = kiln.permute %[[V]] by %[[IDX]]
// CHECK:         %[[QPOS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x300xi32>)
// CHECK:         %[[SEL:.*]]:2 = kiln.block_select ins(%[[Q]], %[[KP]] : {{.*}}) positions(%[[IDX]] : tensor<1x2x300xi32>) outs({{.*}} : tensor<1x2x10x10xi32>, tensor<1x2x10xi32>) {causal, kv_block = 32 : i64, mode = #kiln<select_mode threshold>, q_block = 32 : i64, segment = 64 : i64, sink, threshold = 0.899999976 : f32}
// CHECK:         kiln.attention ins(%[[Q]], %[[KP]], %[[VP]] : {{.*}}) blocks(%[[SEL]]#0, %[[SEL]]#1 : {{.*}}) positions(%[[QPOS]], %[[IDX]] : {{.*}}) {{.*}} {causal, kv_block = 32 : i64, q_block = 32 : i64}
// OPTS-LABEL: func.func @pbs
// OPTS:         kiln.block_select {{.*}} {causal, kv_block = 32 : i64, mode = #kiln<select_mode threshold>, q_block = 32 : i64, segment = 64 : i64, threshold = 5.000000e-01 : f32}
// MIN-LABEL: func.func @pbs
// MIN-NOT:     kiln.block_select
func.func @pbs(%q: tensor<1x4x300x16xf32>, %k: tensor<1x2x300x16xf32>,
               %v: tensor<1x2x300x16xf32>, %o: tensor<1x4x300x16xf32>)
    -> tensor<1x4x300x16xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x4x300x16xf32>,
         tensor<1x2x300x16xf32>, tensor<1x2x300x16xf32>)
       outs(%o : tensor<1x4x300x16xf32>) {causal, kiln.pbs}
       -> tensor<1x4x300x16xf32>
  return %r : tensor<1x4x300x16xf32>
}

// -----

// At most one segment of keys: dense (the reference code's fallback).
// CHECK-LABEL: func.func @one_segment
// CHECK-NOT:     kiln.permute
// CHECK:         kiln.attention {{.*}} {causal}
func.func @one_segment(%q: tensor<1x1x64x8xf32>, %o: tensor<1x1x64x8xf32>)
    -> tensor<1x1x64x8xf32> {
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x64x8xf32>,
         tensor<1x1x64x8xf32>, tensor<1x1x64x8xf32>)
       outs(%o : tensor<1x1x64x8xf32>) {causal, kiln.pbs}
       -> tensor<1x1x64x8xf32>
  return %r : tensor<1x1x64x8xf32>
}

// -----

// Unmarked: dense unless all=true; a chunk of queries (Sq < Skv) has query
// positions i + 200.
// CHECK-LABEL: func.func @chunk
// CHECK-NOT:     kiln.permute
// OPTS-LABEL: func.func @chunk
// OPTS:         arith.constant 200 : i32
// OPTS:         kiln.block_select {{.*}} -> tensor<1x1x4x10xi32>, tensor<1x1x4xi32>
func.func @chunk(%q: tensor<1x1x100x8xf32>, %k: tensor<1x1x300x8xf32>,
                 %o: tensor<1x1x100x8xf32>) -> tensor<1x1x100x8xf32> {
  %r = kiln.attention ins(%q, %k, %k : tensor<1x1x100x8xf32>,
         tensor<1x1x300x8xf32>, tensor<1x1x300x8xf32>)
       outs(%o : tensor<1x1x100x8xf32>) {causal} -> tensor<1x1x100x8xf32>
  return %r : tensor<1x1x100x8xf32>
}
