// kiln-cpu-pipeline options: opt-level=0 is the reference path (no vectors),
// lower-to-llvm=false stops at memrefs, loops and vectors, matmul-tiles sets
// the cache tiles (Mc, Nc, Kc) of the matmul fast path (with parallel=false,
// so the block loop stays an scf.for; cpu-parallel.mlir covers parallel).
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 opt-level=0" \
// RUN:   | FileCheck %s --check-prefix=O0
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 lower-to-llvm=false" \
// RUN:   | FileCheck %s --check-prefix=NOLLVM
// RUN: kiln-opt %s --kiln-cpu-pipeline="mcpu=x86-64-v3 lower-to-llvm=false matmul-tiles=48,64,32 parallel=false" \
// RUN:   | FileCheck %s --check-prefix=TILES

func.func @matmul(%a: tensor<96x128xf32>, %b: tensor<128x64xf32>)
    -> tensor<96x64xf32> {
  %i = tensor.empty() : tensor<96x64xf32>
  %c = kiln.matmul ins(%a, %b : tensor<96x128xf32>, tensor<128x64xf32>)
       outs(%i : tensor<96x64xf32>) -> tensor<96x64xf32>
  return %c : tensor<96x64xf32>
}

// O0-LABEL: llvm.func @matmul
// O0-NOT:     vector<
// O0:         llvm.fmul {{.*}} : f32
// O0-NOT:     vector<

// NOLLVM-LABEL: func.func @matmul
// NOLLVM-SAME:    memref<96x128xf32>
// NOLLVM:         scf.for
// NOLLVM:           vector.contract {{.*}} vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
// NOLLVM-NOT:     llvm.

// The forall over 48x64 blocks became a loop 0..96 step 48 (the single
// N block folds away); K blocks of 32; register tiles 6x16 inside.
// TILES-LABEL: func.func @matmul
// TILES-DAG:     %[[C48:.*]] = arith.constant 48 : index
// TILES-DAG:     %[[C32:.*]] = arith.constant 32 : index
// TILES-DAG:     %[[C96:.*]] = arith.constant 96 : index
// TILES:         scf.for %{{.*}} = %{{.*}} to %[[C96]] step %[[C48]]
// TILES:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C32]]
// TILES:             scf.for %{{.*}} = %{{.*}} to %[[C48]] step
// TILES:               vector.contract {{.*}} into vector<6x16xf32>
