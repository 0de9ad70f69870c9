//===- CpuPackPanel.cpp - B-panel packing for the CPU matmul tiles --------===//
//
// See CpuPackPanel.h for why. The packing loop is written directly in the
// vector dialect on tensors (one masked row read and one store per k, or a
// kb x nr block and a transpose for a transposed B), so it bufferizes and
// lowers with the tiles it feeds.
//
//===----------------------------------------------------------------------===//
#include "CpuPackPanel.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::kiln;

std::optional<PanelOperand>
mlir::kiln::findPanelOperand(linalg::LinalgOp op, unsigned m, unsigned n,
                             unsigned k) {
  MLIRContext *ctx = op->getContext();
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (!map.isProjectedPermutation())
      continue;
    auto kRes = map.getResultPosition(getAffineDimExpr(k, ctx));
    auto nRes = map.getResultPosition(getAffineDimExpr(n, ctx));
    auto mRes = map.getResultPosition(getAffineDimExpr(m, ctx));
    if (kRes && nRes && !mRes)
      return PanelOperand{in->getOperandNumber(), *kRes, *nRes};
  }
  return std::nullopt;
}

/// Depth along K of one packing read: a row of nr for a row-major B; for a
/// transposed B (N outer), a kb x nr block read along its contiguous K.
static int64_t readDepth(const PanelOperand &b) {
  return b.nResult < b.kResult ? 16 : 1;
}

RankedTensorType mlir::kiln::packedPanelType(Type elementType,
                                             const PanelOperand &b,
                                             int64_t nc, int64_t kc,
                                             int64_t nr) {
  int64_t kb = readDepth(b);
  return RankedTensorType::get(
      {int64_t(llvm::divideCeil(nc, nr)),
       int64_t(llvm::divideCeil(kc, kb)) * kb, nr},
      elementType);
}

Value mlir::kiln::packPanel(RewriterBase &rewriter, Operation *insertionPoint,
                            Value block, const PanelOperand &b, Value into) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(insertionPoint);
  Location loc = insertionPoint->getLoc();
  auto blockType = cast<RankedTensorType>(block.getType());
  Type elt = blockType.getElementType();
  int64_t kb = readDepth(b);
  int64_t nr = cast<RankedTensorType>(into.getType()).getDimSize(2);
  Value init = into;

  MLIRContext *ctx = rewriter.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value kStep = arith::ConstantIndexOp::create(rewriter, loc, kb);
  Value pad = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(elt));
  Value kSize = tensor::DimOp::create(rewriter, loc, block, b.kResult);
  Value nSize = tensor::DimOp::create(rewriter, loc, block, b.nResult);
  Value nPanels = affine::makeComposedAffineApply(
      rewriter, loc, d0.ceilDiv(nr), {OpFoldResult(nSize)});

  unsigned rank = blockType.getRank();
  AffineMap readMap = AffineMap::get(
      rank, 0,
      {getAffineDimExpr(b.kResult, ctx), getAffineDimExpr(b.nResult, ctx)},
      ctx);
  auto vecType = VectorType::get({kb, nr}, elt);
  SmallVector<bool> readInBounds = {kb == 1, false};

  auto panelLoop = scf::ForOp::create(
      rewriter, loc, zero, nPanels, one, ValueRange{init},
      [&](OpBuilder &pb, Location l, Value panel, ValueRange panelArgs) {
        Value n0 = affine::AffineApplyOp::create(pb, l, d0 * nr, panel);
        auto kLoop = scf::ForOp::create(
            pb, l, zero, kSize, kStep, panelArgs,
            [&](OpBuilder &kbld, Location l2, Value k0, ValueRange kArgs) {
              SmallVector<Value> at(rank, zero);
              at[b.kResult] = k0;
              at[b.nResult] = n0;
              Value rows = vector::TransferReadOp::create(
                  kbld, l2, vecType, block, at, pad, readMap, readInBounds);
              Value into = vector::TransferWriteOp::create(
                               kbld, l2, rows, kArgs[0],
                               ValueRange{panel, k0, zero},
                               AffineMap::getMinorIdentityMap(3, 2, ctx),
                               ArrayRef<bool>{true, true})
                               .getResult();
              scf::YieldOp::create(kbld, l2, into);
            });
        scf::YieldOp::create(pb, l, kLoop.getResult(0));
      });
  return panelLoop.getResult(0);
}

FailureOr<linalg::LinalgOp> mlir::kiln::readPanelFromPacked(
    RewriterBase &rewriter, linalg::LinalgOp micro, const PanelOperand &b,
    unsigned nLoop, unsigned kLoop, ArrayRef<unsigned> batchLoops,
    Value packed, int64_t nr) {
  auto slice = micro->getOperand(b.operandNumber)
                   .getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || !slice.hasUnitStride())
    return failure();
  Location loc = micro.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(micro);
  SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
  OpFoldResult panel = affine::makeComposedFoldedAffineApply(
      rewriter, loc, getAffineDimExpr(0, ctx).floorDiv(nr),
      {offsets[b.nResult]});
  SmallVector<OpFoldResult> packedOffsets = {panel, offsets[b.kResult],
                                             rewriter.getIndexAttr(0)};
  SmallVector<OpFoldResult> packedSizes = {rewriter.getIndexAttr(1),
                                           sizes[b.kResult], sizes[b.nResult]};
  SmallVector<OpFoldResult> strides(3, rewriter.getIndexAttr(1));
  auto packedType = cast<RankedTensorType>(packed.getType());
  SmallVector<int64_t> staticSizes;
  SmallVector<Value> dynamicSizes;
  dispatchIndexOpFoldResults(packedSizes, dynamicSizes, staticSizes);
  auto resultType = tensor::ExtractSliceOp::inferCanonicalRankReducedResultType(
      2, packedType, staticSizes);
  Value panelSlice = tensor::ExtractSliceOp::create(
      rewriter, loc, resultType, packed, packedOffsets, packedSizes, strides);
  // Unit batch dims stay in B's map, so the op is still a contraction with
  // its batch loops (the vectorizer's contraction matcher needs them).
  SmallVector<AffineExpr> bResults;
  for (unsigned loop : batchLoops)
    bResults.push_back(getAffineDimExpr(loop, ctx));
  if (!batchLoops.empty()) {
    SmallVector<int64_t> shape(batchLoops.size(), 1);
    shape.append(resultType.getShape().begin(), resultType.getShape().end());
    SmallVector<OpFoldResult> outShape(batchLoops.size(),
                                       rewriter.getIndexAttr(1));
    outShape.push_back(sizes[b.kResult]);
    outShape.push_back(sizes[b.nResult]);
    ReassociationIndices first;
    for (int64_t i = 0; i <= int64_t(batchLoops.size()); ++i)
      first.push_back(i);
    SmallVector<ReassociationIndices> groups = {
        first, {int64_t(batchLoops.size()) + 1}};
    panelSlice = tensor::ExpandShapeOp::create(
        rewriter, loc, resultType.clone(shape), panelSlice, groups, outShape);
  }
  bResults.push_back(getAffineDimExpr(kLoop, ctx));
  bResults.push_back(getAffineDimExpr(nLoop, ctx));

  AffineMap newMap = AffineMap::get(micro.getNumLoops(), 0, bResults, ctx);
  if (micro.getIndexingMapsArray()[b.operandNumber] == newMap) {
    // B already had this layout: a named op stays named (the vectorizer
    // turns named contractions, mixed precision included, into
    // vector.contract directly).
    rewriter.modifyOpInPlace(
        micro, [&] { micro->setOperand(b.operandNumber, panelSlice); });
    return micro;
  }
  linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(micro.getOperation());
  if (!generic) {
    FailureOr<linalg::GenericOp> generalized =
        linalg::generalizeNamedOp(rewriter, micro);
    if (failed(generalized))
      return failure();
    generic = *generalized;
  }
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  maps[b.operandNumber] = newMap;
  rewriter.modifyOpInPlace(generic, [&] {
    generic->setOperand(b.operandNumber, panelSlice);
    generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
  return cast<linalg::LinalgOp>(generic.getOperation());
}

/// Packs `block` into a buffer carried by the Kc loop `kLoop`, so that one
/// buffer per cache block is reused by every K step (a fresh tensor per
/// step would be a heap allocation per step).
Value mlir::kiln::packIntoLoopCarriedPanel(RewriterBase &rewriter,
                                           scf::ForOp kLoop,
                                           Operation *before, Value block,
                                           const PanelOperand &b, int64_t nc,
                                           int64_t kc, int64_t nr) {
  rewriter.setInsertionPoint(kLoop);
  RankedTensorType type = packedPanelType(
      getElementTypeOrSelf(block.getType()), b, nc, kc, nr);
  Value empty = tensor::EmptyOp::create(rewriter, kLoop.getLoc(),
                                        type.getShape(),
                                        type.getElementType());
  FailureOr<LoopLikeOpInterface> carried =
      cast<LoopLikeOpInterface>(kLoop.getOperation())
          .replaceWithAdditionalYields(
              rewriter, ValueRange{empty},
              /*replaceInitOperandUsesInLoop=*/false,
              [](OpBuilder &, Location, ArrayRef<BlockArgument> args) {
                return SmallVector<Value>{args.back()};
              });
  if (failed(carried))
    return Value();
  auto loop = cast<scf::ForOp>(carried->getOperation());
  Value packed =
      packPanel(rewriter, before, block, b, loop.getRegionIterArgs().back());
  Operation *yield = loop.getBody()->getTerminator();
  rewriter.modifyOpInPlace(yield, [&] {
    yield->setOperand(yield->getNumOperands() - 1, packed);
  });
  return packed;
}
