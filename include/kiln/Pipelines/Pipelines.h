//===- Pipelines.h - pass pipelines shared by every tool --------*- C++ -*-===//
#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace kiln {

struct ReferencePipelineOptions
    : public PassPipelineOptions<ReferencePipelineOptions> {
  PassOptions::Option<bool> lowerToLLVM{
      *this, "lower-to-llvm",
      llvm::cl::desc("Continue past loops to the LLVM dialect"),
      llvm::cl::init(true)};
};

/// The reference path: every kiln op through convert-kiln-to-linalg, then
/// naive loops (no tiling, no vectorization) and the LLVM dialect. It is the
/// oracle the optimized CPU pipeline is compared against.
void buildReferencePipeline(OpPassManager &pm,
                            const ReferencePipelineOptions &options);

void registerKilnPipelines();

} // namespace kiln
} // namespace mlir

#endif // KILN_PIPELINES_PIPELINES_H
