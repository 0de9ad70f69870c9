// kiln-tile: kiln.attention -> the flash-attention loop nest. Skipping is in
// the loop bounds: the causal KV loop stops at the tile holding the last
// query's diagonal, the window loop starts at the first visible tile, a
// block list is iterated `count` times; only boundary tiles get a mask.
// RUN: kiln-opt %s --split-input-file --kiln-tile="q-tile=64 kv-tile=32" \
// RUN:   --canonicalize --cse | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-tile="mcpu=x86-64-v3" \
// RUN:   --canonicalize --cse | FileCheck %s --check-prefix=TARGET
// RUN: not kiln-opt %s --split-input-file --kiln-tile="q-tile=-1" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD

// CHECK-LABEL: func.func @causal_gqa
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[LASTKEY:.*]] = arith.constant 199 : index
// CHECK:         scf.forall (%[[B:.*]], %[[H:.*]], %[[QT:.*]]) in (1, 4, 4)
// CHECK:           %[[Q0:.*]] = arith.muli %[[QT]], %c64
// CHECK:           %[[G:.*]] = arith.divui %[[H]], %c2
//                  Last key a query of this tile sees: q0 + qs - 1, capped.
// CHECK:           %[[HI:.*]] = arith.minsi %{{.*}}, %[[LASTKEY]]
// CHECK:           %[[LAST:.*]] = arith.floordivsi %[[HI]], %[[C32]]
// CHECK:           %[[END:.*]] = arith.addi %[[LAST]], %c1
// CHECK:           %[[TRIP:.*]] = arith.select %{{.*}}, %[[END]], %c0
// CHECK:           scf.for %[[KT:.*]] = %c0 to %[[TRIP]] step %c1
//                    Interior tiles (last key <= first query) are unmasked.
// CHECK:             %[[FULL:.*]] = arith.cmpi sle, %{{.*}}, %[[Q0]]
// CHECK:             scf.if %[[FULL]]
// CHECK:               tensor.extract_slice %{{.*}}[0, %[[G]], %{{.*}}, 0]
// CHECK:               kiln.online_attention ins({{.*}}) outs({{.*}}) {scale = 1.250000e-01 : f32}
// CHECK:             } else {
// CHECK:               linalg.generic
// CHECK:               kiln.online_attention {{.*}} mask(
// CHECK:           arith.divf
// CHECK:           math.log
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice {{.*}} into %{{.*}}[0, %[[H]], %[[Q0]], 0] [1, 1, %{{.*}}, 64]
// CHECK:             tensor.parallel_insert_slice {{.*}} into %{{.*}}[0, %[[H]], %[[Q0]]] [1, 1, %{{.*}}]
// CHECK:         } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// TARGET-LABEL: func.func @causal_gqa
// TARGET:         scf.forall {{.*}} in (1, 4, 2)
// TARGET:           arith.floordivsi %{{.*}}, %c32
func.func @causal_gqa(%q: tensor<1x4x200x64xf32>, %k: tensor<1x2x200x64xf32>,
                      %v: tensor<1x2x200x64xf32>, %o: tensor<1x4x200x64xf32>,
                      %l: tensor<1x4x200xf32>)
    -> (tensor<1x4x200x64xf32>, tensor<1x4x200xf32>) {
  %r:2 = kiln.attention ins(%q, %k, %v : tensor<1x4x200x64xf32>,
           tensor<1x2x200x64xf32>, tensor<1x2x200x64xf32>)
         outs(%o, %l : tensor<1x4x200x64xf32>, tensor<1x4x200xf32>) {causal}
         -> tensor<1x4x200x64xf32>, tensor<1x4x200xf32>
  return %r#0, %r#1 : tensor<1x4x200x64xf32>, tensor<1x4x200xf32>
}

// -----

// No structural mask: every KV tile, no mask, no scf.if; dynamic lengths.
// CHECK-LABEL: func.func @dense_dynamic
// CHECK:         scf.forall
// CHECK:           %[[SKV:.*]] = tensor.dim %{{.*}}, %c2 : tensor<2x8x?x32xbf16>
// CHECK:           scf.for
// CHECK-NOT:         scf.if
// CHECK-NOT:         mask(
// CHECK:             kiln.online_attention ins({{.*}} : tensor<?x32xbf16>, tensor<?x32xbf16>, tensor<?x32xbf16>)
// CHECK:           arith.truncf {{.*}} : f32 to bf16
func.func @dense_dynamic(%q: tensor<2x8x?x32xbf16>, %k: tensor<2x8x?x32xbf16>,
                         %v: tensor<2x8x?x32xbf16>, %o: tensor<2x8x?x32xbf16>)
    -> tensor<2x8x?x32xbf16> {
  %r = kiln.attention ins(%q, %k, %v : tensor<2x8x?x32xbf16>,
         tensor<2x8x?x32xbf16>, tensor<2x8x?x32xbf16>)
       outs(%o : tensor<2x8x?x32xbf16>) -> tensor<2x8x?x32xbf16>
  return %r : tensor<2x8x?x32xbf16>
}

// -----

// Sliding window: the KV loop starts at the tile of q0 - 512 (clamped to 0).
// CHECK-LABEL: func.func @window
// CHECK:         scf.forall
// CHECK:           %[[LO:.*]] = arith.maxsi %{{.*}}, %c0
// CHECK:           %[[BEGIN:.*]] = arith.floordivsi %[[LO]], %c32
// CHECK:           scf.for %{{.*}} = %[[BEGIN]] to
// CHECK:             scf.if
func.func @window(%q: tensor<1x1x4096x64xf32>, %k: tensor<1x1x4096x64xf32>,
                  %v: tensor<1x1x4096x64xf32>, %o: tensor<1x1x4096x64xf32>)
    -> tensor<1x1x4096x64xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x1x4096x64xf32>,
         tensor<1x1x4096x64xf32>, tensor<1x1x4096x64xf32>)
       outs(%o : tensor<1x1x4096x64xf32>) {causal, window_left = 512}
       -> tensor<1x1x4096x64xf32>
  return %r : tensor<1x1x4096x64xf32>
}

// -----

// Block-sparse: the trip count is the clamped count of this query block's
// list; each listed block's KV tiles (kv-tile 32 divides kv_block 64); the
// q tile is cut to q_block = 16.
// CHECK-LABEL: func.func @block_sparse
// CHECK:         scf.forall (%[[B:.*]], %[[H:.*]], %[[QT:.*]]) in (1, 2, 16)
// CHECK:           %[[Q0:.*]] = arith.muli %[[QT]], %c16
// CHECK:           %[[QB:.*]] = arith.floordivsi %[[Q0]], %c16
// CHECK:           %[[CNT:.*]] = tensor.extract %{{.*}}[%c0, %[[H]], %[[QB]]] : tensor<1x2x16xi32>
// CHECK:           %[[N:.*]] = arith.index_cast %[[CNT]]
// CHECK:           %[[CLAMP:.*]] = arith.minsi %[[N]], %c4
// CHECK:           %[[TRIP:.*]] = arith.maxsi %[[CLAMP]], %c0
// CHECK:           scf.for %[[E:.*]] = %c0 to %[[TRIP]] step %c1
// CHECK:             %[[BLK:.*]] = tensor.extract %{{.*}}[%c0, %[[H]], %[[QB]], %[[E]]] : tensor<1x2x16x4xi32>
// CHECK:             scf.for
// CHECK:               scf.if
// CHECK:                 kiln.online_attention
func.func @block_sparse(%q: tensor<1x2x256x32xf32>, %k: tensor<1x2x256x32xf32>,
                        %v: tensor<1x2x256x32xf32>, %bi: tensor<1x2x16x4xi32>,
                        %bc: tensor<1x2x16xi32>, %o: tensor<1x2x256x32xf32>)
    -> tensor<1x2x256x32xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x2x256x32xf32>,
         tensor<1x2x256x32xf32>, tensor<1x2x256x32xf32>)
       blocks(%bi, %bc : tensor<1x2x16x4xi32>, tensor<1x2x16xi32>)
       outs(%o : tensor<1x2x256x32xf32>)
       {causal, q_block = 16, kv_block = 64} -> tensor<1x2x256x32xf32>
  return %r : tensor<1x2x256x32xf32>
}

// -----

// Permuted tokens (positions): every visited tile is masked by positions,
// read as row and column slices of the position operands.
// CHECK-LABEL: func.func @positions
// CHECK:         scf.for
// CHECK-NOT:       scf.if
// CHECK:           %[[QP:.*]] = tensor.extract_slice %{{.*}} : tensor<1x1x128xi32> to tensor<?xi32>
// CHECK:           %[[KP:.*]] = tensor.extract_slice %{{.*}} : tensor<1x1x128xi32> to tensor<?xi32>
// CHECK:           linalg.generic {{.*}} ins(%[[QP]], %[[KP]] : tensor<?xi32>, tensor<?xi32>)
// CHECK:             arith.cmpi sle
// CHECK:           kiln.online_attention {{.*}} mask(
func.func @positions(%q: tensor<1x1x128x16xf32>, %k: tensor<1x1x128x16xf32>,
                     %v: tensor<1x1x128x16xf32>, %qp: tensor<1x1x128xi32>,
                     %kp: tensor<1x1x128xi32>, %o: tensor<1x1x128x16xf32>)
    -> tensor<1x1x128x16xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x1x128x16xf32>,
         tensor<1x1x128x16xf32>, tensor<1x1x128x16xf32>)
       positions(%qp, %kp : tensor<1x1x128xi32>, tensor<1x1x128xi32>)
       outs(%o : tensor<1x1x128x16xf32>) {causal} -> tensor<1x1x128x16xf32>
  return %r : tensor<1x1x128x16xf32>
}

// BAD: error: kiln-tile: tile sizes must be >= 0
