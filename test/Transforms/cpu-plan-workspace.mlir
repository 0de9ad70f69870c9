// RUN: kiln-opt %s --kiln-cpu-plan-workspace --split-input-file | FileCheck %s

// Buffers whose live ranges do not overlap share bytes; ones that overlap
// do not; deallocs of placed buffers go away. Offsets are 64-byte aligned.
// CHECK-LABEL: func.func private @kiln_workspace_frame(index, index) -> memref<?xi8>
// CHECK-SAME: llvm.emit_c_interface
// CHECK-LABEL: func.func @share
// CHECK-DAG: %[[KEY:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[SIZE:.*]] = arith.constant 1064 : index
// CHECK: %[[WS:.*]] = call @kiln_workspace_frame(%[[KEY]], %[[SIZE]])
// CHECK: %[[O1:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WS]][%[[O1]]][] : memref<?xi8> to memref<256xf32>
// CHECK: %[[O2:.*]] = arith.constant 1024 : index
// CHECK: memref.view %[[WS]][%[[O2]]][] : memref<?xi8> to memref<10xf32>
// CHECK: %[[O3:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WS]][%[[O3]]][] : memref<?xi8> to memref<200xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @share(%x: f32, %i: index) -> f32 {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<10xf32>
  memref.store %x, %a[%i] : memref<256xf32>
  memref.store %x, %b[%i] : memref<10xf32>
  %y = memref.load %a[%i] : memref<256xf32>
  memref.dealloc %a : memref<256xf32>
  %z = memref.load %b[%i] : memref<10xf32>
  memref.dealloc %b : memref<10xf32>
  %c = memref.alloc() : memref<200xf32>
  memref.store %y, %c[%i] : memref<200xf32>
  %w = memref.load %c[%i] : memref<200xf32>
  memref.dealloc %c : memref<200xf32>
  %s = arith.addf %w, %z : f32
  return %s : f32
}

// -----

// A remainder tile (dynamic size with a constant bound) inside a loop is
// placed at its bound and reused every iteration; the view keeps the
// dynamic size. A buffer used through a subview in the loop lives across it.
// CHECK-LABEL: func.func @loop_tile
// CHECK: %[[WS:.*]] = call @kiln_workspace_frame(%{{.*}}, %{{.*}})
// CHECK: memref.view %[[WS]]{{.*}} : memref<?xi8> to memref<64x8xf32>
// CHECK: scf.for
// CHECK: %[[N:.*]] = arith.minsi
// CHECK: memref.view %[[WS]][%{{.*}}][%[[N]]] : memref<?xi8> to memref<?x8xf32>
// CHECK-NOT: memref.alloc
func.func @loop_tile(%n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %acc = memref.alloc() : memref<64x8xf32>
  scf.for %i = %c0 to %n step %c16 {
    %left = arith.subi %n, %i : index
    %m = arith.minsi %left, %c16 : index
    %t = memref.alloc(%m) : memref<?x8xf32>
    memref.store %x, %t[%c0, %c0] : memref<?x8xf32>
    %sv = memref.subview %acc[0, 0] [4, 8] [1, 1] : memref<64x8xf32> to memref<4x8xf32, strided<[8, 1]>>
    memref.copy %sv, %sv : memref<4x8xf32, strided<[8, 1]>> to memref<4x8xf32, strided<[8, 1]>>
    memref.dealloc %t : memref<?x8xf32>
  }
  memref.dealloc %acc : memref<64x8xf32>
  return
}

// -----

// Not placed: unbounded dynamic size, a returned buffer, a buffer carried
// into a loop, one whose pointer is taken (deallocation's alias check) and
// one under an op that may run its body on several threads at once.
// CHECK-LABEL: func.func @stay
// CHECK-NOT: kiln_workspace_frame
// CHECK-COUNT-5: memref.alloc
// CHECK: return
func.func @stay(%n: index, %x: f32) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %u = memref.alloc(%n) : memref<?xf32>
  memref.store %x, %u[%c0] : memref<?xf32>
  memref.dealloc %u : memref<?xf32>
  %r = memref.alloc() : memref<4xf32>
  %it = memref.alloc() : memref<4xf32>
  %last = scf.for %i = %c0 to %n step %c1 iter_args(%b = %it) -> memref<4xf32> {
    scf.yield %b : memref<4xf32>
  }
  %p = memref.alloc() : memref<4xf32>
  %ptr = memref.extract_aligned_pointer_as_index %p : memref<4xf32> -> index
  memref.dealloc %p : memref<4xf32>
  scf.forall (%j) in (4) {
    %f = memref.alloc() : memref<4xf32>
    memref.store %x, %f[%j] : memref<4xf32>
    memref.dealloc %f : memref<4xf32>
  }
  return %r : memref<4xf32>
}

// -----

// Each omp.parallel region is its own frame (every thread gets the block on
// entry), numbered apart from the function's.
// CHECK-LABEL: func.func @parallel
// CHECK: %[[K0:.*]] = arith.constant 0 : index
// CHECK: call @kiln_workspace_frame(%[[K0]], %{{.*}})
// CHECK: omp.parallel
// CHECK: %[[K1:.*]] = arith.constant 1 : index
// CHECK: %[[WS1:.*]] = func.call @kiln_workspace_frame(%[[K1]], %{{.*}})
// CHECK: omp.wsloop
// CHECK: memref.view %[[WS1]]
// CHECK-NOT: memref.alloc
func.func @parallel(%x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %shared = memref.alloc() : memref<8xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%c8) step (%c1) {
        %t = memref.alloc() : memref<32xf32>
        memref.store %x, %t[%i] : memref<32xf32>
        %v = memref.load %t[%i] : memref<32xf32>
        memref.store %v, %shared[%i] : memref<8xf32>
        memref.dealloc %t : memref<32xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  memref.dealloc %shared : memref<8xf32>
  return
}
