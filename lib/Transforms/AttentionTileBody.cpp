//===- AttentionTileBody.cpp - pieces of kiln-tile's loop body ------------===//
//
// See AttentionTileBody.h. The mask tile follows kiln.attention's
// visibility rules exactly (the reference lowering's): positions
// (shifted token indices or the position operands), causal, window, and
// the user's additive mask; a block list is enforced by which tiles are
// visited, not by the mask.
//
//===----------------------------------------------------------------------===//
#include "AttentionTileBody.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::attn;

Value IndexMath::c(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value IndexMath::boolean(bool v) {
  return arith::ConstantIntOp::create(b, loc, v, 1);
}
Value IndexMath::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value IndexMath::sub(Value x, Value y) {
  return arith::SubIOp::create(b, loc, x, y);
}
Value IndexMath::mul(Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value IndexMath::min(Value x, Value y) {
  return arith::MinSIOp::create(b, loc, x, y);
}
Value IndexMath::max(Value x, Value y) {
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value IndexMath::floorDiv(Value x, Value y) {
  return arith::FloorDivSIOp::create(b, loc, x, y);
}
Value IndexMath::ceilDiv(Value x, Value y) {
  return arith::CeilDivSIOp::create(b, loc, x, y);
}
Value IndexMath::le(Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, x, y);
}
Value IndexMath::lt(Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, y);
}
Value IndexMath::andI(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}
Value IndexMath::select(Value cond, Value x, Value y) {
  return arith::SelectOp::create(b, loc, cond, x, y);
}
Value IndexMath::dim(Value tensor, int64_t d) {
  return tensor::DimOp::create(b, loc, tensor, d);
}
Value IndexMath::fromI32(Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

Value f32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// [1, 1, rows, cols] at (bi, head, row0, 0) of a rank-4 tensor, as
/// [rows, cols].
Value tile2d(OpBuilder &b, Location loc, Value src, Value bi, Value head,
             Value row0, Value rows) {
  IndexMath x{b, loc};
  auto type = cast<RankedTensorType>(src.getType());
  SmallVector<OpFoldResult> offsets = {bi, head, row0, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                     rows, b.getIndexAttr(0)};
  int64_t cols = type.getDimSize(3);
  sizes[3] = ShapedType::isDynamic(cols) ? OpFoldResult(x.dim(src, 3))
                                         : OpFoldResult(b.getIndexAttr(cols));
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto resultType = RankedTensorType::get(
      {ShapedType::kDynamic, cols}, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, resultType, src, offsets,
                                        sizes, strides);
}

Value emptyF32(OpBuilder &b, Location loc, ArrayRef<Value> dynSizes,
               ArrayRef<int64_t> shape) {
  return tensor::EmptyOp::create(b, loc, shape, b.getF32Type(), dynSizes);
}

Value filled(OpBuilder &b, Location loc, Value init, double v) {
  return linalg::FillOp::create(b, loc, ValueRange{f32(b, loc, v)},
                                ValueRange{init})
      .getResult(0);
}

Value toI64(OpBuilder &b, Location loc, Value v) {
  if (isa<IndexType>(v.getType()))
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
  return arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
}

Value toF32(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::ExtFOp::create(b, loc, b.getF32Type(), v);
}

/// [rows] of a [B, H, S] tensor at (bi, head, start), or [rows, cols] of a
/// [B, H, S, T] one at (bi, head, start, start2): what a tile reads of the
/// position operands and of the user mask, passed to the mask generic as
/// inputs (so it vectorizes; element-wise extracts would not).
Value rowsOf(OpBuilder &b, Location loc, Value src, ArrayRef<Value> at,
             ArrayRef<Value> sizes) {
  auto type = cast<RankedTensorType>(src.getType());
  SmallVector<OpFoldResult> offsets, sz, strides;
  for (Value v : at)
    offsets.push_back(v);
  sz.append(2, b.getIndexAttr(1));
  for (Value v : sizes)
    sz.push_back(v);
  strides.assign(type.getRank(), b.getIndexAttr(1));
  SmallVector<int64_t> shape(sizes.size(), ShapedType::kDynamic);
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), src,
      offsets, sz, strides);
}

/// The additive mask of keys [k0, k0 + ks) for the frame's queries.
Value maskTile(OpBuilder &b, Location loc, AttentionOp op, const TileFrame &f,
               Value k0, Value ks) {
  MLIRContext *ctx = b.getContext();
  IndexMath x{b, loc};
  Value init = emptyF32(b, loc, {f.qs, ks},
                        {ShapedType::kDynamic, ShapedType::kDynamic});
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap rowMap = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  AffineMap colMap = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  bool structural = op.getCausal() || op.getWindowLeftAttr() ||
                    op.getWindowRightAttr();
  Value qp = op.getQPositions();
  if (structural && qp) {
    ins.push_back(rowsOf(b, loc, qp, {f.b, listHead(x, qp, f), f.q0}, {f.qs}));
    ins.push_back(rowsOf(b, loc, op.getKPositions(), {f.b, f.g, k0}, {ks}));
    maps.append({rowMap, colMap});
  }
  if (Value m = op.getMask()) {
    // A static 1 broadcasts; anything else is B or Hq.
    auto mType = cast<RankedTensorType>(m.getType());
    Value mb = mType.getDimSize(0) == 1 ? x.c(0) : f.b;
    Value mh = mType.getDimSize(1) == 1 ? x.c(0) : f.h;
    ins.push_back(rowsOf(b, loc, m, {mb, mh, f.q0, k0}, {f.qs, ks}));
    maps.push_back(id);
  }
  maps.push_back(id);
  SmallVector<utils::IteratorType> par(2, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ins, ValueRange{init}, maps, par,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        IndexMath y{nb, nl};
        Value vis = y.boolean(true);
        if (structural) {
          Value pq, pk;
          if (qp) {
            pq = toI64(nb, nl, args[0]);
            pk = toI64(nb, nl, args[1]);
          } else {
            Value i = y.add(f.q0, linalg::IndexOp::create(nb, nl, 0));
            Value j = y.add(k0, linalg::IndexOp::create(nb, nl, 1));
            pq = toI64(nb, nl, y.add(i, f.shift));
            pk = toI64(nb, nl, j);
          }
          auto le = [&](Value a, Value c) {
            return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, a,
                                         c);
          };
          auto i64 = [&](int64_t v) {
            return arith::ConstantIntOp::create(nb, nl, v, 64);
          };
          if (op.getCausal())
            vis = y.andI(vis, le(pk, pq));
          if (auto l = op.getWindowLeftAttr())
            vis = y.andI(vis, le(arith::SubIOp::create(nb, nl, pq, pk),
                                 i64(l.getInt())));
          if (auto r = op.getWindowRightAttr())
            vis = y.andI(vis, le(arith::SubIOp::create(nb, nl, pk, pq),
                                 i64(r.getInt())));
        }
        Value v = arith::SelectOp::create(nb, nl, vis, f32(nb, nl, 0.0),
                                          f32(nb, nl, kNegInf));
        if (op.getMask())
          v = arith::AddFOp::create(nb, nl, v,
                                    toF32(nb, nl, args[args.size() - 2]));
        linalg::YieldOp::create(nb, nl, v);
      });
  return generic.getResult(0);
}
} // namespace

TileFrame TileFrame::make(OpBuilder &b, Location loc, AttentionOp op,
                          Value bi, Value h, Value q0, int64_t qTile,
                          int64_t kvTile) {
  IndexMath x{b, loc};
  TileFrame f;
  f.b = bi;
  f.h = h;
  f.q0 = q0;
  f.qTile = qTile;
  f.kvTile = kvTile;
  f.hq = x.dim(op.getQuery(), 1);
  f.sq = x.dim(op.getQuery(), 2);
  f.skv = x.dim(op.getKey(), 2);
  f.shift = x.sub(f.skv, f.sq);
  Value group = arith::DivUIOp::create(b, loc, f.hq, x.dim(op.getKey(), 1));
  f.g = arith::DivUIOp::create(b, loc, h, group);
  f.qs = x.min(x.c(qTile), x.sub(f.sq, q0));
  f.band = (op.getCausal() || op.getWindowLeftAttr() ||
            op.getWindowRightAttr()) &&
           !op.getQPositions();
  f.query = tile2d(b, loc, op.getQuery(), bi, h, q0, f.qs);
  return f;
}

State State::empty(OpBuilder &b, Location loc, AttentionOp op,
                   const TileFrame &f) {
  IndexMath x{b, loc};
  int64_t dv = cast<RankedTensorType>(op.getValue().getType()).getDimSize(3);
  SmallVector<Value> accDyn = {f.qs};
  if (ShapedType::isDynamic(dv))
    accDyn.push_back(x.dim(op.getValue(), 3));
  State s;
  s.acc = filled(b, loc, emptyF32(b, loc, accDyn, {ShapedType::kDynamic, dv}),
                 0.0);
  s.max = filled(b, loc, emptyF32(b, loc, {f.qs}, {ShapedType::kDynamic}),
                 kNegInf);
  s.sum = filled(b, loc, emptyF32(b, loc, {f.qs}, {ShapedType::kDynamic}),
                 0.0);
  return s;
}

Value mlir::kiln::attn::listHead(IndexMath &x, Value perHeadTensor,
                                 const TileFrame &f) {
  Value perQuery = arith::CmpIOp::create(x.b, x.loc, arith::CmpIPredicate::eq,
                                         x.dim(perHeadTensor, 1), f.hq);
  return x.select(perQuery, f.h, f.g);
}

State mlir::kiln::attn::onlineTile(OpBuilder &b, Location loc, AttentionOp op,
                                   const TileFrame &f, Value k0, Value ks,
                                   bool masked, const State &s) {
  Value key = tile2d(b, loc, op.getKey(), f.b, f.g, k0, ks);
  Value value = tile2d(b, loc, op.getValue(), f.b, f.g, k0, ks);
  Value mask = masked ? maskTile(b, loc, op, f, k0, ks) : Value();
  auto tile = OnlineAttentionOp::create(
      b, loc, s.acc.getType(), s.max.getType(), s.sum.getType(), f.query, key,
      value, mask, s.acc, s.max, s.sum,
      b.getF32FloatAttr(op.getScaleOrDefault()));
  return State::of(tile.getResults());
}

void mlir::kiln::attn::writeResults(OpBuilder &b, Location loc,
                                    AttentionOp op, const TileFrame &f,
                                    const State &s, scf::ForallOp forall) {
  MLIRContext *ctx = b.getContext();
  IndexMath x{b, loc};
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Type outElt = outType.getElementType();
  auto accType = cast<RankedTensorType>(s.acc.getType());
  SmallVector<Value> accDyn = {f.qs};
  if (accType.isDynamicDim(1))
    accDyn.push_back(x.dim(s.acc, 1));
  Value oInit = tensor::EmptyOp::create(b, loc, accType.getShape(), outElt,
                                        accDyn);
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
  SmallVector<utils::IteratorType> par2(2, utils::IteratorType::parallel);
  auto isZero = [](OpBuilder &nb, Location nl, Value v) {
    return arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, v,
                                 f32(nb, nl, 0.0));
  };
  Value o =
      linalg::GenericOp::create(
          b, loc, oInit.getType(), ValueRange{s.acc, s.sum}, ValueRange{oInit},
          ArrayRef<AffineMap>{id2, row, id2}, par2,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value q = arith::DivFOp::create(nb, nl, a[0], a[1]);
            Value v = arith::SelectOp::create(nb, nl, isZero(nb, nl, a[1]),
                                              f32(nb, nl, 0.0), q);
            if (!outElt.isF32())
              v = arith::TruncFOp::create(nb, nl, outElt, v);
            linalg::YieldOp::create(nb, nl, v);
          })
          .getResult(0);

  SmallVector<Value> results = {o};
  if (op.getLseInit()) {
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value lInit = emptyF32(b, loc, {f.qs}, {ShapedType::kDynamic});
    results.push_back(
        linalg::GenericOp::create(
            b, loc, lInit.getType(), ValueRange{s.max, s.sum},
            ValueRange{lInit}, ArrayRef<AffineMap>{id1, id1, id1},
            {utils::IteratorType::parallel},
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value lse = arith::AddFOp::create(
                  nb, nl, a[0], math::LogOp::create(nb, nl, a[1]));
              Value v = arith::SelectOp::create(nb, nl, isZero(nb, nl, a[1]),
                                                f32(nb, nl, kNegInf), lse);
              linalg::YieldOp::create(nb, nl, v);
            })
            .getResult(0));
  }

  OpFoldResult dv = tensor::getMixedSize(b, loc, o, 1);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [i, r] : llvm::enumerate(results)) {
    Value dest = forall.getRegionIterArgs()[i];
    unsigned rank = i == 0 ? 4 : 3;
    SmallVector<OpFoldResult> offsets = {f.b, f.h, f.q0};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                       f.qs};
    if (rank == 4) {
      offsets.push_back(b.getIndexAttr(0));
      sizes.push_back(dv);
    }
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    tensor::ParallelInsertSliceOp::create(b, loc, r, dest, offsets, sizes,
                                          strides);
  }
}
