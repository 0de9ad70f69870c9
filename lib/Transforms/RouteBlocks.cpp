//===- RouteBlocks.cpp - kiln-route-blocks: MoBA top-k routing ------------===//
//
// attention {causal} -> block_select {top_k, causal} + attention {causal,
// blocks}: the selection and the block-sparse attention are both kiln ops,
// so the reference lowering states the numerics and kiln-tile skips every
// unlisted block. With split-self, MoBA's two branches: the query block's
// own block(s) (causal) and the routed history blocks, each with its LSE,
// merged by kiln.attention_merge.
//
//===----------------------------------------------------------------------===//
#include "BlockSparseRewrite.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

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

/// The forced (own) blocks of query block I, from its key-coordinate
/// positions [first, last] (first = I*block + Skv - Sq): the first one and
/// how many (0 when last < 0), as index values inside a linalg body.
std::pair<Value, Value> ownBlocks(OpBuilder &b, Location loc, Value qBlock,
                                  Value shift, Value sq, int64_t block) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value first = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, qBlock, c(block)), shift);
  Value end = arith::MinSIOp::create(
      b, loc,
      arith::MulIOp::create(
          b, loc, arith::AddIOp::create(b, loc, qBlock, c(1)), c(block)),
      sq);
  Value last = arith::SubIOp::create(
      b, loc, arith::AddIOp::create(b, loc, end, shift), c(1));
  Value lo = arith::FloorDivSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, first, c(0)), c(block));
  Value hi = arith::FloorDivSIOp::create(b, loc, last, c(block));
  Value n = arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, hi, lo),
                                  c(1));
  Value none = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, last,
                                     c(0));
  return {lo, arith::SelectOp::create(b, loc, none, c(0), n)};
}

/// MoBA's two branches merged by their LSE: the own block(s) of each query
/// block (a list of at most 2, causal) and the history (the routed list
/// without its own blocks, which sort last: history blocks end before the
/// query block starts).
void splitSelfAndHistory(RewriterBase &rewriter, AttentionOp op, Value idx,
                         Value cnt, int64_t block, ValueRange dyn) {
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Value q = op.getQuery();
  Value sq = tensor::DimOp::create(rewriter, loc, q, 2);
  Value shift = arith::SubIOp::create(
      rewriter, loc, tensor::DimOp::create(rewriter, loc, op.getKey(), 2), sq);
  auto cntType = cast<RankedTensorType>(cnt.getType());
  using IT = utils::IteratorType;
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  // History counts: the routed count minus the own blocks.
  Value histCnt =
      linalg::GenericOp::create(
          rewriter, loc, cntType, ValueRange{cnt},
          ValueRange{emptyI32(rewriter, loc, cntType.getShape(), dyn)},
          ArrayRef<AffineMap>{id3, id3}, SmallVector<IT>(3, IT::parallel),
          [&](OpBuilder &b, Location l, ValueRange a) {
            Value I = linalg::IndexOp::create(b, l, 2);
            Value own = ownBlocks(b, l, I, shift, sq, block).second;
            Value own32 = arith::IndexCastOp::create(b, l, b.getI32Type(), own);
            Value h = arith::SubIOp::create(b, l, a[0], own32);
            Value zero = arith::ConstantIntOp::create(b, l, 0, 32);
            linalg::YieldOp::create(b, l,
                                    arith::MaxSIOp::create(b, l, h, zero)
                                        .getResult());
          })
          .getResult(0);
  // Own-block lists: [first own block, first + 1], count 0..2.
  SmallVector<int64_t> selfShape(cntType.getShape());
  selfShape.push_back(2);
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  Value selfIdx =
      linalg::GenericOp::create(
          rewriter, loc, RankedTensorType::get(selfShape, rewriter.getI32Type()),
          ValueRange{}, ValueRange{emptyI32(rewriter, loc, selfShape, dyn)},
          ArrayRef<AffineMap>{id4}, SmallVector<IT>(4, IT::parallel),
          [&](OpBuilder &b, Location l, ValueRange) {
            Value I = linalg::IndexOp::create(b, l, 2);
            Value t = linalg::IndexOp::create(b, l, 3);
            Value lo = ownBlocks(b, l, I, shift, sq, block).first;
            Value j = arith::AddIOp::create(b, l, lo, t);
            linalg::YieldOp::create(
                b, l,
                arith::IndexCastOp::create(b, l, b.getI32Type(), j).getResult());
          })
          .getResult(0);
  Value selfCnt =
      linalg::GenericOp::create(
          rewriter, loc, cntType, ValueRange{},
          ValueRange{emptyI32(rewriter, loc, cntType.getShape(), dyn)},
          ArrayRef<AffineMap>{id3}, SmallVector<IT>(3, IT::parallel),
          [&](OpBuilder &b, Location l, ValueRange) {
            Value I = linalg::IndexOp::create(b, l, 2);
            Value own = ownBlocks(b, l, I, shift, sq, block).second;
            linalg::YieldOp::create(
                b, l,
                arith::IndexCastOp::create(b, l, b.getI32Type(), own)
                    .getResult());
          })
          .getResult(0);

  // Each branch in f32 with its LSE.
  auto oType = cast<RankedTensorType>(op.getOutput().getType());
  auto oF32 = oType.clone(rewriter.getF32Type());
  auto lType = RankedTensorType::get(oType.getShape().drop_back(),
                                     rewriter.getF32Type());
  SmallVector<Value> oDyn, lDyn;
  for (int64_t d = 0; d < oType.getRank(); ++d)
    if (oType.isDynamicDim(d)) {
      Value v = tensor::DimOp::create(rewriter, loc, op.getOutput(), d);
      oDyn.push_back(v);
      if (d + 1 < oType.getRank())
        lDyn.push_back(v);
    }
  auto branch = [&](Value list, Value counts) {
    Value oInit = tensor::EmptyOp::create(rewriter, loc, oF32.getShape(),
                                          oF32.getElementType(), oDyn);
    Value lInit = tensor::EmptyOp::create(rewriter, loc, lType.getShape(),
                                          lType.getElementType(), lDyn);
    return AttentionOp::create(
        rewriter, loc, TypeRange{oF32, lType}, q, op.getKey(), op.getValue(),
        Value(), list, counts, Value(), Value(), ValueRange{oInit, lInit},
        op.getScaleAttr(), rewriter.getUnitAttr(), nullptr, nullptr,
        rewriter.getI64IntegerAttr(block), rewriter.getI64IntegerAttr(block));
  };
  AttentionOp self = branch(selfIdx, selfCnt);
  AttentionOp history = branch(idx, histCnt);
  SmallVector<Value> outs(op.getOuts());
  if (outs.size() == 1)
    outs.push_back(tensor::EmptyOp::create(rewriter, loc, lType.getShape(),
                                           lType.getElementType(), lDyn));
  auto merged = AttentionMergeOp::create(
      rewriter, loc, TypeRange{outs[0].getType(), outs[1].getType()},
      ValueRange{self.getResult(0), history.getResult(0)},
      ValueRange{self.getResult(1), history.getResult(1)}, outs);
  rewriter.replaceOp(
      op, merged->getResults().take_front(op->getNumResults()));
}

void route(RewriterBase &rewriter, AttentionOp op, int64_t block, int64_t k,
           float threshold, bool splitSelf) {
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
  bool causal = op.getCausal();
  if (!causal) // VMoBA's relative threshold can keep every block
    idxShape.back() = llvm::divideCeil(skv, block);
  Value idx0 = emptyI32(rewriter, loc, idxShape, dyn);
  Value cnt0 = emptyI32(rewriter, loc, cntShape, dyn);
  auto select = BlockSelectOp::create(
      rewriter, loc, TypeRange{idx0.getType(), cnt0.getType()}, q,
      op.getKey(), /*k_positions=*/Value(), ValueRange{idx0, cnt0},
      causal ? BlockSelectMode::TopK : BlockSelectMode::Relative, block,
      block, causal ? rewriter.getI64IntegerAttr(k) : nullptr,
      causal ? nullptr : rewriter.getF32FloatAttr(threshold),
      /*segment=*/0, causal, /*sink=*/false, op.getScaleAttr());
  // split-self takes causal ops only: there the history blocks all precede
  // the own ones in the sorted list.
  if (!splitSelf || !causal) {
    replaceWithBlockSparse(rewriter, op, op.getKey(), op.getValue(),
                           select.getResult(0), select.getResult(1), Value(),
                           Value(), block);
    return;
  }
  splitSelfAndHistory(rewriter, op, select.getResult(0), select.getResult(1),
                      block, dyn);
}

struct KilnRouteBlocks
    : public kiln::impl::KilnRouteBlocksBase<KilnRouteBlocks> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize <= 0 || topK <= 0 || !(threshold > 0.0f && threshold <= 1.0f)) {
      module.emitError("kiln-route-blocks: block-size and top-k must be > 0 "
                       "and threshold in (0, 1]");
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
      std::string why = routingObstacle(op, /*allowNonCausal=*/true);
      int64_t skv =
          cast<RankedTensorType>(op.getKey().getType()).getDimSize(2);
      if (why.empty() && !op.getCausal() && ShapedType::isDynamic(skv))
        why = "non-causal (VMoBA) routing needs a static key length";
      if (!why.empty()) {
        if (!marked)
          continue; // `all`: such ops stay dense
        op.emitError() << "kiln-route-blocks: cannot route this attention: "
                       << why;
        return signalPassFailure();
      }
      route(rewriter, op, blockSize, topK, threshold, splitSelf);
    }
  }
};
} // namespace
