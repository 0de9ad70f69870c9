//===- CpuPipeline.cpp - kiln-cpu-pipeline --------------------------------===//
#include "kiln/Pipelines/Pipelines.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

void mlir::kiln::buildCpuPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  ReferencePipelineOptions reference;
  reference.lowerToLLVM = options.lowerToLLVM;
  buildReferencePipeline(pm, reference);
}
