//===- CpuTileAndVectorize.cpp - kiln-cpu-tile-and-vectorize --------------===//
//
// Matmul-shaped linalg ops on tensors: scf.forall over Mc x Nc output blocks,
// scf.for over Kc blocks of K, scf.for over mr x nr register tiles (peeled),
// scf.for over k; the mr x nr x 1 op is vectorized to vector.contract and the
// accumulator's read/write is hoisted out of the k loop. The tile sizes come
// from the CpuTarget of `mcpu` (see the pass description in Passes.td).
//
//===----------------------------------------------------------------------===//
#include "CpuInitFill.h"
#include "CpuPackPanel.h"
#include "CpuVectorizeElementwise.h"
#include "kiln/Target/CpuTarget.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUTILEANDVECTORIZE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kMicroTile = "kiln.cpu_micro_tile";
constexpr StringLiteral kRegLoop = "kiln.cpu_register_loop";

/// Tile sizes of one contraction, in units of its M, N and K loops.
struct MatmulTiles {
  int64_t mc, nc, kc, mr, nr;
};

MatmulTiles chooseTiles(const CpuTarget &t, ArrayRef<int64_t> over) {
  MatmulTiles s;
  int64_t lanes = t.f32Lanes();
  s.nr = 2 * lanes;
  s.mr = std::min<int64_t>(8, (int64_t(t.numVectorRegs) - 4) / 2);
  int64_t kc = int64_t(t.l1dBytes) / 2 / (4 * (s.mr + s.nr));
  s.kc = std::clamp<int64_t>(kc / 16 * 16, 64, 512);
  int64_t quarterL2 = int64_t(t.l2Bytes) / 4 / (4 * s.kc);
  s.mc = std::clamp<int64_t>(quarterL2 / s.mr * s.mr, s.mr, 32 * s.mr);
  s.mc = std::min<int64_t>(s.mc, 256 / s.mr * s.mr);
  s.nc = std::clamp<int64_t>(quarterL2 / s.nr * s.nr, s.nr, 512);
  if (over.size() == 3) {
    s.mc = over[0];
    s.nc = over[1];
    s.kc = over[2];
  }
  return s;
}

/// The loop positions of a contraction with one M, N and K loop.
struct ContractionLoops {
  SmallVector<unsigned, 2> batch;
  unsigned m, n, k;
};

std::optional<ContractionLoops> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  auto outType = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!outType || !outType.getElementType().isF32())
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1)
    return std::nullopt;
  return ContractionLoops{llvm::to_vector(dims->batch), dims->m[0],
                          dims->n[0], dims->k[0]};
}

/// Tiles `op` with one size per listed loop (0 elsewhere).
FailureOr<scf::SCFTilingResult>
tile(RewriterBase &rewriter, Operation *op, unsigned numLoops,
     ArrayRef<std::pair<unsigned, int64_t>> sizes,
     scf::SCFTilingOptions::LoopType loopType) {
  SmallVector<OpFoldResult> tileSizes(numLoops, rewriter.getIndexAttr(0));
  for (auto [loop, size] : sizes)
    tileSizes[loop] = rewriter.getIndexAttr(size);
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes).setLoopType(loopType);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (succeeded(result))
    rewriter.replaceOp(op, result->replacements);
  return result;
}

/// B is packed (CpuPackPanel.h) unless M is so small that the register
/// tiles read each B row about once: then packing only adds a pass over B.
bool worthPacking(linalg::LinalgOp op, const ContractionLoops &l,
                  const MatmulTiles &s) {
  int64_t m = op.getStaticLoopRanges()[l.m];
  return ShapedType::isDynamic(m) || m >= 4 * s.mr;
}

/// Tiles one contraction down to mr x nr x Kc ops marked kMicroTile, in
/// register loops marked kRegLoop; B blocks are packed where worthwhile.
LogicalResult tileContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                              const ContractionLoops &l,
                              const MatmulTiles &s) {
  using LoopType = scf::SCFTilingOptions::LoopType;
  unsigned n = op.getNumLoops();
  bool pack = worthPacking(op, l, s);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<std::pair<unsigned, int64_t>> outer = {{l.m, s.mc},
                                                     {l.n, s.nc}};
  for (unsigned b : l.batch)
    outer.push_back({b, 1});
  FailureOr<Operation *> level1 = tileAndFuseInitFill(rewriter, op, outer);
  if (failed(level1))
    return failure();
  auto level2 = tile(rewriter, *level1, n, {{l.k, s.kc}},
                     LoopType::ForOp);
  if (failed(level2))
    return failure();
  auto level3 = tile(rewriter, level2->tiledOps.back(), n,
                     {{l.m, s.mr}, {l.n, s.nr}}, LoopType::ForOp);
  if (failed(level3))
    return failure();
  auto micro = cast<linalg::LinalgOp>(level3->tiledOps.back());
  std::optional<PanelOperand> b = findPanelOperand(micro, l.m, l.n, l.k);
  auto bSlice = b ? micro->getOperand(b->operandNumber)
                        .getDefiningOp<tensor::ExtractSliceOp>()
                  : nullptr;
  // A constant B (weights) is packed at compile time, whatever M is.
  Value packed = bSlice ? slicePrePackedPanel(rewriter, level3->loops.front(),
                                              bSlice.getSource(), *b, s.nc,
                                              s.kc, s.nr)
                        : Value();
  if (!packed && pack && bSlice) {
    // The buffer holds the largest block: Nc x Kc, or less for a small B.
    MatmulTiles block = s;
    if (!ShapedType::isDynamic(ranges[l.n]))
      block.nc = std::min(s.nc, ranges[l.n]);
    if (!ShapedType::isDynamic(ranges[l.k]))
      block.kc = std::min(s.kc, ranges[l.k]);
    packed = packIntoLoopCarriedPanel(
        rewriter, cast<scf::ForOp>(level2->loops.front()),
        level3->loops.front(), bSlice.getSource(), *b, block.nc, block.kc,
        block.nr);
    if (!packed)
      return failure();
  }
  if (packed) {
    FailureOr<linalg::LinalgOp> rewritten =
        readPanelFromPacked(rewriter, micro, *b, l.n, l.k, l.batch,
                            packed, s.nr);
    if (failed(rewritten))
      return failure();
    micro = *rewritten;
  }
  micro->setAttr(kMicroTile, rewriter.getUnitAttr());
  for (LoopLikeOpInterface loop : level3->loops)
    loop->setAttr(kRegLoop, rewriter.getUnitAttr());
  return success();
}

/// Peels the marked loops (inner first), so full tiles become static.
void peelMarkedLoops(RewriterBase &rewriter, Operation *root) {
  SmallVector<scf::ForOp> loops;
  root->walk([&](scf::ForOp loop) {
    if (loop->hasAttr(kRegLoop))
      loops.push_back(loop); // post-order: inner loops first
  });
  for (scf::ForOp loop : loops) {
    loop->removeAttr(kRegLoop);
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
  }
}

SmallVector<linalg::LinalgOp> markedOps(Operation *root) {
  SmallVector<linalg::LinalgOp> ops;
  root->walk([&](linalg::LinalgOp op) {
    if (op->hasAttr(kMicroTile))
      ops.push_back(op);
  });
  return ops;
}

/// Remainder register tiles (M < mr or N < nr, dynamic after peeling) are
/// padded with zeros to the full mr x nr tile (K stays as it is), so they
/// vectorize like full tiles, without masks.
LogicalResult padRemainders(RewriterBase &rewriter, Operation *root,
                            const MatmulTiles &s) {
  for (linalg::LinalgOp op : markedOps(root)) {
    std::optional<ContractionLoops> l = matchContraction(op);
    if (!l)
      continue;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (!ShapedType::isDynamic(ranges[l->m]) &&
        !ShapedType::isDynamic(ranges[l->n]))
      continue; // a full tile (K may stay dynamic)
    linalg::LinalgPaddingOptions options;
    options.setPaddingDimensions({int64_t(l->m), int64_t(l->n)});
    SmallVector<Attribute> zeros;
    for (OpOperand &operand : op->getOpOperands()) {
      Type elt = getElementTypeOrSelf(operand.get().getType());
      zeros.push_back(rewriter.getZeroAttr(elt));
      AffineMap map = op.getMatchingIndexingMap(&operand);
      for (unsigned d = 0; d < map.getNumResults(); ++d) {
        if (map.getDimPosition(d) == l->m)
          options.setSizeToPadTo(operand.getOperandNumber(), d,
                                 rewriter.getIndexAttr(s.mr));
        if (map.getDimPosition(d) == l->n)
          options.setSizeToPadTo(operand.getOperandNumber(), d,
                                 rewriter.getIndexAttr(s.nr));
      }
    }
    options.setPaddingValues(zeros);
    options.setCopyBackOp(linalg::LinalgPaddingOptions::CopyBackOp::None);
    linalg::LinalgOp padded;
    SmallVector<Value> replacements;
    SmallVector<tensor::PadOp> pads;
    rewriter.setInsertionPoint(op);
    if (failed(linalg::rewriteAsPaddedOp(rewriter, op, options, padded,
                                         replacements, pads)) ||
        replacements.size() != op->getNumResults() ||
        llvm::any_of(replacements, [](Value v) { return !v; }))
      continue; // stays a correct scalar op
    padded->setAttr(kMicroTile, rewriter.getUnitAttr());
    rewriter.replaceOp(op, replacements);
  }
  return success();
}

/// K step 1 inside every register tile, then static tiles are vectorized to
/// vector.contract (anything left dynamic stays a correct scalar op).
LogicalResult tileKAndVectorize(RewriterBase &rewriter, Operation *root) {
  for (linalg::LinalgOp op : markedOps(root)) {
    op->removeAttr(kMicroTile);
    std::optional<ContractionLoops> l = matchContraction(op);
    if (!l)
      continue;
    auto result = tile(rewriter, op, op.getNumLoops(), {{l->k, 1}},
                       scf::SCFTilingOptions::LoopType::ForOp);
    if (failed(result))
      return failure();
    auto tiled = cast<linalg::LinalgOp>(result->tiledOps.back());
    if (tiled.hasDynamicShape())
      continue;
    rewriter.setInsertionPoint(tiled);
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, tiled, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
        /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/true);
    if (succeeded(vectorized))
      rewriter.replaceOp(tiled, vectorized->replacements);
  }
  return success();
}

struct CpuTileAndVectorize
    : public kiln::impl::KilnCpuTileAndVectorizeBase<CpuTileAndVectorize> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<CpuTarget> target = resolveCpuTarget(module, mcpu);
    if (failed(target))
      return signalPassFailure();
    if (!tiles.empty() &&
        (tiles.size() != 3 || llvm::any_of(tiles, [](int64_t t) {
           return t <= 0;
         }))) {
      module.emitError() << "'tiles' must be three positive sizes Mc,Nc,Kc";
      return signalPassFailure();
    }
    MatmulTiles sizes = chooseTiles(*target, tiles);
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);

    SmallVector<std::pair<linalg::LinalgOp, ContractionLoops>> work;
    module.walk([&](linalg::LinalgOp op) {
      if (auto loops = matchContraction(op))
        work.push_back({op, *loops});
    });
    for (auto &[op, loops] : work)
      if (failed(tileContraction(rewriter, op, loops, sizes))) {
        op.emitError("kiln-cpu-tile-and-vectorize: tiling failed");
        return signalPassFailure();
      }
    peelMarkedLoops(rewriter, module);

    // Make the full tiles static (folds the peeled affine.min and the casts
    // into the tiled ops).
    RewritePatternSet canon(ctx);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(canon);
    for (RegisteredOperationName name : ctx->getRegisteredOperations())
      name.getCanonicalizationPatterns(canon, ctx);
    FrozenRewritePatternSet frozenCanon(std::move(canon));
    if (failed(applyPatternsGreedily(module, frozenCanon)) ||
        failed(padRemainders(rewriter, module, sizes)) ||
        failed(applyPatternsGreedily(module, frozenCanon)) ||
        failed(tileKAndVectorize(rewriter, module)) ||
        failed(vectorizeFills(rewriter, module)) ||
        failed(vectorizeElementwiseGenerics(rewriter, module,
                                            4 * target->f32Lanes())))
      return signalPassFailure();

    // Generic vectorization yields multi_reduction; fold it into contracts.
    RewritePatternSet toContract(ctx);
    vector::populateVectorReductionToContractPatterns(toContract);
    // Masked transfers as transfers with a mask operand: vector.mask regions
    // around ops on tensors do not survive bufferization's deallocation.
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(toContract);
    vector::populateVectorTransferPermutationMapLoweringPatterns(toContract);
    vector::TransferReadOp::getCanonicalizationPatterns(toContract, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(toContract, ctx);
    if (failed(applyPatternsGreedily(module, std::move(toContract))))
      return signalPassFailure();

    // Keep the accumulator in registers across the k loop.
    SmallVector<scf::ForOp> loops;
    module.walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops)
      (void)hoistLoopInvariantSubsets(rewriter, loop);
    module.walk([&](Operation *op) { op->removeAttr(kMicroTile); });
    (void)applyPatternsGreedily(module, frozenCanon);
  }
};
} // namespace
