// kiln-cpu-lower-vectors: a masked row reduction (the vectorizer masks the
// last piece of a row and reads its masked-off lanes as poison) reduces
// select(mask, x, identity): -inf for a max, +inf for a min, 0 for a sum.
// RUN: kiln-opt %s --split-input-file --kiln-cpu-lower-vectors=mcpu=x86-64-v3 \
// RUN:   | FileCheck %s

// CHECK-LABEL: func.func @row_max
// CHECK-DAG:     %[[NEG:.*]] = arith.constant dense<0xFF800000> : vector<1x8xf32>
// CHECK-DAG:     %[[M:.*]] = arith.constant dense<{{\[\[}}true, true, true, false, false, false, false, false]]> : vector<1x8xi1>
// CHECK:         arith.select %[[M]], %{{.*}}, %[[NEG]]
// CHECK-NOT:     vector.mask
// CHECK:         vector.reduction <maximumf>
func.func @row_max(%x: vector<1x16xf32>, %acc: vector<1xf32>) -> vector<1xf32> {
  %m = vector.constant_mask [1, 3] : vector<1x16xi1>
  %r = vector.mask %m { vector.multi_reduction <maximumf>, %x, %acc [1] : vector<1x16xf32> to vector<1xf32> } : vector<1x16xi1> -> vector<1xf32>
  return %r : vector<1xf32>
}

// -----

// CHECK-LABEL: func.func @row_min
// CHECK:         arith.constant dense<0x7F800000>
// CHECK:         arith.select
// CHECK-NOT:     vector.mask
// CHECK:         vector.reduction <minimumf>
func.func @row_min(%x: vector<1x16xf32>, %acc: vector<1xf32>, %m: vector<1x16xi1>) -> vector<1xf32> {
  %r = vector.mask %m { vector.multi_reduction <minimumf>, %x, %acc [1] : vector<1x16xf32> to vector<1xf32> } : vector<1x16xi1> -> vector<1xf32>
  return %r : vector<1xf32>
}

// -----

// CHECK-LABEL: func.func @row_sum_i32
// CHECK:         arith.constant dense<0>
// CHECK:         arith.select
// CHECK-NOT:     vector.mask
// CHECK:         vector.reduction <add>
func.func @row_sum_i32(%x: vector<1x16xi32>, %acc: vector<1xi32>, %m: vector<1x16xi1>) -> vector<1xi32> {
  %r = vector.mask %m { vector.multi_reduction <add>, %x, %acc [1] : vector<1x16xi32> to vector<1xi32> } : vector<1x16xi1> -> vector<1xi32>
  return %r : vector<1xi32>
}
