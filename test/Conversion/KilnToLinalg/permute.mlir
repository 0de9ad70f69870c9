// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// kiln.permute: a gather generic (tensor.extract at the indexed sequence
// position). kiln.unpermute: the inverse permutation scattered with scf
// loops (tensor.insert), then the same gather.

// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @permute
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x7x5xf32>, %[[I:[^:]*]]: tensor<2x3x7xi32>, %[[O:[^:]*]]: tensor<2x3x7x5xf32>)
// CHECK-NOT: kiln.permute
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IDX]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x3x7xi32>) outs(%[[O]] : tensor<2x3x7x5xf32>)
// CHECK: ^bb0(%[[S:.*]]: i32, %{{.*}}: f32):
// CHECK:   %[[B:.*]] = linalg.index 0
// CHECK:   %[[H:.*]] = linalg.index 1
// CHECK:   %[[P:.*]] = arith.index_cast %[[S]] : i32 to index
// CHECK:   %[[E:.*]] = linalg.index 3
// CHECK:   %[[V:.*]] = tensor.extract %[[X]][%[[B]], %[[H]], %[[P]], %[[E]]]
// CHECK:   linalg.yield %[[V]]
// CHECK: return %[[R]]
func.func @permute(%x: tensor<2x3x7x5xf32>, %i: tensor<2x3x7xi32>, %o: tensor<2x3x7x5xf32>) -> tensor<2x3x7x5xf32> {
  %r = kiln.permute %x by %i : tensor<2x3x7x5xf32>, tensor<2x3x7xi32> outs(%o : tensor<2x3x7x5xf32>) -> tensor<2x3x7x5xf32>
  return %r : tensor<2x3x7x5xf32>
}

// -----

// CHECK-LABEL: func.func @unpermute_dynamic
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x3x?xbf16>, %[[I:[^:]*]]: tensor<?x3x?xi64>, %[[O:[^:]*]]: tensor<?x3x?xbf16>)
// CHECK-NOT: kiln.unpermute
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[I]], %c0
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[I]], %c2
// CHECK: %[[E:.*]] = tensor.empty(%[[B]], %[[S]]) : tensor<?x3x?xindex>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : index) outs(%[[E]] : tensor<?x3x?xindex>)
// CHECK: %[[INV:.*]] = scf.for %[[IB:.*]] = %{{.*}} to %[[B]] step %{{.*}} iter_args(%{{.*}} = %[[Z]])
// CHECK:   scf.for %[[IH:.*]] = %{{.*}} to %c3 step
// CHECK:     scf.for %[[IS:.*]] = %{{.*}} to %[[S]] step %{{.*}} iter_args(%[[T:.*]] = %{{.*}})
// CHECK:       %[[J:.*]] = tensor.extract %[[I]][%[[IB]], %[[IH]], %[[IS]]]
// CHECK:       %[[JI:.*]] = arith.index_cast %[[J]] : i64 to index
// CHECK:       tensor.insert %[[IS]] into %[[T]][%[[IB]], %[[IH]], %[[JI]]]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[INV]] : tensor<?x3x?xindex>) outs(%[[O]] : tensor<?x3x?xbf16>)
// CHECK: ^bb0(%[[P:.*]]: index, %{{.*}}: bf16):
// CHECK:   tensor.extract %[[X]][%{{.*}}, %{{.*}}, %[[P]]]
// CHECK: return %[[R]]
func.func @unpermute_dynamic(%x: tensor<?x3x?xbf16>, %i: tensor<?x3x?xi64>, %o: tensor<?x3x?xbf16>) -> tensor<?x3x?xbf16> {
  %r = kiln.unpermute %x by %i : tensor<?x3x?xbf16>, tensor<?x3x?xi64> outs(%o : tensor<?x3x?xbf16>) -> tensor<?x3x?xbf16>
  return %r : tensor<?x3x?xbf16>
}
