// kiln-cpu-parallel-forall: the outermost scf.forall becomes scf.parallel,
// foralls nested in it (or in an existing scf.parallel) become scf.for, so
// parallel regions are one level deep; a forall still on tensors is an error.
// RUN: kiln-opt %s --split-input-file --kiln-cpu-parallel-forall \
// RUN:   --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @nest
// CHECK:         scf.parallel (%[[I:.*]], %[[J:.*]]) = (%{{.*}}, %{{.*}}) to (%c8, %c6) step (%c1, %c2) {
// CHECK-NOT:       scf.forall
// CHECK:           scf.for %[[K:.*]] = %{{.*}} to %c3 step
// CHECK:             memref.store {{.*}}[%[[I]], %[[K]]]
// CHECK:           scf.reduce
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%c5) step
// CHECK-NOT:     scf.forall
func.func @nest(%m: memref<8x6xf32>) {
  %cst = arith.constant 1.0 : f32
  scf.forall (%i, %j) = (0, 0) to (8, 6) step (1, 2) {
    scf.forall (%k) in (3) {
      memref.store %cst, %m[%i, %k] : memref<8x6xf32>
    }
  }
  scf.forall (%i) in (5) {
    memref.store %cst, %m[%i, %i] : memref<8x6xf32>
  }
  return
}

// -----

// CHECK-LABEL: func.func @inside_parallel
// CHECK:         scf.parallel
// CHECK-NOT:       scf.parallel
// CHECK:           scf.for
func.func @inside_parallel(%m: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %cst = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.forall (%k) in (4) {
      memref.store %cst, %m[%i, %k] : memref<4x4xf32>
    }
  }
  return
}

// -----

func.func @tensors(%t: tensor<4xf32>) -> tensor<4xf32> {
  %cst = arith.constant 1.0 : f32
  // expected-error @+1 {{'scf.forall' op has results; kiln-cpu-parallel-forall expects bufferized code}}
  %r = scf.forall (%i) in (4) shared_outs(%o = %t) -> tensor<4xf32> {
    %s = tensor.from_elements %cst : tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i] [1] [1] : tensor<1xf32> into tensor<4xf32>
    }
  }
  return %r : tensor<4xf32>
}
