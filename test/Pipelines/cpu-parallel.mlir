// kiln-cpu-pipeline parallel option: by default the matmul's scf.forall over
// output blocks becomes omp.parallel + omp.wsloop (collapsed over both block
// dims), whose LLVM IR calls the __kmpc_* entry points of Kiln's thread pool
// with the outlined loop body; parallel=false keeps sequential scf.for loops
// and no OpenMP at all.
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 lower-to-llvm=false" \
// RUN:   | FileCheck %s --check-prefix=PAR
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 lower-to-llvm=false parallel=false" \
// RUN:   | FileCheck %s --check-prefix=SEQ
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3" \
// RUN:   | FileCheck %s --check-prefix=LLVMDIALECT
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 parallel=false" \
// RUN:   | FileCheck %s --check-prefix=SEQ
// RUN: kiln-compile %s --mcpu=x86-64-v3 --emit=llvm -o - \
// RUN:   | FileCheck %s --check-prefix=LLVMIR
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 opt-level=0" \
// RUN:   | FileCheck %s --check-prefix=SEQ

func.func @matmul(%a: tensor<512x300xf32>, %b: tensor<300x1024xf32>)
    -> tensor<512x1024xf32> {
  %i = tensor.empty() : tensor<512x1024xf32>
  %c = kiln.matmul ins(%a, %b : tensor<512x300xf32>, tensor<300x1024xf32>)
       outs(%i : tensor<512x1024xf32>) -> tensor<512x1024xf32>
  return %c : tensor<512x1024xf32>
}

// PAR-LABEL: func.func @matmul
// PAR-NOT:     scf.forall
// PAR-NOT:     scf.parallel
// PAR:         omp.parallel {
// PAR-NEXT:      omp.wsloop {
// PAR-NEXT:        omp.loop_nest (%{{.*}}, %{{.*}}) : index = {{.*}} collapse(2) {
// PAR:               scf.for
// PAR:                 vector.contract
// PAR:               omp.yield
// PAR:           omp.terminator

// SEQ-NOT: omp.
// SEQ-NOT: __kmpc
// SEQ-NOT: scf.parallel

// LLVMDIALECT-LABEL: llvm.func @matmul
// LLVMDIALECT:         omp.parallel
// LLVMDIALECT:           omp.wsloop
// LLVMDIALECT:             llvm.intr.fmuladd

// LLVMIR-LABEL: define {{.*}} @matmul(
// LLVMIR:         call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr {{.*}}@{{.*}}, i32 1, ptr {{.*}}@matmul..omp_par, ptr
// LLVMIR-LABEL: define internal void @matmul..omp_par(
// LLVMIR:         call void @__kmpc_for_static_init_8u(ptr {{.*}}@{{.*}}, i32 %{{.*}}, i32 34,
// LLVMIR:         call void @__kmpc_for_static_fini(
// LLVMIR:         call void @__kmpc_barrier(
// LLVMIR:         @llvm.fmuladd.v8f32
// LLVMIR-LABEL: declare {{.*}} @__kmpc_fork_call(
