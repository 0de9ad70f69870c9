//===- PermuteBlockSparse.cpp - kiln-permute-block-sparse (PBS-Attn) ------===//
//
// Causal attention -> permuted block-sparse attention (ALGORITHMS.md 2.1):
//   1. key scores: softmax(scale * Q_last K^T) over the keys of complete
//      segments, Q_last the last `block` queries, averaged over those
//      queries and over the query heads of each KV head (PBS permutes per
//      KV head);
//   2. ranks: within each complete segment, the stable descending order of
//      the scores (ties toward the lower index); tail keys keep their place;
//      idx = unpermute(iota, by rank), so idx[p] is the key at position p;
//   3. K and V permuted by idx; key positions = idx, query positions =
//      i + Skv - Sq (queries are not permuted);
//   4. kiln.block_select {threshold} on the permuted keys with those
//      positions (pooled scores, cumulative threshold, sink, diagonal
//      segment), per KV head;
//   5. causal block-sparse kiln.attention with the positions, so causality
//      is on original positions and O comes out in the original order.
// Everything is kiln ops or linalg on tensors, so the reference lowering
// states the numerics and kiln-tile skips unlisted blocks.
//
//===----------------------------------------------------------------------===//
#include "BlockSparseRewrite.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"

#include <limits>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNPERMUTEBLOCKSPARSE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kMarker = "kiln.pbs";

struct Dims {
  int64_t b, hq, hkv, sq, skv, d, group;
};

struct PbsOptions {
  int64_t block, segment;
  float threshold;
  bool sink;
};

Value constF32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// A linalg.generic over `out` with the given maps (ins then out) and
/// iterator types.
Value generic(OpBuilder &b, Location loc, ValueRange ins, Value out,
              ArrayRef<AffineMap> maps,
              ArrayRef<utils::IteratorType> iterators,
              function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  return linalg::GenericOp::create(
             b, loc, out.getType(), ins, ValueRange{out}, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args));
             })
      .getResult(0);
}

Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elt,
             TypedAttr value) {
  Value e = tensor::EmptyOp::create(b, loc, shape, elt);
  Value v = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, ValueRange{v}, ValueRange{e})
      .getResult(0);
}

/// score[b, g, j] = sum over the group's query heads and the last-block
/// queries of softmax_j(scale * q . k_j), over the keys j < complete; 0 for
/// the tail keys (which are not permuted).
Value keyScores(OpBuilder &b, Location loc, AttentionOp op, const Dims &n,
                int64_t lastRows, int64_t complete) {
  MLIRContext *ctx = b.getContext();
  using IT = utils::IteratorType;
  Type f32 = b.getF32Type();
  Value qLast = tensor::ExtractSliceOp::create(
      b, loc, op.getQuery(),
      ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0),
                             b.getIndexAttr(n.sq - lastRows),
                             b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(n.b), b.getIndexAttr(n.hq),
                             b.getIndexAttr(lastRows), b.getIndexAttr(n.d)},
      ArrayRef<OpFoldResult>(SmallVector<OpFoldResult>(4, b.getIndexAttr(1))));
  // logits[b,h,r,j] = scale * sum_d q[b,h,r,d] k[b,h/G,j,d], -inf past the
  // complete segments.                       loops (b, h, r, j, d)
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(ctx, d0, d1, d2, d3, d4);
  SmallVector<int64_t> lShape = {n.b, n.hq, lastRows, n.skv};
  Value dot = generic(
      b, loc, {qLast, op.getKey()}, filled(b, loc, lShape, f32, b.getF32FloatAttr(0)),
      {AffineMap::get(5, 0, {d0, d1, d2, d4}, ctx),
       AffineMap::get(5, 0, {d0, d1.floorDiv(n.group), d3, d4}, ctx),
       AffineMap::get(5, 0, {d0, d1, d2, d3}, ctx)},
      {IT::parallel, IT::parallel, IT::parallel, IT::parallel, IT::reduction},
      [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        auto f32 = [&](Value v) -> Value {
          return v.getType().isF32()
                     ? v
                     : arith::ExtFOp::create(nb, nl, nb.getF32Type(), v);
        };
        return arith::AddFOp::create(
            nb, nl, a[2], arith::MulFOp::create(nb, nl, f32(a[0]), f32(a[1])));
      });
  float scale = op.getScaleOrDefault();
  AffineMap id4 = AffineMap::getMultiDimIdentityMap(4, ctx);
  Value logits = generic(
      b, loc, {dot}, tensor::EmptyOp::create(b, loc, lShape, f32), {id4, id4},
      SmallVector<IT>(4, IT::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value j = linalg::IndexOp::create(nb, nl, 3);
        Value inside = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::slt, j,
            arith::ConstantIndexOp::create(nb, nl, complete));
        Value v = arith::MulFOp::create(nb, nl, a[0], constF32(nb, nl, scale));
        return arith::SelectOp::create(
            nb, nl, inside, v,
            constF32(nb, nl, -std::numeric_limits<double>::infinity()));
      });
  Value probs = SoftmaxOp::create(b, loc, logits.getType(), logits,
                                  tensor::EmptyOp::create(b, loc, lShape, f32),
                                  b.getI64IntegerAttr(3))
                    .getResult();
  // score[b,g,j] = sum_{h in group g, r} probs[b, h, r, j]
  //                                          loops (b, g, j, e, r), h = gG+e
  // (`members` only gives loop e its range: linalg infers loop ranges from
  // operand dims that are plain loop indices.)
  SmallVector<int64_t> sShape = {n.b, n.hkv, n.skv};
  Value members =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{n.group}, f32);
  return generic(
      b, loc, {probs, members},
      filled(b, loc, sShape, f32, b.getF32FloatAttr(0)),
      {AffineMap::get(5, 0, {d0, d1 * n.group + d3, d4, d2}, ctx),
       AffineMap::get(5, 0, {d3}, ctx),
       AffineMap::get(5, 0, {d0, d1, d2}, ctx)},
      {IT::parallel, IT::parallel, IT::parallel, IT::reduction,
       IT::reduction},
      [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        return arith::AddFOp::create(nb, nl, a[0], a[2]);
      });
}

/// rank[b,g,j]: the position key j moves to, i.e. its segment start plus
/// the number of keys of its (complete) segment that sort before it
/// (higher score, or an equal score at a lower index); j past the complete
/// segments keeps j. Closed form, so no sort op is needed.
Value ranks(OpBuilder &b, Location loc, Value score, const Dims &n,
            int64_t segment, int64_t complete) {
  MLIRContext *ctx = b.getContext();
  using IT = utils::IteratorType;
  int64_t padded = llvm::divideCeil(n.skv, segment) * segment;
  Value zero = constF32(b, loc, 0.0);
  Value pad = tensor::createPadHighOp(
      RankedTensorType::get({n.b, n.hkv, padded}, b.getF32Type()), score,
      zero, /*nofold=*/false, loc, b);
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3); // (b, g, j, i): i over the segment
  Value span = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{segment},
                                       b.getF32Type());
  SmallVector<int64_t> rShape = {n.b, n.hkv, n.skv};
  Type i32 = b.getI32Type();
  Value before = generic(
      b, loc, {pad, score, span},
      filled(b, loc, rShape, i32, b.getI32IntegerAttr(0)),
      {AffineMap::get(4, 0, {d0, d1, d2.floorDiv(segment) * segment + d3},
                      ctx),
       AffineMap::get(4, 0, {d0, d1, d2}, ctx),
       AffineMap::get(4, 0, {d3}, ctx), AffineMap::get(4, 0, {d0, d1, d2}, ctx)},
      {IT::parallel, IT::parallel, IT::parallel, IT::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value j = linalg::IndexOp::create(nb, nl, 2);
        Value i = linalg::IndexOp::create(nb, nl, 3);
        Value seg = arith::ConstantIndexOp::create(nb, nl, segment);
        Value other = arith::AddIOp::create(
            nb, nl, arith::MulIOp::create(
                        nb, nl, arith::DivUIOp::create(nb, nl, j, seg), seg),
            i);
        Value higher = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                             a[0], a[1]);
        Value tie = arith::AndIOp::create(
            nb, nl,
            arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, a[0],
                                  a[1]),
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, other,
                                  j));
        Value counts = arith::OrIOp::create(nb, nl, higher, tie);
        Value one = arith::ExtUIOp::create(nb, nl, nb.getI32Type(), counts);
        return arith::AddIOp::create(nb, nl, a[3], one);
      });
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  return generic(
      b, loc, {before}, tensor::EmptyOp::create(b, loc, rShape, i32),
      {id3, id3}, SmallVector<IT>(3, IT::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value j = linalg::IndexOp::create(nb, nl, 2);
        Value seg = arith::ConstantIndexOp::create(nb, nl, segment);
        Value start = arith::MulIOp::create(
            nb, nl, arith::DivUIOp::create(nb, nl, j, seg), seg);
        Value permuted = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::ult, j,
            arith::ConstantIndexOp::create(nb, nl, complete));
        Value moved = arith::AddIOp::create(
            nb, nl, arith::IndexCastOp::create(nb, nl, nb.getI32Type(), start),
            a[0]);
        Value stays = arith::IndexCastOp::create(nb, nl, nb.getI32Type(), j);
        return arith::SelectOp::create(nb, nl, permuted, moved, stays);
      });
}

/// iota[b, h, s] = s + offset (i32).
Value iota(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
           int64_t offset) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(3, ctx);
  return generic(
      b, loc, {}, tensor::EmptyOp::create(b, loc, shape, b.getI32Type()),
      {id}, SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        Value s = linalg::IndexOp::create(nb, nl, 2);
        Value v = arith::IndexCastOp::create(nb, nl, nb.getI32Type(), s);
        return arith::AddIOp::create(
            nb, nl, v, arith::ConstantIntOp::create(nb, nl, offset, 32));
      });
}

void permuteBlockSparse(RewriterBase &rewriter, AttentionOp op,
                        const Dims &n, const PbsOptions &o) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  int64_t lastRows = std::min(o.block, n.sq);
  int64_t complete = n.skv / o.segment * o.segment;
  Value score = keyScores(rewriter, loc, op, n, lastRows, complete);
  Value rank = ranks(rewriter, loc, score, n, o.segment, complete);
  SmallVector<int64_t> kvPos = {n.b, n.hkv, n.skv};
  Value idx = UnpermuteOp::create(
                  rewriter, loc, rank.getType(), iota(rewriter, loc, kvPos, 0),
                  rank, tensor::EmptyOp::create(rewriter, loc, kvPos,
                                                rewriter.getI32Type()))
                  .getResult();
  auto permuted = [&](Value x) {
    auto t = cast<RankedTensorType>(x.getType());
    return PermuteOp::create(
               rewriter, loc, t, x, idx,
               tensor::EmptyOp::create(rewriter, loc, t.getShape(),
                                       t.getElementType()))
        .getResult();
  };
  Value key = permuted(op.getKey()), value = permuted(op.getValue());
  Value qPos = iota(rewriter, loc, {n.b, n.hkv, n.sq}, n.skv - n.sq);
  int64_t nQ = llvm::divideCeil(n.sq, o.block);
  int64_t nK = llvm::divideCeil(n.skv, o.block);
  Value idx0 = emptyI32(rewriter, loc, {n.b, n.hkv, nQ, nK}, {});
  Value cnt0 = emptyI32(rewriter, loc, {n.b, n.hkv, nQ}, {});
  auto select = BlockSelectOp::create(
      rewriter, loc, TypeRange{idx0.getType(), cnt0.getType()},
      op.getQuery(), key, idx, ValueRange{idx0, cnt0},
      BlockSelectMode::Threshold, o.block, o.block, /*k=*/nullptr,
      rewriter.getF32FloatAttr(o.threshold), o.segment, /*causal=*/true,
      o.sink, op.getScaleAttr());
  replaceWithBlockSparse(rewriter, op, key, value, select.getResult(0),
                         select.getResult(1), qPos, idx, o.block);
}

struct KilnPermuteBlockSparse
    : public kiln::impl::KilnPermuteBlockSparseBase<KilnPermuteBlockSparse> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize <= 0 || segmentSize <= 0 || segmentSize % blockSize != 0 ||
        !(threshold > 0.0f && threshold <= 1.0f)) {
      module.emitError("kiln-permute-block-sparse: block-size must be > 0, "
                       "segment-size a positive multiple of it, and "
                       "threshold in (0, 1]");
      return signalPassFailure();
    }
    PbsOptions opts{blockSize, segmentSize, threshold, sink};
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) {
      if (selectedForRouting(op, kMarker, all))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      bool marked = op->hasAttr(kMarker);
      op->removeAttr(kMarker);
      std::string why = routingObstacle(op);
      auto q = cast<RankedTensorType>(op.getQuery().getType());
      auto k = cast<RankedTensorType>(op.getKey().getType());
      if (why.empty() && !(q.hasStaticShape() && k.hasStaticShape()))
        why = "PBS needs static shapes (the block list holds every key "
              "block)";
      if (!why.empty()) {
        if (!marked)
          continue;
        op.emitError() << "kiln-permute-block-sparse: cannot permute this "
                          "attention: "
                       << why;
        return signalPassFailure();
      }
      Dims n{q.getDimSize(0), q.getDimSize(1), k.getDimSize(1),
             q.getDimSize(2), k.getDimSize(2), q.getDimSize(3),
             q.getDimSize(1) / k.getDimSize(1)};
      // Dense where no complete segment precedes the last one (the
      // reference code's N <= S fallback) or below min-seq-len.
      if (n.skv <= segmentSize || n.sq < minSeqLen)
        continue;
      permuteBlockSparse(rewriter, op, n, opts);
    }
  }
};
} // namespace
