// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s
// kiln.permute: a gather generic (tensor.extract at the indexed sequence
// position, clamped to [0, S)). kiln.unpermute: the inverse permutation
// scattered with scf loops (tensor.insert), then the same gather. Both first
// check that run-time indices form a permutation (a scan marking seen
// positions, then cf.assert); constant indices are the verifier's.

// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @permute
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x7x5xf32>, %[[I:[^:]*]]: tensor<2x3x7xi32>, %[[O:[^:]*]]: tensor<2x3x7x5xf32>)
// CHECK-NOT: kiln.permute %
// CHECK: %[[SEEN:.*]] = linalg.fill ins(%false : i1) outs(%{{.*}} : tensor<2x3x7xi1>)
// CHECK: %[[SCAN:.*]]:2 = scf.for {{.*}} iter_args(%{{.*}} = %[[SEEN]], %{{.*}} = %true)
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       %[[T:.*]] = arith.index_cast
// CHECK:       arith.cmpi sge, %[[T]], %c0
// CHECK:       arith.cmpi slt, %[[T]], %c7
// CHECK:       %[[WAS:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %[[AT:.*]]] : tensor<2x3x7xi1>
// CHECK:       arith.xori %[[WAS]], %true
// CHECK:       tensor.insert %true into %{{.*}}[%{{.*}}, %{{.*}}, %[[AT]]]
// CHECK: cf.assert %[[SCAN]]#1, "kiln.permute at permute.mlir:{{[0-9]+}}:{{[0-9]+}}: the indices of some (batch, head) are not a permutation of [0, S)"
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IDX]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x3x7xi32>) outs(%[[O]] : tensor<2x3x7x5xf32>)
// CHECK: ^bb0(%[[S:.*]]: i32, %{{.*}}: f32):
// CHECK:   %[[B:.*]] = linalg.index 0
// CHECK:   %[[H:.*]] = linalg.index 1
// CHECK:   %[[P:.*]] = arith.index_cast %[[S]] : i32 to index
// CHECK:   %[[PL:.*]] = arith.minsi %[[P]]
// CHECK:   %[[PC:.*]] = arith.maxsi %{{.*}}, %[[PL]]
// CHECK:   %[[E:.*]] = linalg.index 3
// CHECK:   %[[V:.*]] = tensor.extract %[[X]][%[[B]], %[[H]], %[[PC]], %[[E]]]
// CHECK:   linalg.yield %[[V]]
// CHECK: return %[[R]]
func.func @permute(%x: tensor<2x3x7x5xf32>, %i: tensor<2x3x7xi32>, %o: tensor<2x3x7x5xf32>) -> tensor<2x3x7x5xf32> {
  %r = kiln.permute %x by %i : tensor<2x3x7x5xf32>, tensor<2x3x7xi32> outs(%o : tensor<2x3x7x5xf32>) -> tensor<2x3x7x5xf32>
  return %r : tensor<2x3x7x5xf32>
}

// -----

// CHECK-LABEL: func.func @unpermute_dynamic
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x3x?xbf16>, %[[I:[^:]*]]: tensor<?x3x?xi64>, %[[O:[^:]*]]: tensor<?x3x?xbf16>)
// CHECK-NOT: kiln.unpermute %
// CHECK: tensor.empty({{.*}}) : tensor<?x3x?xi1>
// CHECK: cf.assert %{{.*}}#1, "kiln.unpermute at permute.mlir:{{[0-9]+}}:{{[0-9]+}}: the indices of some (batch, head) are not a permutation of [0, S)"
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[I]], %c0
// CHECK-DAG: %[[S:.*]] = tensor.dim %[[I]], %c2
// CHECK: %[[E:.*]] = tensor.empty(%[[B]], %[[S]]) : tensor<?x3x?xindex>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : index) outs(%[[E]] : tensor<?x3x?xindex>)
// CHECK: %[[INV:.*]] = scf.for %[[IB:.*]] = %{{.*}} to %[[B]] step %{{.*}} iter_args(%{{.*}} = %[[Z]])
// CHECK:   scf.for %[[IH:.*]] = %{{.*}} to %c3{{[_0-9]*}} step
// CHECK:     scf.for %[[IS:.*]] = %{{.*}} to %[[S]] step %{{.*}} iter_args(%[[T:.*]] = %{{.*}})
// CHECK:       %[[J:.*]] = tensor.extract %[[I]][%[[IB]], %[[IH]], %[[IS]]]
// CHECK:       %[[JI:.*]] = arith.index_cast %[[J]] : i64 to index
// CHECK:       %[[JL:.*]] = arith.minsi %[[JI]]
// CHECK:       %[[JC:.*]] = arith.maxsi %{{.*}}, %[[JL]]
// CHECK:       tensor.insert %[[IS]] into %[[T]][%[[IB]], %[[IH]], %[[JC]]]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[INV]] : tensor<?x3x?xindex>) outs(%[[O]] : tensor<?x3x?xbf16>)
// CHECK: ^bb0(%[[P:.*]]: index, %{{.*}}: bf16):
// CHECK:   %[[PL:.*]] = arith.minsi %[[P]]
// CHECK:   %[[PC:.*]] = arith.maxsi %{{.*}}, %[[PL]]
// CHECK:   tensor.extract %[[X]][%{{.*}}, %{{.*}}, %[[PC]]]
// CHECK: return %[[R]]
func.func @unpermute_dynamic(%x: tensor<?x3x?xbf16>, %i: tensor<?x3x?xi64>, %o: tensor<?x3x?xbf16>) -> tensor<?x3x?xbf16> {
  %r = kiln.unpermute %x by %i : tensor<?x3x?xbf16>, tensor<?x3x?xi64> outs(%o : tensor<?x3x?xbf16>) -> tensor<?x3x?xbf16>
  return %r : tensor<?x3x?xbf16>
}

// -----

// Constant indices were checked by the verifier: no run-time scan.
// CHECK-LABEL: func.func @permute_constant
// CHECK-NOT: cf.assert
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @permute_constant(%x: tensor<1x1x3x2xf32>, %o: tensor<1x1x3x2xf32>) -> tensor<1x1x3x2xf32> {
  %i = arith.constant dense<[[[2, 0, 1]]]> : tensor<1x1x3xi32>
  %r = kiln.permute %x by %i : tensor<1x1x3x2xf32>, tensor<1x1x3xi32> outs(%o : tensor<1x1x3x2xf32>) -> tensor<1x1x3x2xf32>
  return %r : tensor<1x1x3x2xf32>
}
