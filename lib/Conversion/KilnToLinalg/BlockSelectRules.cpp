//===- BlockSelectRules.cpp - block_select roles and selection rules ------===//
//
// The MoBA top-k and PBS cumulative-threshold rules as closed formulas over
// linalg.generic: see BlockSelectToLinalg.cpp for the whole lowering.
//
//===----------------------------------------------------------------------===//
#include "BlockSelectEmitter.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::detail;

/// Role of KV block J for query block I (see the op description).
Value mlir::kiln::detail::emitRoles(Emitter &e, BlockSelectOp op,
                                   ArrayRef<Value> rowShape, Value sq, Value skv, Value sinkIdx, int64_t kvGroup) {
  OpBuilder &b = e.b;
  // top_k and relative (VMoBA) share roles: own blocks forced.
  bool topK = op.getMode() != BlockSelectMode::Threshold,
       causal = op.getCausal();
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

Value mlir::kiln::detail::isRole(OpBuilder &nb, Location nl, Value r,
                                int64_t role) {
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

/// VMoBA's relative threshold: min-max normalized scores over the forced and
/// candidate blocks, need = max(0, thr - own / total), a candidate kept
/// unless the normalized mass ranked before it reaches need * total.
static Value emitRelativeSelection(Emitter &e, Value roles, Value g,
                                   ArrayRef<Value> rowShape, float thr) {
  OpBuilder &b = e.b;
  unsigned n = 4;
  AffineMap id = e.dims(4, {0, 1, 2, 3}), row = e.dims(4, {0, 1, 2});
  AffineMap atJ = e.dims(5, {0, 1, 2, 3}), atJ2 = e.dims(5, {0, 1, 2, 4});
  ArrayRef<Value> rows = rowShape.take_front(3);
  auto inRow = [](OpBuilder &nb, Location nl, Value r) {
    return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, r,
                                 Emitter{nb, nl}.i32(1));
  };
  float inf = std::numeric_limits<float>::infinity();
  auto extreme = [&](float init, bool isMax) {
    return e.generic(n, {roles, g}, {id, id},
                     e.filled(rows, b.getF32FloatAttr(init)), 1,
                     [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value m =
                           isMax ? arith::MaximumFOp::create(nb, nl, a[2], a[1])
                                       .getResult()
                                 : arith::MinimumFOp::create(nb, nl, a[2], a[1])
                                       .getResult();
                       return arith::SelectOp::create(
                           nb, nl, inRow(nb, nl, a[0]), m, a[2]);
                     });
  };
  Value mn = extreme(inf, false), mx = extreme(-inf, true);
  Value norm = e.generic(
      n, {roles, g, mn, mx}, {id, id, row, row},
      tensor::EmptyOp::create(b, e.loc, getAsOpFoldResult(rowShape),
                              b.getF32Type()),
      0, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Emitter x{nb, nl};
        Value span = arith::SubFOp::create(nb, nl, a[3], a[2]);
        Value v = arith::DivFOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, a[1], a[2]), span);
        Value flat = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UEQ,
                                           span, x.f32(0.0));
        v = arith::SelectOp::create(nb, nl, flat, x.f32(1.0), v);
        return arith::SelectOp::create(nb, nl, inRow(nb, nl, a[0]), v,
                                       x.f32(0.0));
      });
  auto sumOf = [&](bool forcedOnly) {
    return e.generic(n, {roles, norm}, {id, id},
                     e.filled(rows, b.getF32FloatAttr(0.0)), 1,
                     [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value s = arith::AddFOp::create(nb, nl, a[2], a[1]);
                       Value take = forcedOnly ? isRole(nb, nl, a[0], 2)
                                               : inRow(nb, nl, a[0]);
                       return arith::SelectOp::create(nb, nl, take, s, a[2]);
                     });
  };
  Value total = sumOf(false), own = sumOf(true);
  // Normalized mass of the candidates ranked before J.
  Value before =
      e.generic(5, {roles, roles, g, g, norm}, {atJ, atJ2, atJ, atJ2, atJ2},
                e.filled(rowShape, b.getF32FloatAttr(0.0)), 1,
                [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                  Value add = arith::AddFOp::create(nb, nl, a[5], a[4]);
                  return arith::SelectOp::create(nb, nl, ranksBefore(nb, nl, a),
                                                 add, a[5]);
                });
  Value empty = tensor::EmptyOp::create(b, e.loc, getAsOpFoldResult(rowShape),
                                        b.getI32Type());
  return e.generic(
      n, {roles, before, total, own}, {id, id, row, row}, empty, 0,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Emitter x{nb, nl};
        Value need = arith::MaximumFOp::create(
            nb, nl,
            arith::SubFOp::create(nb, nl, x.f32(thr),
                                  arith::DivFOp::create(nb, nl, a[3], a[2])),
            x.f32(0.0));
        Value open = arith::CmpFOp::create(
            nb, nl, arith::CmpFPredicate::ULT,
            arith::DivFOp::create(nb, nl, a[1], a[2]), need);
        Value keep = arith::OrIOp::create(
            nb, nl, isRole(nb, nl, a[0], 2),
            arith::AndIOp::create(nb, nl, isRole(nb, nl, a[0], 1), open));
        return toI32(nb, nl, keep);
      });
}

/// The 0/1 (i32) selection [B,H,nQ,nK] from roles and scores.
Value mlir::kiln::detail::emitSelection(Emitter &e, BlockSelectOp op,
                                       Value roles, Value g,
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
  if (op.getMode() == BlockSelectMode::Relative && thr < 1.0f)
    return emitRelativeSelection(e, roles, g, rowShape, thr);
  if (thr >= 1.0f) // every candidate (both threshold modes)
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

