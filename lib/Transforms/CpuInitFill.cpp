//===- CpuInitFill.cpp - C-init fills fused into the matmul tiles ---------===//
//
// See CpuInitFill.h.
//
//===----------------------------------------------------------------------===//
#include "CpuInitFill.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

using namespace mlir;
using namespace mlir::kiln;

static constexpr StringLiteral kInitFill = "kiln.cpu_init_fill";

/// The parallel cache tiles, with a linalg.fill that initializes C fused
/// into them: each thread then zeroes its own block (in parallel, and into
/// its cache) instead of one serial pass over C first. The fused fill is
/// marked kInitFill for vectorizeFills. Returns the tiled contraction.
FailureOr<Operation *>
mlir::kiln::tileAndFuseInitFill(RewriterBase &rewriter, linalg::LinalgOp op,
                    ArrayRef<std::pair<unsigned, int64_t>> sizes) {
  SmallVector<OpFoldResult> tileSizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
  for (auto [loop, size] : sizes)
    tileSizes[loop] = rewriter.getIndexAttr(size);
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(tileSizes).setLoopType(
      scf::SCFTilingOptions::LoopType::ForallOp);
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (isDestination && isa<linalg::FillOp>(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return failure();
  for (OpResult r : op->getResults())
    rewriter.replaceAllUsesWith(r, result->replacements.lookup(r));
  rewriter.eraseOp(op);
  for (Operation *fused : result->tiledAndFusedOps)
    if (isa<linalg::FillOp>(fused))
      fused->setAttr(kInitFill, rewriter.getUnitAttr());
  return result->tiledAndFusedOps.front();
}

/// Fused C fills: one row at a time (static rows become vector stores of
/// the native width after kiln-cpu-lower-vectors; dynamic ones stay loops).
LogicalResult mlir::kiln::vectorizeFills(RewriterBase &rewriter, Operation *root) {
  SmallVector<linalg::FillOp> fills;
  root->walk([&](linalg::FillOp fill) {
    if (fill->hasAttr(kInitFill))
      fills.push_back(fill);
  });
  for (linalg::FillOp fill : fills) {
    fill->removeAttr(kInitFill);
    unsigned rank = fill.getNumLoops();
    if (rank == 0)
      continue;
    SmallVector<std::pair<unsigned, int64_t>> rows;
    for (unsigned d = 0; d + 1 < rank; ++d)
      rows.push_back({d, 1});
    Operation *row = fill;
    if (!rows.empty()) {
      SmallVector<OpFoldResult> sizes(rank, rewriter.getIndexAttr(0));
      for (auto [loop, size] : rows)
        sizes[loop] = rewriter.getIndexAttr(size);
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes).setLoopType(
          scf::SCFTilingOptions::LoopType::ForOp);
      rewriter.setInsertionPoint(fill);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(fill.getOperation()), options);
      if (failed(tiled))
        return failure();
      rewriter.replaceOp(fill, tiled->replacements);
      row = tiled->tiledOps.back();
    }
    auto rowOp = cast<linalg::LinalgOp>(row);
    if (rowOp.hasDynamicShape())
      continue;
    rewriter.setInsertionPoint(rowOp);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, rowOp);
    if (succeeded(vectorized))
      rewriter.replaceOp(rowOp, vectorized->replacements);
  }
  return success();
}
