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
  PassOptions::Option<bool> pooledBuffers{
      *this, "pooled-buffers",
      llvm::cl::desc("memref.alloc/dealloc call the artifact runtime's "
                     "buffer pool (lib/Runtime/Memory.cpp) instead of "
                     "malloc/free"),
      llvm::cl::init(false)};
};

/// The reference path: every kiln op through convert-kiln-to-linalg, then
/// naive loops (no tiling, no vectorization) and the LLVM dialect. It is the
/// oracle the optimized CPU pipeline is compared against.
void buildReferencePipeline(OpPassManager &pm,
                            const ReferencePipelineOptions &options);

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<std::string> mcpu{
      *this, "mcpu", llvm::cl::desc("Target CPU (native, or an LLVM CPU name)"),
      llvm::cl::init("native")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level", llvm::cl::desc("0..3: 0 takes the reference path"),
      llvm::cl::init(3)};
  PassOptions::Option<bool> lowerToLLVM{
      *this, "lower-to-llvm",
      llvm::cl::desc("Continue to the LLVM dialect (else stop at loops/vectors)"),
      llvm::cl::init(true)};
  PassOptions::ListOption<int64_t> matmulTiles{
      *this, "matmul-tiles",
      llvm::cl::desc("Override the matmul tile sizes (M,N,K cache tiles)")};
  PassOptions::ListOption<int64_t> attentionTiles{
      *this, "attention-tiles",
      llvm::cl::desc("Override kiln-tile's attention tiles (queries,keys)")};
  PassOptions::Option<bool> graphFusion{
      *this, "graph-fusion",
      llvm::cl::desc("Run the graph fusions (kiln-fuse-attention, "
                     "kiln-fold-conv-bn); false measures what they buy"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run outermost scf.forall loops on Kiln's thread pool "
                     "(OpenMP dialect, kiln-cpu-parallel-forall); false: "
                     "sequential scf.for"),
      llvm::cl::init(true)};
};

/// kiln-cpu-pipeline: kiln and linalg on tensors to the LLVM dialect for the
/// CPU in `options.mcpu`, tiled and vectorized from its target description;
/// ops without a fast path go through the reference lowering.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// The approximating attention rewrites on the ops that ask for them
/// (`kiln.pbs`, `kiln.route_blocks`), with the passes' default options;
/// unmarked ops are untouched. Both pipelines run them first, so a marked op
/// means the same on every path.
void addRoutingPasses(OpPassManager &pm);

/// The graph-level rewrites of kiln-cpu-pipeline: decomposed attention to
/// kiln.attention (kiln-fuse-attention), batch_norm folded into its conv
/// (kiln-fold-conv-bn), then the routing passes.
void addGraphPasses(OpPassManager &pm);

/// One-shot bufferization (function boundaries, identity layouts), buffer
/// deallocation and bufferization-to-memref: the steps every Kiln pipeline
/// shares between tensors and memrefs.
void addBufferizationPasses(OpPassManager &pm);

/// Loops, memrefs, math and vectors to the LLVM dialect: the tail every Kiln
/// pipeline shares.
/// With `pooledBuffers`, memref.alloc/dealloc call the artifact runtime's
/// buffer pool (lib/Runtime/Memory.cpp) instead of malloc/free.
void addLowerToLLVMPasses(OpPassManager &pm, bool pooledBuffers = false);

void registerKilnPipelines();

} // namespace kiln
} // namespace mlir

#endif // KILN_PIPELINES_PIPELINES_H
