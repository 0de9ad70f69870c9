// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// kiln.attention_merge: L = m + log sum exp(L_p - m) (-inf when m = -inf),
// then O = sum_p exp(L_p - L) O_p with -inf partials selected away.
// kiln.online_attention: s = scale QK^T + mask, m' = max(m, rowmax s),
// alpha = exp(m - m') (1 where m' = -inf), p = exp(s - m') (0 where
// m' = -inf), l' = alpha l + rowsum p, acc' = alpha acc + p V.

// CHECK-LABEL: func.func @merge
// CHECK-SAME: %[[O0:[^:]*]]: tensor<1x4x?x32xf32>, %[[O1:[^:]*]]: tensor<1x4x?x32xbf16>, %[[L0:[^:]*]]: tensor<1x4x?xf32>, %[[L1:[^:]*]]: tensor<1x4x?xf32>, %[[OI:[^:]*]]: tensor<1x4x?x32xf16>, %[[LI:[^:]*]]: tensor<1x4x?xf32>
// CHECK-NOT: kiln.attention_merge
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[L0]], %[[L1]] : tensor<1x4x?xf32>, tensor<1x4x?xf32>) outs(%[[LI]] : tensor<1x4x?xf32>)
// CHECK:   %[[M:.*]] = arith.maximumf
// CHECK:   math.exp
// CHECK:   math.exp
// CHECK:   math.log
// CHECK:   arith.cmpf oeq, %[[M]]
// CHECK:   arith.select
// CHECK: %[[O:.*]] = linalg.generic {{.*}} ins(%[[O0]], %[[O1]], %[[L0]], %[[L1]], %[[L]] : {{.*}}) outs(%[[OI]] : tensor<1x4x?x32xf16>)
// CHECK:   math.exp
// CHECK:   arith.select
// CHECK:   arith.extf %{{.*}} : bf16 to f32
// CHECK:   arith.select
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK: return %[[O]], %[[L]]
func.func @merge(%o0: tensor<1x4x?x32xf32>, %o1: tensor<1x4x?x32xbf16>,
                 %l0: tensor<1x4x?xf32>, %l1: tensor<1x4x?xf32>,
                 %oi: tensor<1x4x?x32xf16>, %li: tensor<1x4x?xf32>)
    -> (tensor<1x4x?x32xf16>, tensor<1x4x?xf32>) {
  %o, %l = kiln.attention_merge
      ins(%o0, %o1 : tensor<1x4x?x32xf32>, tensor<1x4x?x32xbf16>)
      lse(%l0, %l1 : tensor<1x4x?xf32>, tensor<1x4x?xf32>)
      outs(%oi, %li : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>)
      -> tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
  return %o, %l : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
}

// -----

// CHECK-DAG: #[[QM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[KM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[VM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @online
// CHECK-SAME: %[[Q:[^:]*]]: tensor<2x64x32xf16>, %[[K:[^:]*]]: tensor<2x16x32xf16>, %[[V:[^:]*]]: tensor<2x16x8xf16>, %[[MASK:[^:]*]]: tensor<2x64x16xf32>, %[[ACC:[^:]*]]: tensor<2x64x8xf32>, %[[MX:[^:]*]]: tensor<2x64xf32>, %[[L:[^:]*]]: tensor<2x64xf32>
// CHECK-NOT: kiln.online_attention
// CHECK: %[[QK:.*]] = linalg.generic {indexing_maps = [#[[QM]], #[[KM]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[Q]], %[[K]] : tensor<2x64x32xf16>, tensor<2x16x32xf16>) outs(%{{.*}} : tensor<2x64x16xf32>)
// CHECK: arith.constant 1.250000e-01 : f32
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[QK]], %[[MASK]] : tensor<2x64x16xf32>, tensor<2x64x16xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// The state is updated in place: the new max, sum and acc are written into
// their inits (after alpha has read the old max).
// CHECK: %[[RM:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<2x64x16xf32>) outs(%{{.*}} : tensor<2x64xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[ALPHA:.*]] = linalg.generic {{.*}} ins(%[[MX]], %[[RM]] : tensor<2x64xf32>, tensor<2x64xf32>)
// CHECK:   arith.maximumf
// CHECK:   math.exp
// CHECK:   arith.cmpf oeq
// CHECK:   arith.select %{{.*}}, %cst{{.*}}, %{{.*}} : f32
// CHECK: %[[M2:.*]] = linalg.generic {{.*}} ins(%[[RM]] : tensor<2x64xf32>) outs(%[[MX]] : tensor<2x64xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[M2]] : tensor<2x64xf32>) outs(%[[S]] : tensor<2x64x16xf32>)
// CHECK:   math.exp
// CHECK:   arith.select
// CHECK: %[[LS:.*]] = linalg.generic {{.*}} ins(%[[ALPHA]] : tensor<2x64xf32>) outs(%[[L]] : tensor<2x64xf32>)
// CHECK: %[[L2:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<2x64x16xf32>) outs(%[[LS]] : tensor<2x64xf32>)
// CHECK:   arith.addf
// CHECK: %[[AS:.*]] = linalg.generic {{.*}} ins(%[[ALPHA]] : tensor<2x64xf32>) outs(%[[ACC]] : tensor<2x64x8xf32>)
// CHECK: %[[A2:.*]] = linalg.generic {indexing_maps = [#[[QM]], #[[VM]], {{.*}}]{{.*}} ins(%[[P]], %[[V]] : tensor<2x64x16xf32>, tensor<2x16x8xf16>) outs(%[[AS]] : tensor<2x64x8xf32>)
// CHECK:   arith.extf %{{.*}} : f16 to f32
// CHECK: return %[[A2]], %[[M2]], %[[L2]]
func.func @online(%q: tensor<2x64x32xf16>, %k: tensor<2x16x32xf16>,
                  %v: tensor<2x16x8xf16>, %m: tensor<2x64x16xf32>,
                  %acc: tensor<2x64x8xf32>, %mx: tensor<2x64xf32>,
                  %l: tensor<2x64xf32>) -> (tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>) {
  %a:3 = kiln.online_attention ins(%q, %k, %v : tensor<2x64x32xf16>,
           tensor<2x16x32xf16>, tensor<2x16x8xf16>)
         mask(%m : tensor<2x64x16xf32>)
         outs(%acc, %mx, %l : tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>)
         {scale = 0.125 : f32} -> tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>
  return %a#0, %a#1, %a#2 : tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>
}

// -----

// Dynamic rows and keys (rank 2, no batch dims).
// CHECK-LABEL: func.func @online_dynamic
// CHECK-SAME: (%{{[^:]*}}: tensor<?x4xf32>, %[[K:[^:]*]]: tensor<?x4xf32>, %{{[^:]*}}: tensor<?x4xf32>, %{{[^:]*}}: tensor<?x4xf32>, %[[MX:[^:]*]]: tensor<?xf32>
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[MX]], %c0
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[K]], %c0
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
func.func @online_dynamic(%q: tensor<?x4xf32>, %k: tensor<?x4xf32>, %v: tensor<?x4xf32>,
                          %acc: tensor<?x4xf32>, %mx: tensor<?xf32>, %l: tensor<?xf32>)
    -> tensor<?x4xf32> {
  %a:3 = kiln.online_attention ins(%q, %k, %v : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>)
         outs(%acc, %mx, %l : tensor<?x4xf32>, tensor<?xf32>, tensor<?xf32>)
         {scale = 0.5 : f32} -> tensor<?x4xf32>, tensor<?xf32>, tensor<?xf32>
  return %a#0 : tensor<?x4xf32>
}
