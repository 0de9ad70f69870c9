// kiln-cpu-attach-target: triple and data layout on the module, the CPU and
// its features on every defined llvm.func (declarations are left alone).
// RUN: kiln-opt %s --kiln-cpu-attach-target=mcpu=x86-64-v3 | FileCheck %s

// CHECK:      module attributes
// CHECK-SAME:   llvm.data_layout = "e-m:e-
// CHECK-SAME:   llvm.target_triple = "x86_64
// CHECK:      llvm.func @decl()
// CHECK-NOT:    target_cpu
// CHECK:      llvm.func @f()
// CHECK-SAME:   target_cpu = "x86-64-v3"
// CHECK-SAME:   target_features = #llvm.target_features<[
// CHECK-SAME:   "+avx2"
// CHECK-SAME:   "+fma"
llvm.func @decl()
llvm.func @f() {
  llvm.return
}
