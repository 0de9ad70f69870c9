//===- AttentionMergeToLinalg.cpp - online-softmax state ops --------------===//
//
// Reference lowering of kiln.online_attention (one KV tile of flash
// attention) and kiln.attention_merge (LSE merge of partial attentions),
// both in f32. exp(-inf - -inf) never happens: rows whose max is -inf are
// selected explicitly.
//
//===----------------------------------------------------------------------===//
#include "AttentionPatterns.h"
#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

namespace {
const double kNegInf = -std::numeric_limits<double>::infinity();

SmallVector<int64_t> range(unsigned n) {
  return llvm::to_vector(llvm::seq<int64_t>(0, n));
}
/// `dims` followed by `extra`.
SmallVector<int64_t> cat(ArrayRef<int64_t> dims, ArrayRef<int64_t> extra) {
  SmallVector<int64_t> r(dims);
  r.append(extra.begin(), extra.end());
  return r;
}

struct OnlineAttentionLowering : OpRewritePattern<OnlineAttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OnlineAttentionOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    unsigned r = cast<RankedTensorType>(op.getQuery().getType()).getRank();
    unsigned nb = r - 2;                   // leading (batch) loops
    unsigned m = nb, n = nb + 1, x = nb + 2; // x: D or Dv
    SmallVector<int64_t> lead = range(nb);
    auto lmap = [&](unsigned loops, ArrayRef<int64_t> tail) {
      return loopMap(ctx, loops, cat(lead, tail));
    };
    Value acc = op.getAcc(), mOld = op.getMax(), lOld = op.getSum();

    // s[.., m, n] = scale * sum_d Q[.., m, d] K[.., n, d] (+ mask)
    SmallVector<OpFoldResult> sSizes = tensor::getMixedSizes(b, loc, mOld);
    sSizes.push_back(tensor::getMixedSize(b, loc, op.getKey(), r - 2));
    Value sInit = tensor::EmptyOp::create(b, loc, sSizes, b.getF32Type());
    Value zeroS = fillTensor(b, loc, sInit, b.getF32FloatAttr(0.0));
    Value qk =
        buildGeneric(b, loc, {op.getQuery(), op.getKey()},
                     {lmap(r + 1, {m, x}), lmap(r + 1, {n, x})}, zeroS, 1,
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return mulAddF32(nb, nl, a[0], a[1], a[2]);
                     });
    SmallVector<Value> ins = {qk};
    SmallVector<AffineMap> maps = {lmap(r, {m, n})};
    if (op.getMask()) {
      ins.push_back(op.getMask());
      maps.push_back(lmap(r, {m, n}));
    }
    Value scale = f32Const(b, loc, op.getScale().convertToDouble());
    Value s =
        buildGeneric(b, loc, ins, maps, sInit, 0,
                     [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value v = arith::MulFOp::create(nb, nl, scale, a[0]);
                       if (a.size() > 2)
                         v = arith::AddFOp::create(nb, nl, v, a[1]);
                       return v;
                     });

    // Every state update writes into its init (max, sum and acc), so the
    // results bufferize in place on the loop-carried state of kiln-tile.
    // rowmax(s) into a fresh row; alpha = exp(m - m') (1 where m' = -inf)
    // with m' = max(m, rowmax s), read before m is overwritten.
    AffineMap sMap = lmap(r, {m, n}), rowMap = lmap(r, {m});
    Value rowMax = buildGeneric(
        b, loc, s, sMap,
        fillTensor(b, loc, emptyLike(b, loc, mOld, b.getF32Type()),
                   b.getF32FloatAttr(kNegInf)),
        1, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return arith::MaximumFOp::create(nb, nl, a[0], a[1]);
        });
    AffineMap row = loopMap(ctx, r - 1, range(r - 1));
    Value alpha = buildGeneric(
        b, loc, {mOld, rowMax}, {row, row},
        emptyLike(b, loc, mOld, b.getF32Type()), 0,
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value mNew = arith::MaximumFOp::create(nb, nl, a[0], a[1]);
          Value e = math::ExpOp::create(
              nb, nl, arith::SubFOp::create(nb, nl, a[0], mNew));
          return arith::SelectOp::create(nb, nl, isNegInf(nb, nl, mNew),
                                         f32Const(nb, nl, 1.0), e);
        });
    Value mNew =
        buildGeneric(b, loc, {rowMax}, {row}, mOld, 0,
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::MaximumFOp::create(nb, nl, a[0], a[1]);
                     });
    // p = exp(s - m') (0 where m' = -inf), over s.
    Value p = buildGeneric(
        b, loc, {mNew}, {rowMap}, s, 0,
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value e = math::ExpOp::create(
              nb, nl, arith::SubFOp::create(nb, nl, a[1], a[0]));
          return arith::SelectOp::create(nb, nl, isNegInf(nb, nl, a[0]),
                                         f32Const(nb, nl, 0.0), e);
        });
    auto scaleOut = [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      return arith::MulFOp::create(nb, nl, a[1], a[0]);
    };
    // l' = alpha l + rowsum p
    Value lScaled = buildGeneric(b, loc, {alpha}, {row}, lOld, 0, scaleOut);
    Value lNew =
        buildGeneric(b, loc, p, sMap, lScaled, 1,
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::AddFOp::create(nb, nl, a[0], a[1]);
                     });
    // acc' = alpha acc + p V                  loops (.., m, e, n)
    Value accScaled = buildGeneric(b, loc, {alpha}, {rowMap}, acc, 0, scaleOut);
    Value accNew = buildGeneric(
        b, loc, {p, op.getValue()}, {lmap(r + 1, {m, x}), lmap(r + 1, {x, n})},
        accScaled, 1, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return mulAddF32(nb, nl, a[0], a[1], a[2]);
        });
    b.replaceOp(op, {accNew, mNew, lNew});
    return success();
  }
};

struct AttentionMergeLowering : OpRewritePattern<AttentionMergeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionMergeOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto outs = op.getPartialOutputs();
    auto lses = op.getPartialLses();
    size_t np = outs.size();
    // L = mx + log(sum_p exp(L_p - mx)), mx = max_p L_p (-inf if mx = -inf).
    AffineMap id3 = loopMap(ctx, 3, {0, 1, 2});
    Value lse = buildGeneric(
        b, loc, lses, SmallVector<AffineMap>(np, id3), op.getOuts()[1], 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value mx = a[0];
          for (size_t i = 1; i < np; ++i)
            mx = arith::MaximumFOp::create(nb, nl, mx, a[i]);
          Value sum = f32Const(nb, nl, 0.0);
          for (size_t i = 0; i < np; ++i)
            sum = arith::AddFOp::create(
                nb, nl, sum,
                math::ExpOp::create(nb, nl,
                                    arith::SubFOp::create(nb, nl, a[i], mx)));
          Value l = arith::AddFOp::create(nb, nl, mx,
                                          math::LogOp::create(nb, nl, sum));
          return arith::SelectOp::create(nb, nl, isNegInf(nb, nl, mx),
                                         f32Const(nb, nl, kNegInf), l);
        });
    // O = sum_p exp(L_p - L) O_p; a partial with L_p = -inf adds nothing.
    SmallVector<Value> ins(outs.begin(), outs.end());
    ins.append(lses.begin(), lses.end());
    ins.push_back(lse);
    SmallVector<AffineMap> maps(np, loopMap(ctx, 4, {0, 1, 2, 3}));
    maps.append(np + 1, loopMap(ctx, 4, {0, 1, 2}));
    Value outInit = op.getOuts()[0];
    Type outElt = cast<RankedTensorType>(outInit.getType()).getElementType();
    Value o = buildGeneric(
        b, loc, ins, maps, outInit, 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value total = f32Const(nb, nl, 0.0), zero = f32Const(nb, nl, 0.0);
          for (size_t i = 0; i < np; ++i) {
            Value lp = a[np + i];
            Value w = math::ExpOp::create(
                nb, nl, arith::SubFOp::create(nb, nl, lp, a[2 * np]));
            Value t = arith::MulFOp::create(nb, nl, w, toF32(nb, nl, a[i]));
            t = arith::SelectOp::create(nb, nl, isNegInf(nb, nl, lp), zero, t);
            total = arith::AddFOp::create(nb, nl, total, t);
          }
          return castFloat(nb, nl, total, outElt);
        });
    b.replaceOp(op, {o, lse});
    return success();
  }
};
} // namespace

void mlir::kiln::detail::populateAttentionMergeToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<OnlineAttentionLowering, AttentionMergeLowering>(
      patterns.getContext());
}
