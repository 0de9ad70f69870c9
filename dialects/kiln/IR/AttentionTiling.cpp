//===- AttentionTiling.cpp - TilingInterface of kiln.attention ------------===//
//
// Tiles over the output dims (batch, query head, query position, Dv), all
// parallel; every tile sees all keys. Grouped-query tiles read only the KV
// heads of their query heads. A query tile of a causal or windowed op gets
// explicit position operands, since "j <= i + Skv - Sq" depends on where the
// tile starts; a tile of a block-sparse op must start on a query block.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/TilingUtils.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln;

SmallVector<Range> AttentionOp::getIterationDomain(OpBuilder &b) {
  return domainOf(b, getLoc(), getOutput());
}

SmallVector<utils::IteratorType> AttentionOp::getLoopIteratorTypes() {
  return SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel);
}

LogicalResult AttentionOp::getResultTilePosition(
    OpBuilder &, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  unsigned rank = resultNumber == 0 ? 4 : 3; // LSE is [B, Hq, Sq]
  resultOffsets.assign(offsets.begin(), offsets.begin() + rank);
  resultSizes.assign(sizes.begin(), sizes.begin() + rank);
  return success();
}

namespace {
/// The KV-head range read by a tile of query heads, or failure when the tile
/// does not line up with the query groups.
FailureOr<std::pair<OpFoldResult, OpFoldResult>>
kvHeadRange(OpBuilder &b, Location loc, Value query, Value key,
            const TileRegion &q) {
  if (coversWholeDim(query, q, 1)) {
    TileRegion k = wholeRegion(b, loc, key);
    return std::make_pair(k.offsets[1], k.sizes[1]);
  }
  int64_t hq = cast<RankedTensorType>(query.getType()).getDimSize(1);
  int64_t hkv = cast<RankedTensorType>(key.getType()).getDimSize(1);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
    return failure();
  int64_t group = hq / hkv;
  if (group == 1)
    return std::make_pair(q.offsets[1], q.sizes[1]);
  std::optional<int64_t> size = getConstantIntValue(q.sizes[1]);
  if (!size || (*size % group != 0 && group % *size != 0))
    return failure();
  AffineExpr h;
  bindDims(b.getContext(), h);
  OpFoldResult off =
      affine::makeComposedFoldedAffineApply(b, loc, h.floorDiv(group),
                                            {q.offsets[1]});
  return std::make_pair(off, OpFoldResult(b.getIndexAttr(
                                 *size % group == 0 ? *size / group : 1)));
}

/// A [sizeB, sizeH, sizeS] i32 tensor holding base + s.
Value positionTensor(OpBuilder &b, Location loc, OpFoldResult sizeB,
                     OpFoldResult sizeH, OpFoldResult sizeS,
                     OpFoldResult base) {
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  for (OpFoldResult s : {sizeB, sizeH, sizeS}) {
    std::optional<int64_t> c = getConstantIntValue(s);
    shape.push_back(c ? *c : ShapedType::kDynamic);
    if (!c)
      dynamic.push_back(cast<Value>(s));
  }
  auto type = RankedTensorType::get(shape, b.getI32Type());
  Value baseV = getValueOrCreateConstantIndexOp(b, loc, base);
  return tensor::GenerateOp::create(
      b, loc, type, dynamic, [&](OpBuilder &nb, Location l, ValueRange ivs) {
        Value pos = arith::AddIOp::create(nb, l, baseV, ivs[2]);
        Value i32 = arith::IndexCastOp::create(nb, l, nb.getI32Type(), pos);
        tensor::YieldOp::create(nb, l, i32);
      });
}
} // namespace

FailureOr<TilingResult>
AttentionOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                                    ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  TilingResult result;
  auto slice = [&](Value v, const TileRegion &r) {
    return extractRegion(b, loc, v, r, result);
  };
  Value query = getQuery(), key = getKey(), value = getValue();
  TileRegion q = wholeRegion(b, loc, query);
  for (unsigned d = 0; d < 3; ++d) {
    q.offsets[d] = offsets[d];
    q.sizes[d] = sizes[d];
  }
  auto kvHeads = kvHeadRange(b, loc, query, key, q);
  if (failed(kvHeads))
    return emitOpError("query-head tile must be a multiple or a divisor of "
                       "the query group size");
  TileRegion k = wholeRegion(b, loc, key), v = wholeRegion(b, loc, value);
  for (TileRegion *r : {&k, &v}) {
    r->offsets[0] = offsets[0];
    r->sizes[0] = sizes[0];
    r->offsets[1] = kvHeads->first;
    r->sizes[1] = kvHeads->second;
  }
  v.offsets[3] = offsets[3];
  v.sizes[3] = sizes[3];

  // Broadcast dims (static size 1) of the mask stay whole.
  Value mask;
  if (Value m = getMask()) {
    TileRegion mr = wholeRegion(b, loc, m);
    auto mt = cast<RankedTensorType>(m.getType());
    for (unsigned d = 0; d < 3; ++d) {
      if (d < 2 && mt.getDimSize(d) == 1)
        continue;
      mr.offsets[d] = offsets[d];
      mr.sizes[d] = sizes[d];
    }
    mask = slice(m, mr);
  }

  // Lists and positions carry a head dim of Hq or Hkv.
  auto headsOf = [&](Value t, TileRegion &r) {
    bool perQueryHead = cast<RankedTensorType>(t.getType()).getDimSize(1) ==
                        cast<RankedTensorType>(query.getType()).getDimSize(1);
    r.offsets[1] = perQueryHead ? offsets[1] : kvHeads->first;
    r.sizes[1] = perQueryHead ? sizes[1] : kvHeads->second;
    r.offsets[0] = offsets[0];
    r.sizes[0] = sizes[0];
  };
  Value indices, counts;
  if (hasBlockList()) {
    bool wholeSeq = coversWholeDim(query, q, 2);
    int64_t qb = *getQBlock();
    std::optional<int64_t> ts = getConstantIntValue(sizes[2]);
    if (!wholeSeq && (!ts || *ts % qb != 0))
      return emitOpError("query tile must be a multiple of q_block ")
             << qb << " in a block-sparse attention";
    AffineExpr s, n;
    bindDims(b.getContext(), s, n);
    for (Value t : {getBlockIndices(), getBlockCounts()}) {
      TileRegion r = wholeRegion(b, loc, t);
      headsOf(t, r);
      if (!wholeSeq) {
        r.offsets[2] = affine::makeComposedFoldedAffineApply(
            b, loc, s.floorDiv(qb), {offsets[2], sizes[2]});
        r.sizes[2] = affine::makeComposedFoldedAffineApply(
            b, loc, n.ceilDiv(qb), {offsets[2], sizes[2]});
      }
      (t == getBlockIndices() ? indices : counts) = slice(t, r);
    }
  }

  Value qpos, kpos;
  if (getQPositions()) {
    TileRegion qr = wholeRegion(b, loc, getQPositions());
    headsOf(getQPositions(), qr);
    qr.offsets[2] = offsets[2];
    qr.sizes[2] = sizes[2];
    qpos = slice(getQPositions(), qr);
    TileRegion kr = wholeRegion(b, loc, getKPositions());
    headsOf(getKPositions(), kr);
    kpos = slice(getKPositions(), kr);
  } else if ((getCausal() || getWindowLeft() || getWindowRight()) &&
             !coversWholeDim(query, q, 2)) {
    // Query i of the tile is position offset + i + (Skv - Sq); key j is j.
    OpFoldResult sq = tensor::getMixedSize(b, loc, query, 2);
    OpFoldResult skv = tensor::getMixedSize(b, loc, key, 2);
    AffineExpr o, a, c;
    bindDims(b.getContext(), o, a, c);
    OpFoldResult base = affine::makeComposedFoldedAffineApply(
        b, loc, o + c - a, {offsets[2], sq, skv});
    qpos = positionTensor(b, loc, sizes[0], sizes[1], sizes[2], base);
    kpos = positionTensor(b, loc, sizes[0], kvHeads->second, skv,
                          b.getIndexAttr(0));
  }

  SmallVector<Value> outs = {slice(getOutput(), TileRegion{
                                                    llvm::to_vector(offsets),
                                                    llvm::to_vector(sizes)})};
  if (Value lse = getLseInit())
    outs.push_back(slice(lse, TileRegion{{offsets.begin(), offsets.begin() + 3},
                                         {sizes.begin(), sizes.begin() + 3}}));
  SmallVector<Type> types = llvm::to_vector(ValueRange(outs).getTypes());
  auto tiled = AttentionOp::create(
      b, loc, types, slice(query, q), slice(key, k), slice(value, v), mask,
      indices, counts, qpos, kpos, outs, getScaleAttr(), getCausalAttr(),
      getWindowLeftAttr(), getWindowRightAttr(), getQBlockAttr(),
      getKvBlockAttr());
  // The default scale depends on D, which tiling keeps whole.
  result.tiledOps.push_back(tiled);
  llvm::append_range(result.tiledValues, tiled->getResults());
  return result;
}
