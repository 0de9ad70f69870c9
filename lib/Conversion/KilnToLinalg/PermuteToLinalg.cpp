//===- PermuteToLinalg.cpp - kiln.permute / kiln.unpermute ----------------===//
//
// permute is a gather along the sequence dim:
//   out[b,h,s,...] = x[b,h,idx[b,h,s],...]
// unpermute first scatters the inverse permutation, inv[b,h,idx[b,h,s]] = s,
// with scf loops, then gathers with it: out[b,h,t,...] = x[b,h,inv[b,h,t],...]
// (so out[b,h,idx[b,h,s],...] = x[b,h,s,...]).
// Indices that are not a constant (the verifier checks those) are checked
// at run time: a scan marks each target in a [B, H, S] i1 tensor and a
// repeat or an index outside [0, S) fails a cf.assert, which the artifact
// reports to the runtime (KILN_ERROR_DATA). Reads and writes clamp the
// index to [0, S) meanwhile, so bad indices never reach outside memory.
//
//===----------------------------------------------------------------------===//
#include "AttentionPatterns.h"
#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (isa<IndexType>(v.getType()))
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// `i` clamped to [0, n - 1] (0 when n is 0: nothing reads it then).
Value clampIndex(OpBuilder &b, Location loc, Value i, Value n) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last = arith::SubIOp::create(
      b, loc, n, arith::ConstantIndexOp::create(b, loc, 1));
  return arith::MaxSIOp::create(b, loc, zero,
                                arith::MinSIOp::create(b, loc, i, last));
}

/// cf.assert that every idx[b,h,:] is a permutation of [0, S); nothing for
/// constant indices (the verifier's).
void checkPermutation(OpBuilder &b, Location loc, Operation *op, Value idx) {
  if (matchPattern(idx, m_Constant()))
    return;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, idx);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> ubs;
  for (OpFoldResult s : sizes)
    ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
  Value seen = tensor::EmptyOp::create(b, loc, sizes, b.getI1Type());
  Value no = arith::ConstantIntOp::create(b, loc, 0, 1);
  Value yes = arith::ConstantIntOp::create(b, loc, 1, 1);
  seen = linalg::FillOp::create(b, loc, no, seen).getResult(0);
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, {zero, zero, zero}, ubs, {one, one, one}, {seen, yes},
      [&](OpBuilder &nb, Location nl, ValueRange ivs,
          ValueRange iter) -> scf::ValueVector {
        Value t =
            toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, idx, ivs));
        Value inRange = arith::AndIOp::create(
            nb, nl,
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, t, zero),
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, t,
                                  ubs[2]));
        SmallVector<Value> at = {ivs[0], ivs[1],
                                 clampIndex(nb, nl, t, ubs[2])};
        Value repeat = tensor::ExtractOp::create(nb, nl, iter[0], at);
        Value fresh = arith::XOrIOp::create(nb, nl, repeat, yes);
        Value ok = arith::AndIOp::create(
            nb, nl, iter[1], arith::AndIOp::create(nb, nl, inRange, fresh));
        Value marked = tensor::InsertOp::create(nb, nl, yes, iter[0], at);
        return {marked, ok};
      });
  std::string where;
  llvm::raw_string_ostream os(where);
  os << op->getName();
  // file:line:col without the folder: the text goes into the artifact.
  if (auto file = loc->findInstanceOf<FileLineColLoc>())
    os << " at " << llvm::sys::path::filename(file.getFilename().getValue())
       << ":" << file.getLine() << ":" << file.getColumn();
  os << ": the indices of some (batch, head) are not a permutation of "
        "[0, S)";
  cf::AssertOp::create(b, loc, nest.results[1], where);
}

/// out[b,h,s,...] = x[b,h,perm[b,h,s],...], written into `init`.
Value gather(OpBuilder &b, Location loc, Value x, Value perm, Value init) {
  unsigned r = cast<RankedTensorType>(x.getType()).getRank();
  Value s = tensor::DimOp::create(b, loc, x, 2);
  return buildGeneric(
      b, loc, r, perm, loopMap(b.getContext(), r, {0, 1, 2}), init, 0,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        SmallVector<Value> coords;
        for (unsigned d = 0; d < r; ++d)
          coords.push_back(
              d == 2 ? clampIndex(nb, nl, toIndex(nb, nl, a[0]), s)
                     : linalg::IndexOp::create(nb, nl, d).getResult());
        return tensor::ExtractOp::create(nb, nl, x, coords);
      });
}

struct PermuteLowering : OpRewritePattern<PermuteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermuteOp op,
                                PatternRewriter &b) const override {
    checkPermutation(b, op.getLoc(), op, op.getIndices());
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
    checkPermutation(b, loc, op, idx);
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
          Value t = clampIndex(
              nb, nl,
              toIndex(nb, nl, tensor::ExtractOp::create(nb, nl, idx, ivs)),
              ubs[2]);
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
