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
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

namespace {
using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

struct Emitter {
  OpBuilder &b;
  Location loc;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value dim(Value v, int64_t d) {
    auto t = cast<RankedTensorType>(v.getType());
    if (!t.isDynamicDim(d))
      return index(t.getDimSize(d));
    return tensor::DimOp::create(b, loc, v, d);
  }
  /// ceil(v / c) for index v and constant c > 0 (folded when v is constant).
  Value ceilDiv(Value v, int64_t c) {
    if (std::optional<int64_t> s = getConstantIntValue(v))
      return index((*s + c - 1) / c);
    Value sum = arith::AddIOp::create(b, loc, v, index(c - 1));
    return arith::DivUIOp::create(b, loc, sum, index(c));
  }
  Value filled(ArrayRef<Value> sizes, Attribute value) {
    SmallVector<OpFoldResult> ofr;
    for (Value s : sizes)
      ofr.push_back(getAsOpFoldResult(s));
    auto typed = cast<TypedAttr>(value);
    Value init = tensor::EmptyOp::create(b, loc, ofr, typed.getType());
    return fill(init, value);
  }
  Value fill(Value init, Attribute value) {
    Value c = arith::ConstantOp::create(b, loc, cast<TypedAttr>(value));
    return linalg::FillOp::create(b, loc, c, init).getResult(0);
  }
  /// The map from `n` loops to the given loop dims.
  AffineMap dims(unsigned n, ArrayRef<unsigned> ds) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : ds)
      exprs.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(n, 0, exprs, b.getContext());
  }
  /// One-output linalg.generic over `n` loops; the last `numReduce` are
  /// reductions and `out` is indexed by the leading parallel loops.
  Value generic(unsigned n, ValueRange ins, ArrayRef<AffineMap> inMaps,
                Value out, unsigned numReduce, BodyFn body) {
    SmallVector<unsigned> outDims;
    for (unsigned i = 0; i + numReduce < n; ++i)
      outDims.push_back(i);
    SmallVector<AffineMap> maps(inMaps);
    maps.push_back(dims(n, outDims));
    SmallVector<utils::IteratorType> iters(n, utils::IteratorType::parallel);
    for (unsigned i = n - numReduce; i < n; ++i)
      iters[i] = utils::IteratorType::reduction;
    return linalg::GenericOp::create(
               b, loc, out.getType(), ins, out, maps, iters,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, body(nb, nl, args));
               })
        .getResult(0);
  }

  /// out[b,h,n,d] = mean of x[b, h*group + r, n*blk + t, d] over r < group
  /// and the valid tokens t (n*blk + t < len), in f32.
  Value pool(Value x, Value len, Value numBlocks, int64_t heads, int64_t group,
             int64_t blk) {
    auto xt = cast<RankedTensorType>(x.getType());
    Type elt = xt.getElementType();
    Value batch = dim(x, 0);
    int64_t d = xt.getDimSize(3);
    Value paddedLen = arith::MulIOp::create(b, loc, numBlocks, index(blk));
    OpFoldResult high = getAsOpFoldResult(
        arith::SubIOp::create(b, loc, paddedLen, len).getResult());
    if (auto s = getConstantIntValue(numBlocks))
      if (auto l = getConstantIntValue(len))
        high = b.getIndexAttr(*s * blk - *l);
    OpFoldResult zero = b.getIndexAttr(0);
    Value padValue = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
    SmallVector<OpFoldResult> low(4, zero), highs = {zero, zero, high, zero};
    Value padded =
        tensor::PadOp::create(b, loc, Type(), x, low, highs, padValue);
    SmallVector<OpFoldResult> shape = {
        getAsOpFoldResult(batch), b.getIndexAttr(heads),
        b.getIndexAttr(group),    getAsOpFoldResult(numBlocks),
        b.getIndexAttr(blk),      b.getIndexAttr(d)};
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynShape;
    dispatchIndexOpFoldResults(shape, dynShape, staticShape);
    auto expandedType = RankedTensorType::get(staticShape, elt);
    Value expanded = tensor::ExpandShapeOp::create(
        b, loc, expandedType, padded,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}}, shape);
    // Loops (b, h, n, d, r, t); r and t reduce.
    Value acc = filled({batch, index(heads), numBlocks, index(d)},
                       b.getF32FloatAttr(0.0));
    Value sum =
        generic(6, expanded, {dims(6, {0, 1, 4, 2, 5, 3})}, acc, 2,
                [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  Value v = a[0];
                  if (!v.getType().isF32())
                    v = arith::ExtFOp::create(nb, nl, nb.getF32Type(), v);
                  return arith::AddFOp::create(nb, nl, a[1], v);
                });
    // Divide by group * min(blk, len - n*blk).
    return generic(
        4, sum, {dims(4, {0, 1, 2, 3})}, sum, 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value n = linalg::IndexOp::create(nb, nl, 2);
          Value start = arith::MulIOp::create(nb, nl, n, index(blk));
          Value rest = arith::SubIOp::create(nb, nl, len, start);
          Value cnt = arith::MinSIOp::create(nb, nl, rest, index(blk));
          cnt = arith::MulIOp::create(nb, nl, cnt, index(group));
          cnt = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), cnt);
          cnt = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), cnt);
          return arith::DivFOp::create(nb, nl, a[0], cnt);
        });
  }
};

struct BlockSelectLowering : OpRewritePattern<BlockSelectOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BlockSelectOp op,
                                PatternRewriter &rewriter) const override;
};
} // namespace

/// Role of KV block J for query block I (see the op description).
static Value emitRoles(Emitter &e, BlockSelectOp op, ArrayRef<Value> rowShape,
                       Value sq, Value skv, Value sinkIdx, int64_t kvGroup) {
  OpBuilder &b = e.b;
  bool topK = op.getMode() == BlockSelectMode::TopK, causal = op.getCausal();
  int64_t qb = op.getQBlockAttr().getInt(), kb = op.getKvBlockAttr().getInt();
  int64_t seg = static_cast<int64_t>(op.getSegment());
  bool wholeSegment = op.getKPositions() != nullptr, sink = op.getSink();
  Value out = tensor::EmptyOp::create(b, e.loc, getAsOpFoldResult(rowShape),
                                      b.getI32Type());
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  if (sinkIdx) {
    ins.push_back(sinkIdx);
    maps.push_back(AffineMap::get(
        4, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1).floorDiv(kvGroup)},
        b.getContext()));
  }
  auto body = [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    Emitter x{nb, nl};
    auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) -> Value {
      return arith::CmpIOp::create(nb, nl, p, l, r);
    };
    auto mul = [&](Value l, int64_t c) -> Value {
      return arith::MulIOp::create(nb, nl, l, x.index(c));
    };
    auto div = [&](Value l, int64_t c) -> Value {
      return arith::DivSIOp::create(nb, nl, l, x.index(c));
    };
    auto band = [&](Value l, Value r) -> Value {
      return arith::AndIOp::create(nb, nl, l, r);
    };
    auto bor = [&](Value l, Value r) -> Value {
      return arith::OrIOp::create(nb, nl, l, r);
    };
    using P = arith::CmpIPredicate;
    Value i = linalg::IndexOp::create(nb, nl, 2);
    Value j = linalg::IndexOp::create(nb, nl, 3);
    Value off = arith::SubIOp::create(nb, nl, skv, sq);
    Value first = arith::AddIOp::create(nb, nl, mul(i, qb), off);
    Value end = arith::MinSIOp::create(
        nb, nl, arith::AddIOp::create(nb, nl, mul(i, qb), x.index(qb)), sq);
    Value last = arith::AddIOp::create(
        nb, nl, arith::SubIOp::create(nb, nl, end, x.index(1)), off);
    Value lastOk = cmp(P::sge, last, x.index(0));
    Value firstClamped = arith::MaxSIOp::create(nb, nl, first, x.index(0));
    Value yes = arith::ConstantIntOp::create(nb, nl, nb.getI1Type(), 1);
    Value forced, cand;
    if (topK) {
      forced = band(lastOk, band(cmp(P::sge, j, div(firstClamped, kb)),
                                 cmp(P::sle, j, div(last, kb))));
      cand = causal ? cmp(P::sle,
                          mul(arith::AddIOp::create(nb, nl, j, x.index(1)), kb),
                          first)
                    : yes;
    } else {
      Value visible =
          causal ? band(lastOk, cmp(P::sle, mul(j, kb), last)) : yes;
      forced = arith::ConstantIntOp::create(nb, nl, nb.getI1Type(), 0);
      if (seg > 0) {
        Value s = div(mul(j, kb), seg);
        Value diag = band(lastOk, band(cmp(P::sge, s, div(firstClamped, seg)),
                                       cmp(P::sle, s, div(last, seg))));
        if (causal && !wholeSegment)
          diag = band(diag, visible);
        forced = diag;
      }
      if (sink) {
        Value blk = x.index(0);
        if (sinkIdx) {
          Value at =
              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[0]);
          blk = arith::SelectOp::create(nb, nl, cmp(P::slt, at, skv),
                                        div(at, kb), x.index(-1));
        }
        Value isSink = cmp(P::eq, j, blk);
        forced = bor(forced, causal ? band(isSink, lastOk) : isSink);
      }
      cand = visible;
    }
    Value role = arith::SelectOp::create(nb, nl, cand, x.i32(1), x.i32(0));
    return arith::SelectOp::create(nb, nl, forced, x.i32(2), role);
  };
  return e.generic(4, ins, maps, out, 0, body);
}

/// In a loop nest (b, h, I, J, J2): candidate J2 ranks before candidate J.
static Value beats(OpBuilder &nb, Location nl, Value g2, Value g1) {
  Value j = linalg::IndexOp::create(nb, nl, 3);
  Value j2 = linalg::IndexOp::create(nb, nl, 4);
  Value gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, g2, g1);
  Value eq = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, g2, g1);
  Value lt = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, j2, j);
  return arith::OrIOp::create(nb, nl, gt,
                              arith::AndIOp::create(nb, nl, eq, lt));
}

static Value isRole(OpBuilder &nb, Location nl, Value r, int64_t role) {
  return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, r,
                               Emitter{nb, nl}.i32(role));
}

static Value toI32(OpBuilder &nb, Location nl, Value flag) {
  return arith::ExtUIOp::create(nb, nl, nb.getI32Type(), flag);
}

/// 1 where both J and J2 are candidates and J2 beats J: args (rJ, rJ2, gJ,
/// gJ2).
static Value ranksBefore(OpBuilder &nb, Location nl, ValueRange a) {
  Value both = arith::AndIOp::create(nb, nl, isRole(nb, nl, a[0], 1),
                                     isRole(nb, nl, a[1], 1));
  return arith::AndIOp::create(nb, nl, both, beats(nb, nl, a[3], a[2]));
}

/// The 0/1 (i32) selection [B,H,nQ,nK] from roles and scores.
static Value emitSelection(Emitter &e, BlockSelectOp op, Value roles, Value g,
                           ArrayRef<Value> rowShape) {
  OpBuilder &b = e.b;
  unsigned n = 4;
  AffineMap id = e.dims(4, {0, 1, 2, 3}), row = e.dims(4, {0, 1, 2});
  AffineMap atJ = e.dims(5, {0, 1, 2, 3}), atJ2 = e.dims(5, {0, 1, 2, 4});
  ArrayRef<Value> rows = rowShape.take_front(3);
  Value empty = tensor::EmptyOp::create(b, e.loc, getAsOpFoldResult(rowShape),
                                        b.getI32Type());
  if (op.getMode() == BlockSelectMode::TopK) {
    // k beyond i32 range selects everything anyway.
    int64_t k = std::min<int64_t>(op.getKAttr().getInt(),
                                  std::numeric_limits<int32_t>::max());
    Value numForced =
        e.generic(n, roles, id, e.filled(rows, b.getI32IntegerAttr(0)), 1,
                  [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                    return arith::AddIOp::create(
                        nb, nl, a[1], toI32(nb, nl, isRole(nb, nl, a[0], 2)));
                  });
    Value rank =
        e.generic(5, {roles, roles, g, g}, {atJ, atJ2, atJ, atJ2},
                  e.filled(rowShape, b.getI32IntegerAttr(0)), 1,
                  [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                    return arith::AddIOp::create(
                        nb, nl, a[4], toI32(nb, nl, ranksBefore(nb, nl, a)));
                  });
    return e.generic(
        n, {roles, rank, numForced}, {id, id, row}, empty, 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Emitter x{nb, nl};
          Value take = arith::SubIOp::create(nb, nl, x.i32(k), a[2]);
          Value inTop = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                              a[1], take);
          Value keep = arith::OrIOp::create(
              nb, nl, isRole(nb, nl, a[0], 2),
              arith::AndIOp::create(nb, nl, isRole(nb, nl, a[0], 1), inTop));
          return toI32(nb, nl, keep);
        });
  }

  float thr = op.getThresholdAttr().getValue().convertToFloat();
  if (thr >= 1.0f)
    return e.generic(
        n, roles, id, empty, 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          return toI32(nb, nl,
                       arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                             a[0], Emitter{nb, nl}.i32(1)));
        });
  // Softmax over the candidates: max, exp, sum.
  Attribute negInf = b.getF32FloatAttr(-std::numeric_limits<float>::infinity());
  Value mx = e.generic(n, {roles, g}, {id, id}, e.filled(rows, negInf), 1,
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         Value m =
                             arith::MaximumFOp::create(nb, nl, a[2], a[1]);
                         return arith::SelectOp::create(
                             nb, nl, isRole(nb, nl, a[0], 1), m, a[2]);
                       });
  Value ex = e.generic(
      n, {roles, g, mx}, {id, id, row},
      tensor::EmptyOp::create(b, e.loc, getAsOpFoldResult(rowShape),
                              b.getF32Type()),
      0, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value x = math::ExpOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, a[1], a[2]));
        return arith::SelectOp::create(nb, nl, isRole(nb, nl, a[0], 1), x,
                                       Emitter{nb, nl}.f32(0.0));
      });
  Value sum = e.generic(n, ex, id, e.filled(rows, b.getF32FloatAttr(0.0)), 1,
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          return arith::AddFOp::create(nb, nl, a[1], a[0]);
                        });
  // Mass of the candidates ranked before J.
  Value before =
      e.generic(5, {roles, roles, g, g, ex, sum},
                {atJ, atJ2, atJ, atJ2, atJ2, e.dims(5, {0, 1, 2})},
                e.filled(rowShape, b.getF32FloatAttr(0.0)), 1,
                [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  Value p = arith::DivFOp::create(nb, nl, a[4], a[5]);
                  Value add = arith::AddFOp::create(nb, nl, a[6], p);
                  return arith::SelectOp::create(nb, nl, ranksBefore(nb, nl, a),
                                                 add, a[6]);
                });
  return e.generic(
      n, {roles, before}, {id, id}, empty, 0,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        // Kept unless the mass before it reaches the threshold (a NaN mass
        // never does).
        Value open = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::ULT,
                                           a[1], Emitter{nb, nl}.f32(thr));
        Value keep = arith::OrIOp::create(
            nb, nl, isRole(nb, nl, a[0], 2),
            arith::AndIOp::create(nb, nl, isRole(nb, nl, a[0], 1), open));
        return toI32(nb, nl, keep);
      });
}

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
  bool threshold = op.getMode() == BlockSelectMode::Threshold;
  if (threshold && kt.isDynamicDim(2)) {
    op.emitOpError("reference lowering: mode threshold needs a static key "
                   "length (the list capacity must hold all KV blocks)");
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
