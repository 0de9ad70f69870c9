//===- TileAttention.cpp - kiln-tile: the flash-attention loop nest -------===//
//
// kiln.attention -> scf.forall (batch, head, query tile) { state = empty;
// scf.for over the KV tiles that can be visible { online_attention };
// O = acc / sum; LSE = max + log sum }. Kiln builds these loops itself
// instead of tileUsingSCF because the KV bounds are data- and
// position-dependent (causal band, window, block lists): skipped tiles are
// never iterated. The per-tile pieces (mask tile, finalization) are in
// AttentionTileBody.cpp.
//
//===----------------------------------------------------------------------===//
#include "AttentionTileBody.h"
#include "kiln/IR/KilnOps.h"
#include "kiln/Target/CpuTarget.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNTILE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::attn;

namespace {

/// The KV-tile range a query tile must visit, and whether a tile is fully
/// visible, from the causal band and the window (no position operands).
/// Keys visible to some query of [q0, q0 + qs) lie in [lo, hi].
struct Band {
  Value lo, hi;
};

Band bandOf(IndexMath &x, AttentionOp op, const TileFrame &f) {
  Value lo = x.c(0), hi = x.sub(f.skv, x.c(1));
  if (f.usesBand()) {
    Value first = x.add(f.q0, f.shift);                  // position of q0
    Value last = x.add(first, x.sub(f.qs, x.c(1)));      // of the last query
    if (op.getCausal())
      hi = x.min(hi, last);
    if (auto r = op.getWindowRightAttr())
      hi = x.min(hi, x.add(last, x.c(r.getInt())));
    if (auto l = op.getWindowLeftAttr())
      lo = x.max(lo, x.sub(first, x.c(l.getInt())));
  }
  return {lo, hi};
}

/// Whether every query of the tile sees every key of [k0, k0 + ks).
Value fullyVisible(IndexMath &x, AttentionOp op, const TileFrame &f, Value k0,
                   Value ks) {
  Value first = x.add(f.q0, f.shift);
  Value last = x.add(first, x.sub(f.qs, x.c(1)));
  Value kLast = x.sub(x.add(k0, ks), x.c(1));
  Value all = x.boolean(true);
  if (op.getCausal())
    all = x.andI(all, x.le(kLast, first));
  if (auto r = op.getWindowRightAttr())
    all = x.andI(all, x.le(kLast, x.add(first, x.c(r.getInt()))));
  if (auto l = op.getWindowLeftAttr())
    all = x.andI(all, x.le(x.sub(last, x.c(l.getInt())), k0));
  return all;
}

/// One KV tile starting at k0: online_attention, masked where needed.
State visitTile(OpBuilder &b, Location loc, AttentionOp op,
                const TileFrame &f, Value k0, const State &s) {
  IndexMath x{b, loc};
  Value ks = x.min(x.c(f.kvTile), x.sub(f.skv, k0));
  bool alwaysMasked = op.getMask() || op.getQPositions();
  if (!alwaysMasked && !f.usesBand())
    return onlineTile(b, loc, op, f, k0, ks, /*masked=*/false, s);
  if (alwaysMasked)
    return onlineTile(b, loc, op, f, k0, ks, /*masked=*/true, s);
  Value full = fullyVisible(x, op, f, k0, ks);
  auto branch = scf::IfOp::create(
      b, loc, full,
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(
            tb, tl, onlineTile(tb, tl, op, f, k0, ks, false, s).values());
      },
      [&](OpBuilder &eb, Location el) {
        scf::YieldOp::create(
            eb, el, onlineTile(eb, el, op, f, k0, ks, true, s).values());
      });
  return State::of(branch.getResults());
}

/// scf.for over [begin, end) KV tiles (times kvTile, plus `base`).
State kvLoop(OpBuilder &b, Location loc, AttentionOp op, const TileFrame &f,
             Value begin, Value end, Value base, const State &s) {
  IndexMath x{b, loc};
  auto loop = scf::ForOp::create(
      b, loc, begin, end, x.c(1), s.values(),
      [&](OpBuilder &lb, Location ll, Value t, ValueRange args) {
        IndexMath y{lb, ll};
        Value k0 = y.add(base, y.mul(t, y.c(f.kvTile)));
        scf::YieldOp::create(
            lb, ll,
            visitTile(lb, ll, op, f, k0, State::of(args)).values());
      });
  return State::of(loop.getResults());
}

/// Dense (banded) iteration: the KV tiles that meet [lo, hi].
State denseKv(OpBuilder &b, Location loc, AttentionOp op, const TileFrame &f,
              const State &s) {
  IndexMath x{b, loc};
  Band band = bandOf(x, op, f);
  Value begin = x.floorDiv(band.lo, x.c(f.kvTile));
  Value end = x.add(x.floorDiv(band.hi, x.c(f.kvTile)), x.c(1));
  end = x.select(x.le(band.lo, band.hi), end, begin); // empty band
  return kvLoop(b, loc, op, f, begin, end, x.c(0), s);
}

/// Block-sparse iteration: the first `count` listed blocks of this query
/// block, and in each the KV tiles that meet the band.
State listedKv(OpBuilder &b, Location loc, AttentionOp op, const TileFrame &f,
               const State &s) {
  IndexMath x{b, loc};
  Value list = op.getBlockIndices();
  int64_t kvBlock = op.getKvBlockAttr().getInt();
  Value head = listHead(x, list, f);
  Value qBlock = x.floorDiv(f.q0, x.c(op.getQBlockAttr().getInt()));
  Value count = x.fromI32(tensor::ExtractOp::create(
      b, loc, op.getBlockCounts(), ValueRange{f.b, head, qBlock}));
  count = x.max(x.c(0), x.min(count, x.dim(list, 3)));
  Band band = bandOf(x, op, f);
  Value kvEnd = x.min(f.skv, x.add(band.hi, x.c(1)));
  auto loop = scf::ForOp::create(
      b, loc, x.c(0), count, x.c(1), s.values(),
      [&](OpBuilder &lb, Location ll, Value c, ValueRange args) {
        IndexMath y{lb, ll};
        Value blk = y.fromI32(tensor::ExtractOp::create(
            lb, ll, list, ValueRange{f.b, head, qBlock, c}));
        Value start = y.mul(blk, y.c(kvBlock));
        Value subs = y.c(kvBlock / f.kvTile);
        Value begin =
            y.max(y.c(0), y.floorDiv(y.sub(band.lo, start), y.c(f.kvTile)));
        Value end =
            y.min(subs, y.ceilDiv(y.sub(kvEnd, start), y.c(f.kvTile)));
        // A negative entry names no key.
        end = y.select(y.lt(blk, y.c(0)), y.c(0), end);
        scf::YieldOp::create(
            lb, ll,
            kvLoop(lb, ll, op, f, begin, end, start, State::of(args))
                .values());
      });
  return State::of(loop.getResults());
}

LogicalResult tileAttention(RewriterBase &rewriter, AttentionOp op,
                            int64_t qTile, int64_t kvTile) {
  if (op.hasBlockList()) {
    qTile = std::gcd(qTile, op.getQBlockAttr().getInt());
    kvTile = std::gcd(kvTile, op.getKvBlockAttr().getInt());
  }
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  IndexMath x{rewriter, loc};
  Value q = op.getQuery();
  Value bs = x.dim(q, 0), hq = x.dim(q, 1), sq = x.dim(q, 2);
  Value nQ = x.ceilDiv(sq, x.c(qTile));
  MLIRContext *ctx = rewriter.getContext();
  ArrayAttr mapping = rewriter.getArrayAttr(
      {gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimZ),
       gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimY),
       gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX)});
  SmallVector<Value> outs(op.getOuts());
  auto forall = scf::ForallOp::create(
      rewriter, loc, SmallVector<OpFoldResult>{bs, hq, nQ}, outs, mapping);

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> ivs = forall.getInductionVars();
  TileFrame f = TileFrame::make(rewriter, loc, op, ivs[0], ivs[1],
                                x.mul(ivs[2], x.c(qTile)), qTile, kvTile);
  State s = State::empty(rewriter, loc, op, f);
  s = op.hasBlockList() ? listedKv(rewriter, loc, op, f, s)
                        : denseKv(rewriter, loc, op, f, s);
  writeResults(rewriter, loc, op, f, s, forall);
  rewriter.replaceOp(op, forall.getResults());
  return success();
}

struct KilnTile : public kiln::impl::KilnTileBase<KilnTile> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t q = qTile, kv = kvTile;
    if (q < 0 || kv < 0) {
      module.emitError("kiln-tile: tile sizes must be >= 0 (q-tile, kv-tile; "
                       "the pipeline's attention-tiles takes two: "
                       "queries,keys)");
      return signalPassFailure();
    }
    if (q == 0 || kv == 0) {
      FailureOr<CpuTarget> target = resolveCpuTarget(module, mcpu);
      if (failed(target))
        return signalPassFailure();
      if (q == 0)
        q = 128;
      if (kv == 0)
        kv = 4 * target->f32Lanes();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops)
      if (failed(tileAttention(rewriter, op, q, kv)))
        return signalPassFailure();
  }
};
} // namespace
