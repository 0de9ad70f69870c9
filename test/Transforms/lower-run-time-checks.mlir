// kiln-lower-run-time-checks: cf.assert becomes a failure count and message
// that the runtime reads through kiln_artifact_check_failures; a module
// without asserts is untouched.
// RUN: kiln-opt %s --split-input-file --kiln-lower-run-time-checks | FileCheck %s
// RUN: kiln-opt %S/Inputs/run-time-checks-taken.mlir --kiln-lower-run-time-checks --verify-diagnostics -o /dev/null

// CHECK-LABEL: func.func @two_checks
// CHECK-SAME:    (%[[A:.*]]: i1, %[[B:.*]]: i1)
// CHECK:         %[[T:.*]] = arith.constant true
// CHECK:         %[[NA:.*]] = arith.xori %[[A]], %[[T]] : i1
// CHECK:         scf.if %[[NA]] {
// CHECK:           %[[M0:.*]] = llvm.mlir.addressof @kiln_check_text_0 : !llvm.ptr
// CHECK:           %[[SLOT:.*]] = llvm.mlir.addressof @kiln_check_message : !llvm.ptr
// CHECK:           llvm.store %[[M0]], %[[SLOT]] atomic release {alignment = 8 : i64}
// CHECK:           %[[N:.*]] = llvm.mlir.addressof @kiln_check_failures : !llvm.ptr
// CHECK:           llvm.atomicrmw add %[[N]], %{{.*}} seq_cst : !llvm.ptr, i64
// CHECK:         }
// CHECK:         arith.xori %[[B]]
// CHECK:         llvm.mlir.addressof @kiln_check_text_1
// CHECK-NOT:     cf.assert
// CHECK:       llvm.mlir.global internal @kiln_check_failures() {{.*}} : i64
// CHECK:       llvm.mlir.global internal @kiln_check_message() {{.*}} : !llvm.ptr
// CHECK:       llvm.func @kiln_artifact_check_failures(%[[OUT:.*]]: !llvm.ptr) -> i64
// CHECK:         %[[C:.*]] = llvm.load %{{.*}} atomic acquire {alignment = 8 : i64} : !llvm.ptr -> i64
// CHECK:         %[[MSG:.*]] = llvm.load %{{.*}} atomic acquire {alignment = 8 : i64} : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.store %[[MSG]], %[[OUT]]
// CHECK:         llvm.return %[[C]] : i64
// CHECK:       llvm.mlir.global internal constant @kiln_check_text_0("index out of range\00")
// CHECK:       llvm.mlir.global internal constant @kiln_check_text_1("not a permutation\00")
module {
  func.func @two_checks(%a: i1, %b: i1) {
    cf.assert %a, "index out of range"
    cf.assert %b, "not a permutation"
    return
  }
}

// -----

// CHECK-LABEL: func.func @no_checks
// CHECK-NOT:   kiln_artifact_check_failures
module {
  func.func @no_checks(%a: f32) -> f32 {
    return %a : f32
  }
}
