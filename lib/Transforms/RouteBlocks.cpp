//===- RouteBlocks.cpp - kiln-route-blocks: MoBA top-k routing ------------===//
//
// attention {causal} -> block_select {top_k, causal} + attention {causal,
// blocks}: the selection and the block-sparse attention are both kiln ops,
// so the reference lowering states the numerics and kiln-tile skips every
// unlisted block.
//
//===----------------------------------------------------------------------===//
#include "BlockSparseRewrite.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNROUTEBLOCKS
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kMarker = "kiln.route_blocks";

/// The list capacity that block_select's verifier accepts for top-k with
/// equal block sizes: the forced block(s) plus the rest of k, at most the
/// number of key blocks when Skv is static.
int64_t listCapacity(int64_t k, int64_t block, int64_t skv) {
  int64_t cap = std::max<int64_t>(k, 1 + llvm::divideCeil(block - 1, block));
  if (!ShapedType::isDynamic(skv))
    cap = std::min<int64_t>(cap, llvm::divideCeil(skv, block));
  return std::max<int64_t>(cap, 1);
}

void route(RewriterBase &rewriter, AttentionOp op, int64_t block, int64_t k) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value q = op.getQuery();
  auto qType = cast<RankedTensorType>(q.getType());
  int64_t skv = cast<RankedTensorType>(op.getKey().getType()).getDimSize(2);
  SmallVector<int64_t> cntShape = {qType.getDimSize(0), qType.getDimSize(1),
                                   ShapedType::kDynamic};
  SmallVector<Value> dyn;
  if (qType.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(rewriter, loc, q, 0));
  if (!qType.isDynamicDim(2)) {
    cntShape[2] = llvm::divideCeil(qType.getDimSize(2), block);
  } else {
    Value sq = tensor::DimOp::create(rewriter, loc, q, 2);
    Value bs = arith::ConstantIndexOp::create(rewriter, loc, block);
    dyn.push_back(arith::CeilDivUIOp::create(rewriter, loc, sq, bs));
  }
  SmallVector<int64_t> idxShape(cntShape);
  idxShape.push_back(listCapacity(k, block, skv));
  Value idx0 = emptyI32(rewriter, loc, idxShape, dyn);
  Value cnt0 = emptyI32(rewriter, loc, cntShape, dyn);
  auto select = BlockSelectOp::create(
      rewriter, loc, TypeRange{idx0.getType(), cnt0.getType()}, q,
      op.getKey(), /*k_positions=*/Value(), ValueRange{idx0, cnt0},
      BlockSelectMode::TopK, block, block, rewriter.getI64IntegerAttr(k),
      /*threshold=*/nullptr, /*segment=*/0, /*causal=*/true, /*sink=*/false,
      op.getScaleAttr());
  replaceWithBlockSparse(rewriter, op, op.getKey(), op.getValue(),
                         select.getResult(0), select.getResult(1), Value(),
                         Value(), block);
}

struct KilnRouteBlocks
    : public kiln::impl::KilnRouteBlocksBase<KilnRouteBlocks> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize <= 0 || topK <= 0) {
      module.emitError("kiln-route-blocks: block-size and top-k must be > 0");
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) {
      if (selectedForRouting(op, kMarker, all))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      bool marked = op->hasAttr(kMarker);
      op->removeAttr(kMarker);
      if (belowMinSeqLen(op, minSeqLen))
        continue;
      std::string why = routingObstacle(op);
      if (!why.empty()) {
        if (!marked)
          continue; // `all`: such ops stay dense
        op.emitError() << "kiln-route-blocks: cannot route this attention: "
                       << why;
        return signalPassFailure();
      }
      route(rewriter, op, blockSize, topK);
    }
  }
};
} // namespace
