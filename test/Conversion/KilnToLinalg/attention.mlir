// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// Structure of the reference lowering of kiln.attention: explicit f32
// scores, K and V read at head h / (Hq / Hkv) (never replicated), masked to
// -inf, row max, exp (0 for rows whose max is -inf), row sum, P V, divide
// (0 where the sum is 0), LSE = m + log l (-inf where l is 0).

// CHECK-DAG: #[[QMAP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @dense_gqa
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x8x16x32xf32>, %[[K:[^:]*]]: tensor<1x2x20x32xf32>, %[[V:[^:]*]]: tensor<1x2x20x24xf32>, %[[O:[^:]*]]: tensor<1x8x16x24xf32>
// CHECK-NOT: kiln.attention
// CHECK: %[[G:.*]] = arith.divui %c8, %c2 : index
// CHECK: %[[SE:.*]] = tensor.empty() : tensor<1x8x16x20xf32>
// CHECK: %[[SZ:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[SE]] : tensor<1x8x16x20xf32>)
// CHECK: %[[S:.*]] = linalg.generic {{{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[Q]] : tensor<1x8x16x32xf32>) outs(%[[SZ]] : tensor<1x8x16x20xf32>)
// CHECK:   %[[H:.*]] = linalg.index 1
// CHECK:   %[[KVH:.*]] = arith.divui %[[H]], %[[G]]
// CHECK:   tensor.extract %[[K]][%{{.*}}, %[[KVH]], %{{.*}}, %{{.*}}] : tensor<1x2x20x32xf32>
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: %[[SCALE:.*]] = arith.constant 0.176776692 : f32
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<1x8x16x20xf32>)
// CHECK:   arith.mulf %[[SCALE]]
// CHECK-NOT: arith.select
// CHECK: linalg.yield
// CHECK: %[[M:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[L]] : tensor<1x8x16x20xf32>) outs(%{{.*}} : tensor<1x8x16xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[L]], %[[M]] : tensor<1x8x16x20xf32>, tensor<1x8x16xf32>)
// CHECK:   math.exp
// CHECK:   arith.cmpf oeq, %{{.*}}, %cst{{.*}} : f32
// CHECK:   arith.select
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<1x8x16x20xf32>) outs(%{{.*}} : tensor<1x8x16xf32>)
// CHECK:   arith.addf
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[QMAP]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[P]] : tensor<1x8x16x20xf32>) outs(%{{.*}} : tensor<1x8x16x24xf32>)
// CHECK:   tensor.extract %[[V]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x20x24xf32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %[[SUM]] : tensor<1x8x16x24xf32>, tensor<1x8x16xf32>) outs(%[[O]] : tensor<1x8x16x24xf32>)
// CHECK:   arith.divf
// CHECK:   arith.cmpf oeq
// CHECK:   arith.select
// CHECK: return %[[R]]
func.func @dense_gqa(%q: tensor<1x8x16x32xf32>, %k: tensor<1x2x20x32xf32>,
                     %v: tensor<1x2x20x24xf32>, %o: tensor<1x8x16x24xf32>)
    -> tensor<1x8x16x24xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x8x16x32xf32>,
         tensor<1x2x20x32xf32>, tensor<1x2x20x24xf32>)
       outs(%o : tensor<1x8x16x24xf32>) -> tensor<1x8x16x24xf32>
  return %r : tensor<1x8x16x24xf32>
}

// -----

// f16 in and out, causal (shift Skv - Sq), window, LSE.
// CHECK-LABEL: func.func @causal_window_lse_f16
// CHECK-SAME: %[[O:[^:]*]]: tensor<1x2x4x8xf16>, %[[LI:[^:]*]]: tensor<1x2x4xf32>
// CHECK: linalg.generic
// CHECK:   arith.extf %{{.*}} : f16 to f32
// CHECK:   arith.extf %{{.*}} : f16 to f32
// CHECK: arith.constant 2.500000e-01 : f32
// CHECK: linalg.generic
// CHECK:   %[[I:.*]] = linalg.index 2
// CHECK:   %[[J:.*]] = linalg.index 3
// CHECK:   %[[SHIFT:.*]] = arith.subi %{{.*}}, %{{.*}} : i64
// CHECK:   %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK:   %[[PQ:.*]] = arith.addi %[[I64]], %[[SHIFT]] : i64
// CHECK:   %[[PK:.*]] = arith.index_cast %[[J]] : index to i64
// CHECK:   %[[C:.*]] = arith.cmpi sle, %[[PK]], %[[PQ]] : i64
// CHECK:   %[[D:.*]] = arith.subi %[[PQ]], %[[PK]] : i64
// CHECK:   %[[W:.*]] = arith.cmpi sle, %[[D]], %c3_i64 : i64
// CHECK:   %[[VIS:.*]] = arith.andi %[[C]], %[[W]] : i1
// CHECK:   arith.select %[[VIS]], %{{.*}}, %cst{{.*}} : f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} outs(%[[O]] : tensor<1x2x4x8xf16>)
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK: linalg.generic {{.*}} outs(%[[LI]] : tensor<1x2x4xf32>)
// CHECK:   math.log
// CHECK:   arith.addf
// CHECK:   arith.cmpf oeq
// CHECK:   arith.select
func.func @causal_window_lse_f16(%q: tensor<1x2x4x16xf16>, %k: tensor<1x2x9x16xf16>,
                                 %v: tensor<1x2x9x8xf16>, %o: tensor<1x2x4x8xf16>,
                                 %l: tensor<1x2x4xf32>)
    -> (tensor<1x2x4x8xf16>, tensor<1x2x4xf32>) {
  %r:2 = kiln.attention ins(%q, %k, %v : tensor<1x2x4x16xf16>, tensor<1x2x9x16xf16>,
           tensor<1x2x9x8xf16>) outs(%o, %l : tensor<1x2x4x8xf16>, tensor<1x2x4xf32>)
         {causal, window_left = 3} -> tensor<1x2x4x8xf16>, tensor<1x2x4xf32>
  return %r#0, %r#1 : tensor<1x2x4x8xf16>, tensor<1x2x4xf32>
}

// -----

// Block list per KV head, positions per query head, broadcast mask.
// CHECK-DAG: #[[MASK:.*]] = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
// CHECK-LABEL: func.func @blocks_positions_mask
// CHECK-SAME: %[[M:[^:]*]]: tensor<1x1x8x8xf32>, %[[BI:[^:]*]]: tensor<2x2x2x3xi32>, %[[BC:[^:]*]]: tensor<2x2x2xi32>, %[[QP:[^:]*]]: tensor<2x4x8xi32>, %[[KP:[^:]*]]: tensor<2x2x8xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[MASK]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[M]] : tensor<2x4x8x8xf32>, tensor<1x1x8x8xf32>)
// CHECK:   tensor.extract %[[QP]]
// CHECK:   arith.extsi %{{.*}} : i32 to i64
// CHECK:   tensor.extract %[[KP]]
// CHECK:   arith.cmpi sle
// CHECK:   %[[QB:.*]] = arith.divui %{{.*}}, %c4{{.*}} : index
// CHECK:   %[[KB:.*]] = arith.divui %{{.*}}, %c2{{.*}} : index
// CHECK:   %[[KB32:.*]] = arith.index_cast %[[KB]] : index to i32
// CHECK:   %[[CNT:.*]] = tensor.extract %[[BC]][%{{.*}}, %{{.*}}, %[[QB]]]
// CHECK:   arith.maxsi
// CHECK:   %[[N:.*]] = arith.minsi
// CHECK:   %[[FOUND:.*]] = scf.for %[[T:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[ACC:.*]] = %false) -> (i1)
// CHECK:     %[[E:.*]] = tensor.extract %[[BI]][%{{.*}}, %{{.*}}, %[[QB]], %[[T]]]
// CHECK:     %[[HIT:.*]] = arith.cmpi eq, %[[E]], %[[KB32]] : i32
// CHECK:     arith.ori %[[ACC]], %[[HIT]]
// CHECK:   arith.andi %{{.*}}, %[[FOUND]]
// CHECK:   arith.select
func.func @blocks_positions_mask(%q: tensor<2x4x8x4xf32>, %k: tensor<2x2x8x4xf32>,
    %v: tensor<2x2x8x4xf32>, %m: tensor<1x1x8x8xf32>, %bi: tensor<2x2x2x3xi32>,
    %bc: tensor<2x2x2xi32>, %qp: tensor<2x4x8xi32>, %kp: tensor<2x2x8xi32>,
    %o: tensor<2x4x8x4xf32>) -> tensor<2x4x8x4xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<2x4x8x4xf32>, tensor<2x2x8x4xf32>,
         tensor<2x2x8x4xf32>) mask(%m : tensor<1x1x8x8xf32>)
       blocks(%bi, %bc : tensor<2x2x2x3xi32>, tensor<2x2x2xi32>)
       positions(%qp, %kp : tensor<2x4x8xi32>, tensor<2x2x8xi32>)
       outs(%o : tensor<2x4x8x4xf32>) {causal, q_block = 4, kv_block = 2}
       -> tensor<2x4x8x4xf32>
  return %r : tensor<2x4x8x4xf32>
}

// -----

// Dynamic batch and sequence dims: intermediates sized with tensor.dim.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?x4x?x8xbf16>, %[[K:[^:]*]]: tensor<?x1x?x8xbf16>
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[SQ:.*]] = tensor.dim %[[Q]], %c2
// CHECK-DAG: %[[SKV:.*]] = tensor.dim %[[K]], %c2
// CHECK: tensor.empty(%[[B]], %[[SQ]], %[[SKV]]) : tensor<?x4x?x?xf32>
// CHECK: tensor.empty(%[[B]], %[[SQ]]) : tensor<?x4x?xf32>
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: -> tensor<?x4x?x8xbf16>
func.func @dynamic(%q: tensor<?x4x?x8xbf16>, %k: tensor<?x1x?x8xbf16>,
                   %v: tensor<?x1x?x8xbf16>, %o: tensor<?x4x?x8xbf16>)
    -> tensor<?x4x?x8xbf16> {
  %r = kiln.attention ins(%q, %k, %v : tensor<?x4x?x8xbf16>, tensor<?x1x?x8xbf16>,
         tensor<?x1x?x8xbf16>) outs(%o : tensor<?x4x?x8xbf16>) {causal}
       -> tensor<?x4x?x8xbf16>
  return %r : tensor<?x4x?x8xbf16>
}
