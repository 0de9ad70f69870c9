//===- AttentionToLinalg.cpp - reference lowering of kiln.attention -------===//
//
// Naive and explicit: the full score matrix S [B,Hq,Sq,Skv] is materialized
// in f32, masked (every visibility rule is evaluated per element from
// linalg.index), then softmax-normalized and multiplied with V. K and V are
// read at KV head h / (Hq / Hkv) through tensor.extract, never replicated.
// A row that sees no key gives O = 0 and LSE = -inf.
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
Value idx(OpBuilder &b, Location loc, unsigned d) {
  return linalg::IndexOp::create(b, loc, d);
}
Value toI64(OpBuilder &b, Location loc, Value i32OrIndex) {
  if (isa<IndexType>(i32OrIndex.getType()))
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), i32OrIndex);
  return arith::ExtSIOp::create(b, loc, b.getI64Type(), i32OrIndex);
}

struct AttentionLowering : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  /// Whether query (b, h, i) sees key j: the intersection of every mask.
  Value visible(OpBuilder &b, Location loc, AttentionOp op, Value hq,
                Value group, Value sq, Value skv) const {
    Value bi = idx(b, loc, 0), h = idx(b, loc, 1), i = idx(b, loc, 2),
          j = idx(b, loc, 3);
    Value vis; // the conjunction of the rules given (at least one)
    auto andWith = [&](Value c) {
      vis = vis ? arith::AndIOp::create(b, loc, vis, c).getResult() : c;
    };
    // The head of a per-query-head or per-KV-head list.
    auto listHead = [&](Value list) {
      Value perQ = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         dimValue(b, loc, list, 1), hq);
      Value kvh = arith::DivUIOp::create(b, loc, h, group);
      return arith::SelectOp::create(b, loc, perQ, h, kvh).getResult();
    };
    if (op.getCausal() || op.getWindowLeftAttr() || op.getWindowRightAttr()) {
      Value pq, pk;
      if (Value qp = op.getQPositions()) {
        Value kvh = arith::DivUIOp::create(b, loc, h, group);
        pq = toI64(b, loc, tensor::ExtractOp::create(
                               b, loc, qp, ValueRange{bi, listHead(qp), i}));
        pk = toI64(b, loc,
                   tensor::ExtractOp::create(b, loc, op.getKPositions(),
                                             ValueRange{bi, kvh, j}));
      } else { // Queries are the last Sq of the Skv positions.
        Value shift = arith::SubIOp::create(b, loc, toI64(b, loc, skv),
                                            toI64(b, loc, sq));
        pq = arith::AddIOp::create(b, loc, toI64(b, loc, i), shift);
        pk = toI64(b, loc, j);
      }
      auto le = [&](Value x, Value y) {
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, x, y);
      };
      auto i64 = [&](int64_t v) {
        return arith::ConstantIntOp::create(b, loc, v, 64);
      };
      if (op.getCausal())
        andWith(le(pk, pq));
      if (auto l = op.getWindowLeftAttr()) // pq - L <= pk
        andWith(le(arith::SubIOp::create(b, loc, pq, pk), i64(l.getInt())));
      if (auto r = op.getWindowRightAttr()) // pk <= pq + R
        andWith(le(arith::SubIOp::create(b, loc, pk, pq), i64(r.getInt())));
    }
    if (Value list = op.getBlockIndices()) {
      // Is j / kv_block among the first count entries of the list of query
      // block i / q_block? (count clamped to [0, capacity])
      auto cst = [&](int64_t v) {
        return arith::ConstantIndexOp::create(b, loc, v);
      };
      Value hl = listHead(list);
      Value qb = arith::DivUIOp::create(b, loc, i,
                                        cst(op.getQBlockAttr().getInt()));
      Value kb = arith::DivUIOp::create(b, loc, j,
                                        cst(op.getKvBlockAttr().getInt()));
      Value kb32 = arith::IndexCastOp::create(b, loc, b.getI32Type(), kb);
      Value cnt = tensor::ExtractOp::create(b, loc, op.getBlockCounts(),
                                            ValueRange{bi, hl, qb});
      cnt = arith::IndexCastOp::create(b, loc, b.getIndexType(), cnt);
      cnt = arith::MaxSIOp::create(b, loc, cnt, cst(0));
      cnt = arith::MinSIOp::create(b, loc, cnt, dimValue(b, loc, list, 3));
      Value no = arith::ConstantIntOp::create(b, loc, 0, 1);
      auto loop = scf::ForOp::create(
          b, loc, cst(0), cnt, cst(1), ValueRange{no},
          [&](OpBuilder &lb, Location ll, Value t, ValueRange found) {
            Value e = tensor::ExtractOp::create(lb, ll, list,
                                                ValueRange{bi, hl, qb, t});
            Value hit = arith::CmpIOp::create(
                lb, ll, arith::CmpIPredicate::eq, e, kb32);
            scf::YieldOp::create(
                lb, ll, ValueRange{arith::OrIOp::create(lb, ll, found[0], hit)});
          });
      andWith(loop.getResult(0));
    }
    return vis;
  }

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    Value bs = dimValue(b, loc, q, 0), hq = dimValue(b, loc, q, 1),
          sq = dimValue(b, loc, q, 2), skv = dimValue(b, loc, k, 2),
          dv = dimValue(b, loc, v, 3);
    Value group = arith::DivUIOp::create(b, loc, hq, dimValue(b, loc, k, 1));
    auto kvHead = [&](OpBuilder &nb, Location nl) {
      return arith::DivUIOp::create(nb, nl, idx(nb, nl, 1), group);
    };
    const double ninf = -std::numeric_limits<double>::infinity();

    auto filled = [&](ValueRange sizes, double v) {
      return filledTensor(b, loc, sizes, b.getF32FloatAttr(v));
    };
    // out[b,h,i,x] = sum_y lhs[b,h,i,y] * kv[b,h/G,.,.] over loops
    // (b,h,i,x,y), kv read at sequence position `seqLoop` (3 or 4) and the
    // other loop of x, y.
    auto contractKV = [&](Value lhs, Value kv, int64_t seqLoop, Value xSize) {
      return buildGeneric(
          b, loc, lhs, loopMap(ctx, 5, {0, 1, 2, 4}),
          filled({bs, hq, sq, xSize}, 0.0), 1,
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            Value e = tensor::ExtractOp::create(
                nb, nl, kv,
                ValueRange{idx(nb, nl, 0), kvHead(nb, nl), idx(nb, nl, seqLoop),
                           idx(nb, nl, 7 - seqLoop)});
            return mulAddF32(nb, nl, a[0], e, a[1]);
          });
    };

    // scores[b,h,i,j] = sum_d Q[b,h,i,d] * K[b,h/G,j,d]   loops (b,h,i,j,d)
    Value scores = contractKV(q, k, 3, skv);

    // logits = visible ? scale * scores (+ mask) : -inf    loops (b,h,i,j)
    SmallVector<Value> ins = {scores};
    SmallVector<AffineMap> maps = {loopMap(ctx, 4, {0, 1, 2, 3})};
    if (Value m = op.getMask()) {
      auto mt = cast<RankedTensorType>(m.getType());
      ins.push_back(m);
      maps.push_back(loopMap(ctx, 4,
                             {mt.getDimSize(0) == 1 ? -1 : 0,
                              mt.getDimSize(1) == 1 ? -1 : 1, 2, 3}));
    }
    Value scale = f32Const(b, loc, op.getScaleOrDefault());
    bool hasVisibilityRule = op.getCausal() || op.getWindowLeftAttr() ||
                             op.getWindowRightAttr() || op.hasBlockList();
    Value logits = buildGeneric(
        b, loc, ins, maps, filled({bs, hq, sq, skv}, 0.0), 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value s = arith::MulFOp::create(nb, nl, scale, a[0]);
          if (op.getMask())
            s = arith::AddFOp::create(nb, nl, s, toF32(nb, nl, a[1]));
          if (!hasVisibilityRule)
            return s;
          Value vis = visible(nb, nl, op, hq, group, sq, skv);
          return arith::SelectOp::create(nb, nl, vis, s,
                                         f32Const(nb, nl, ninf));
        });

    // Row max m, p = exp(logits - m) (0 when m = -inf), row sum l.
    AffineMap id4 = loopMap(ctx, 4, {0, 1, 2, 3});
    AffineMap row4 = loopMap(ctx, 4, {0, 1, 2});
    Value rowMax =
        buildGeneric(b, loc, logits, id4, filled({bs, hq, sq}, ninf), 1,
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::MaximumFOp::create(nb, nl, a[0], a[1]);
                     });
    Value probs = buildGeneric(
        b, loc, {logits, rowMax}, {id4, row4}, filled({bs, hq, sq, skv}, 0.0),
        0, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value e = math::ExpOp::create(
              nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
          return arith::SelectOp::create(nb, nl, isNegInf(nb, nl, a[1]),
                                         f32Const(nb, nl, 0.0), e);
        });
    Value rowSum =
        buildGeneric(b, loc, probs, id4, filled({bs, hq, sq}, 0.0), 1,
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::AddFOp::create(nb, nl, a[0], a[1]);
                     });

    // acc[b,h,i,e] = sum_j p[b,h,i,j] * V[b,h/G,j,e]   loops (b,h,i,e,j)
    Value acc = contractKV(probs, v, 4, dv);

    // O = acc / l (0 where l = 0), in the init's element type.
    Value outInit = op.getOutput();
    Type outElt = cast<RankedTensorType>(outInit.getType()).getElementType();
    SmallVector<Value> results;
    results.push_back(buildGeneric(
        b, loc, {acc, rowSum}, {id4, row4}, outInit, 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value o = arith::DivFOp::create(nb, nl, a[0], a[1]);
          Value none = arith::CmpFOp::create(
              nb, nl, arith::CmpFPredicate::OEQ, a[1], f32Const(nb, nl, 0.0));
          o = arith::SelectOp::create(nb, nl, none, f32Const(nb, nl, 0.0), o);
          return castFloat(nb, nl, o, outElt);
        }));
    // LSE = m + log l (-inf where l = 0).
    if (Value lseInit = op.getLseInit()) {
      AffineMap id3 = loopMap(ctx, 3, {0, 1, 2});
      results.push_back(buildGeneric(
          b, loc, {rowMax, rowSum}, {id3, id3}, lseInit, 0,
          [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            Value lse = arith::AddFOp::create(
                nb, nl, a[0], math::LogOp::create(nb, nl, a[1]));
            Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                               a[1], f32Const(nb, nl, 0.0));
            return arith::SelectOp::create(nb, nl, none,
                                           f32Const(nb, nl, ninf), lse);
          }));
    }
    b.replaceOp(op, results);
    return success();
  }
};
} // namespace

void mlir::kiln::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionLowering>(patterns.getContext());
  detail::populateAttentionMergeToLinalgPatterns(patterns);
  detail::populatePermuteToLinalgPatterns(patterns);
}
