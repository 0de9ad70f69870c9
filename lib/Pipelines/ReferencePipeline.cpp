//===- ReferencePipeline.cpp - kiln-reference-pipeline --------------------===//
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
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::kiln::addBufferizationPasses(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

void mlir::kiln::addRoutingPasses(OpPassManager &pm) {
  pm.addPass(createKilnPermuteBlockSparse());
  pm.addPass(createKilnRouteBlocks());
}

void mlir::kiln::addGraphPasses(OpPassManager &pm) {
  pm.addPass(createKilnFuseAttention());
  pm.addPass(createKilnFoldConvBN());
  addRoutingPasses(pm);
}

void mlir::kiln::buildReferencePipeline(
    OpPassManager &pm, const ReferencePipelineOptions &options) {
  pm.addPass(createKilnImportQuantTypes());
  addRoutingPasses(pm);
  pm.addPass(createConvertKilnToLinalg());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  addBufferizationPasses(pm);
  pm.addPass(createConvertLinalgToLoopsPass());
  if (!options.lowerToLLVM)
    return;
  addLowerToLLVMPasses(pm, options.pooledBuffers);
}

void mlir::kiln::addLowerToLLVMPasses(OpPassManager &pm, bool pooledBuffers) {
  // Checks on run-time data report to the runtime instead of aborting.
  pm.addPass(createKilnLowerRunTimeChecks());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(math::createMathExpandOpsPass());
  pm.addPass(createConvertMathToLibmPass());
  // bf16 conversions as integer code (round to nearest even, NaN kept):
  // with avx512bf16, LLVM 22's loop vectorizer turns a scalar loop of
  // truncf-and-store into a masked bf16 store that X86 instruction
  // selection then aborts on ("Do not know how to soft promote this
  // operator's operand").
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  // A no-op on the reference path, which has no vectors.
  pm.addPass(createConvertVectorToLLVMPass());
  if (pooledBuffers) {
    FinalizeMemRefToLLVMConversionPassOptions memrefs;
    memrefs.useGenericFunctions = true;
    pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefs));
  }
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::kiln::registerKilnPipelines() {
  PassPipelineRegistration<ReferencePipelineOptions>(
      "kiln-reference-pipeline",
      "Reference lowering of kiln ops to naive loops and the LLVM dialect",
      buildReferencePipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "kiln-cpu-pipeline",
      "Kiln ops and linalg on tensors to LLVM for a CPU, tiled and vectorized",
      buildCpuPipeline);
}
