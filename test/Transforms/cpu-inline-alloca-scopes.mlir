// RUN: kiln-opt %s --kiln-cpu-inline-alloca-scopes --split-input-file | FileCheck %s

// The scope convert-scf-to-openmp puts around a parallel body: no alloca,
// a call of unknown effects (which stops the canonicalizer) and an scf.if
// that convert-scf-to-cf would split into blocks. It is inlined.
// CHECK-LABEL: func.func @no_alloca
// CHECK-NOT: memref.alloca_scope
// CHECK: omp.loop_nest
// CHECK-NEXT: memref.alloc()
// CHECK-NEXT: func.call @opaque
// CHECK-NEXT: scf.if
// CHECK: memref.dealloc
// CHECK-NEXT: omp.yield
func.func private @opaque(memref<16xf32>)
func.func @no_alloca(%n: index, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.alloca_scope {
          %b = memref.alloc() : memref<16xf32>
          func.call @opaque(%b) : (memref<16xf32>) -> ()
          scf.if %c {
            func.call @opaque(%b) : (memref<16xf32>) -> ()
          }
          memref.dealloc %b : memref<16xf32>
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A scope that holds a stack allocation keeps it, as does one with results.
// CHECK-LABEL: func.func @kept
// CHECK: memref.alloca_scope {
// CHECK-NEXT: memref.alloca()
// CHECK: memref.alloca_scope -> (index)
func.func private @use(memref<4xf32>)
func.func @kept() -> index {
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    func.call @use(%a) : (memref<4xf32>) -> ()
  }
  %r = memref.alloca_scope -> (index) {
    %c = arith.constant 3 : index
    memref.alloca_scope.return %c : index
  }
  return %r : index
}

// -----

// An alloca inside a nested scope belongs to that scope: the outer one is
// inlined, the inner one kept.
// CHECK-LABEL: func.func @nested
// CHECK-NEXT: memref.alloca_scope {
// CHECK-NEXT: memref.alloca()
// CHECK-NOT: memref.alloca_scope
func.func @nested() {
  memref.alloca_scope {
    memref.alloca_scope {
      %a = memref.alloca() : memref<4xf32>
      func.call @use(%a) : (memref<4xf32>) -> ()
    }
  }
  return
}
func.func private @use(memref<4xf32>)
