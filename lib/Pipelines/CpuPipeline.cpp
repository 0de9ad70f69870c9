//===- CpuPipeline.cpp - kiln-cpu-pipeline --------------------------------===//
//
// kiln + linalg on tensors -> LLVM dialect for one CPU:
//   0. !quant.uniform values to Kiln's storage + scale form
//      (kiln-import-quant-types); graph fusion: attention written out as ops becomes kiln.attention
//      (kiln-fuse-attention), batch_norm after conv folds into it
//      (kiln-fold-conv-bn); then the attention rewrites that ops ask for
//      (kiln.pbs, kiln.route_blocks);
//   1. kiln-tile: kiln.attention into the flash-attention loop nest over
//      kiln.online_attention tiles (skipped tiles never iterated); then every
//      kiln op through the reference lowering (convert-kiln-to-linalg);
//      kiln.matmul / qmatmul become matmul-shaped linalg ops there;
//   2. contractions: kiln-cpu-tile-and-vectorize (cache tiles in scf.forall,
//      K blocks, register tiles, vector.contract) from the CpuTarget;
//   3. one-shot bufferization (function boundaries, identity layouts),
//      deallocation, remaining linalg to loops; with parallel=true (the
//      default) outermost scf.forall loops become scf.parallel and then
//      omp.parallel + omp.wsloop (convert-scf-to-openmp), whose LLVM
//      translation calls the __kmpc_* entry points of Kiln's thread pool
//      (lib/Runtime/Parallel.cpp, linked into every artifact); nested ones
//      and, with parallel=false, all become scf.for;
//   4. kiln-cpu-plan-workspace (buffers of bounded size that do not escape
//      their block into per-thread workspace frames reused across calls;
//      the rest from the artifact's buffer pool, lib/Runtime/Memory.cpp),
//      kiln-cpu-lower-vectors (contract -> FMAs of the native width), the
//      reference pipeline's scalar lowering (math to libm/polynomials), LLVM,
//      and kiln-cpu-attach-target (triple, data layout, cpu, features).
// opt-level 0 is the reference pipeline. An unknown --mcpu is reported by
// the first pass that resolves the target, located on the module.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::kiln::buildCpuPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  if (options.optLevel == 0) {
    ReferencePipelineOptions reference;
    reference.lowerToLLVM = options.lowerToLLVM;
    reference.pooledBuffers = true; // artifacts free results to the pool
    KilnCpuRemarkSlowPathsOptions whole;
    whole.reference = true;
    pm.addPass(createKilnCpuRemarkSlowPaths(whole));
    buildReferencePipeline(pm, reference);
    return;
  }
  pm.addPass(createKilnImportQuantTypes());
  if (options.graphFusion)
    addGraphPasses(pm);
  else
    addRoutingPasses(pm); // asked for by the ops themselves
  KilnTileOptions flash;
  flash.mcpu = options.mcpu;
  if (options.attentionTiles.size() == 2) {
    flash.qTile = options.attentionTiles[0];
    flash.kvTile = options.attentionTiles[1];
  } else if (!options.attentionTiles.empty()) {
    flash.qTile = flash.kvTile = -1; // kiln-tile reports it
  }
  pm.addPass(createKilnTile(flash));
  pm.addPass(createConvertKilnToLinalg());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  KilnCpuTileAndVectorizeOptions tiling;
  tiling.mcpu = options.mcpu;
  tiling.tiles.assign(options.matmulTiles.begin(), options.matmulTiles.end());
  pm.addPass(createKilnCpuTileAndVectorize(tiling));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createKilnCpuRemarkSlowPaths()); // what stays scalar, and why

  addBufferizationPasses(pm);
  pm.addPass(createConvertLinalgToLoopsPass());
  if (options.parallel) {
    pm.addPass(createKilnCpuParallelForall());
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addPass(createKilnCpuInlineAllocaScopes());
  } else {
    pm.addPass(createForallToForLoopPass());
  }
  pm.addPass(createCanonicalizerPass());
  if (!options.lowerToLLVM)
    return;

  // Buffers of known size and lifetime into per-thread workspace frames;
  // the rest through the artifact's buffer pool (pooledBuffers below).
  pm.addPass(createKilnCpuPlanWorkspace());
  KilnCpuLowerVectorsOptions vectors;
  vectors.mcpu = options.mcpu;
  pm.addPass(createKilnCpuLowerVectors(vectors));
  VectorTransferToSCFOptions toSCF;
  toSCF.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(toSCF));
  addLowerToLLVMPasses(pm, /*pooledBuffers=*/true);
  KilnCpuAttachTargetOptions attach;
  attach.mcpu = options.mcpu;
  pm.addPass(createKilnCpuAttachTarget(attach));
}
