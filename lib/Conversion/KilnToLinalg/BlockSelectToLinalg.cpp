//===- BlockSelectToLinalg.cpp - reference lowering of kiln.block_select --===//
//
// Naive and explicit, every step a closed formula over linalg.generic (f32):
//   pooled Q/K (zero-padded, summed over block tokens and the query group,
//   divided by the valid count) -> scores G [B,H,nQ,nK] (NaN as -inf)
//   -> role of each KV block per query block (0 excluded, 1 candidate,
//   2 forced) from linalg.index -> selection by rank, where the rank of a
//   candidate is the number of candidates that beat it (higher score, or
//   equal score and lower index: a stable descending sort):
//     top_k:     keep iff rank < k - #forced;
//     threshold: keep iff the softmax mass of the candidates that beat it
//                does not reach the threshold;
//   -> the sorted list: slot s holds the J whose exclusive prefix count of
//   selected blocks is s (zeros past the count), counts = #selected.
// O(nK^2) per row; obviously right beats fast.
//
//===----------------------------------------------------------------------===//
#include "BlockSelectEmitter.h"
#include "kiln/Conversion/Passes.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

namespace {
struct BlockSelectLowering : OpRewritePattern<BlockSelectOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BlockSelectOp op,
                                PatternRewriter &rewriter) const override;
};
} // namespace

LogicalResult
BlockSelectLowering::matchAndRewrite(BlockSelectOp op,
                                     PatternRewriter &rewriter) const {
  Location loc = op.getLoc();
  Emitter e{rewriter, loc};
  Value q = op.getQuery(), k = op.getKey();
  Value idxInit = op.getOuts()[0], cntInit = op.getOuts()[1];
  auto qt = cast<RankedTensorType>(q.getType());
  auto kt = cast<RankedTensorType>(k.getType());
  auto it = cast<RankedTensorType>(idxInit.getType());
  bool threshold = op.getMode() != BlockSelectMode::TopK;
  if (threshold && kt.isDynamicDim(2)) {
    op.emitOpError() << "reference lowering: mode "
                     << stringifyBlockSelectMode(op.getMode())
                     << " needs a static key length (the list capacity must "
                        "hold all KV blocks)";
    return rewriter.notifyMatchFailure(op, "threshold with dynamic Skv");
  }
  int64_t hq = qt.getDimSize(1), hkv = kt.getDimSize(1), h = it.getDimSize(1);
  int64_t qb = op.getQBlockAttr().getInt(), kb = op.getKvBlockAttr().getInt();
  // Per query head: head h reads KV head h / (Hq/Hkv). Per KV head: the
  // pooled query also averages the Hq/Hkv heads of the group.
  int64_t qGroup = hq / h, kvGroup = h / hkv;
  Value batch = e.dim(q, 0), sq = e.dim(q, 2), skv = e.dim(k, 2);
  Value nQ = e.ceilDiv(sq, qb), nK = e.ceilDiv(skv, kb);
  Value qbar = e.pool(q, sq, nQ, h, qGroup, qb);
  Value kbar = e.pool(k, skv, nK, hkv, 1, kb);
  SmallVector<Value> rowShape = {batch, e.index(h), nQ, nK};

  // G = scale * Qbar . Kbar over loops (b, h, I, J, d); NaN -> -inf.
  AffineMap kMap = AffineMap::get(
      5, 0,
      {rewriter.getAffineDimExpr(0),
       rewriter.getAffineDimExpr(1).floorDiv(kvGroup),
       rewriter.getAffineDimExpr(3), rewriter.getAffineDimExpr(4)},
      rewriter.getContext());
  Value dot = e.generic(5, {qbar, kbar}, {e.dims(5, {0, 1, 2, 4}), kMap},
                        e.filled(rowShape, rewriter.getF32FloatAttr(0.0)), 1,
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
                          return arith::AddFOp::create(nb, nl, a[2], p);
                        });
  float scale = op.getScaleOrDefault();
  Value g = e.generic(
      4, dot, {e.dims(4, {0, 1, 2, 3})}, dot, 0,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Emitter x{nb, nl};
        Value s = arith::MulFOp::create(nb, nl, a[0], x.f32(scale));
        Value nan =
            arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO, s, s);
        return arith::SelectOp::create(
            nb, nl, nan, x.f32(-std::numeric_limits<float>::infinity()), s);
      });

  // Sink: the first key index whose original position is 0 (i64 max: none).
  Value sinkIdx;
  if (Value kpos = op.getKPositions(); kpos && op.getSink())
    sinkIdx = e.generic(
        3, kpos, {e.dims(3, {0, 1, 2})},
        e.filled(
            {batch, e.index(hkv)},
            rewriter.getI64IntegerAttr(std::numeric_limits<int64_t>::max())),
        1, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value j = arith::IndexCastOp::create(
              nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, 2));
          Value zero = Emitter{nb, nl}.i32(0);
          Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                            a[0], zero);
          return arith::SelectOp::create(
              nb, nl, hit, arith::MinSIOp::create(nb, nl, a[1], j), a[1]);
        });

  Value roles = emitRoles(e, op, rowShape, sq, skv, sinkIdx, kvGroup);
  Value sel = emitSelection(e, op, roles, g, rowShape);

  // Sorted list: pos[J] = #selected J2 < J; slot s holds the J with pos s.
  Value pos = e.generic(
      5, sel, {e.dims(5, {0, 1, 2, 4})},
      e.filled(rowShape, rewriter.getI32IntegerAttr(0)), 1,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value lt = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult,
                                         linalg::IndexOp::create(nb, nl, 4),
                                         linalg::IndexOp::create(nb, nl, 3));
        return arith::SelectOp::create(
            nb, nl, lt, arith::AddIOp::create(nb, nl, a[1], a[0]), a[1]);
      });
  Value counts =
      e.generic(4, sel, {e.dims(4, {0, 1, 2, 3})},
                e.fill(cntInit, rewriter.getI32IntegerAttr(0)), 1,
                [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  return arith::AddIOp::create(nb, nl, a[1], a[0]);
                });
  Value indices = e.generic(
      5, {sel, pos}, {e.dims(5, {0, 1, 2, 4}), e.dims(5, {0, 1, 2, 4})},
      e.fill(idxInit, rewriter.getI32IntegerAttr(0)), 1,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        auto asI32 = [&](unsigned d) -> Value {
          return arith::IndexCastOp::create(nb, nl, nb.getI32Type(),
                                            linalg::IndexOp::create(nb, nl, d));
        };
        Value here = arith::AndIOp::create(
            nb, nl, isRole(nb, nl, a[0], 1),
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, a[1],
                                  asI32(3)));
        return arith::SelectOp::create(
            nb, nl, here, arith::AddIOp::create(nb, nl, a[2], asI32(4)), a[2]);
      });
  rewriter.replaceOp(op, {indices, counts});
  return success();
}

void mlir::kiln::populateBlockSelectToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BlockSelectLowering>(patterns.getContext());
}
