//===- PermuteToLinalg.cpp - kiln.permute / kiln.unpermute ----------------===//
//
// permute is a gather along the sequence dim:
//   out[b,h,s,...] = x[b,h,idx[b,h,s],...]
// unpermute first scatters the inverse permutation, inv[b,h,idx[b,h,s]] = s,
// with scf loops, then gathers with it: out[b,h,t,...] = x[b,h,inv[b,h,t],...]
// (so out[b,h,idx[b,h,s],...] = x[b,h,s,...]).
//
//===----------------------------------------------------------------------===//
#include "AttentionPatterns.h"
#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (isa<IndexType>(v.getType()))
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// out[b,h,s,...] = x[b,h,perm[b,h,s],...], written into `init`.
Value gather(OpBuilder &b, Location loc, Value x, Value perm, Value init) {
  unsigned r = cast<RankedTensorType>(x.getType()).getRank();
  return buildGeneric(
      b, loc, r, perm, loopMap(b.getContext(), r, {0, 1, 2}), init, 0,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        SmallVector<Value> coords;
        for (unsigned d = 0; d < r; ++d)
          coords.push_back(d == 2 ? toIndex(nb, nl, a[0])
                                  : linalg::IndexOp::create(nb, nl, d));
        return tensor::ExtractOp::create(nb, nl, x, coords);
      });
}

struct PermuteLowering : OpRewritePattern<PermuteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermuteOp op,
                                PatternRewriter &b) const override {
    b.replaceOp(op, gather(b, op.getLoc(), op.getInput(), op.getIndices(),
                           op.getInit()));
    return success();
  }
};

struct UnpermuteLowering : OpRewritePattern<UnpermuteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UnpermuteOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value idx = op.getIndices();
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, idx);
    // inv starts at 0 so that indices that are not a permutation still
    // gather in bounds.
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value inv = tensor::EmptyOp::create(b, loc, sizes, b.getIndexType());
    inv = linalg::FillOp::create(b, loc, zero, inv).getResult(0);
    SmallVector<Value> ubs;
    for (OpFoldResult s : sizes)
      ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, {zero, zero, zero}, ubs, {one, one, one}, inv,
        [&](OpBuilder &nb, Location nl, ValueRange ivs,
            ValueRange iter) -> scf::ValueVector {
          Value t = toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, idx, ivs));
          Value next = tensor::InsertOp::create(
              nb, nl, ivs[2], iter[0], ValueRange{ivs[0], ivs[1], t});
          return {next};
        });
    b.replaceOp(op, gather(b, loc, op.getInput(), nest.results[0],
                           op.getInit()));
    return success();
  }
};
} // namespace

void mlir::kiln::detail::populatePermuteToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<PermuteLowering, UnpermuteLowering>(patterns.getContext());
}
