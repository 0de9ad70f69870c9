//===- FuseAttention.cpp - kiln-fuse-attention ----------------------------===//
//
// Recognizes attention written out as ops, as a model exporter writes it,
// and rewrites it to one kiln.attention (so kiln-tile and the routing passes
// apply):
//   s = kiln.matmul(q, k) {transpose_b}   (or kiln.matmul(q, linalg.transpose
//                                          of k swapping the last two dims))
//   s = s * c  |  s / c                   (optional, c a splat constant)
//   s = s + m                             (optional additive mask)
//     or s = select(c, fill, s) / select(c, s, fill)  (masked_fill with a
//     constant condition and a fill of -inf or at most -1e30)
//   p = kiln.softmax(s) over the last dim
//   o = kiln.matmul(p, v)
// q, k, v and o are [B, H, S, D] f32. A constant mask that is 0 on and below
// the causal diagonal (j <= i + T - S) and -inf, or at most -1e30, above it
// becomes `causal`; any other mask [B or 1, H or 1, S, T] is kept as the
// op's mask. A masked_fill becomes `causal` when its hidden positions are
// the causal ones, or else an additive 0 / fill mask (the same result for
// finite scores; a finite fill stays the mask's value, so a row it hides
// entirely still averages V as in the graph). Constant masks are judged by
// the values the scores see (through broadcasts and reshapes,
// ConstantMask.h). K may come through any transpose whose last two dims are
// swapped (an exporter transposes [B, S, H, D] to [B, H, D, S] in one op).
// The intermediate values must have no other users.
//
//===----------------------------------------------------------------------===//
#include "AttentionMatchers.h"
#include "ConstantMask.h"
#include "kiln/IR/KilnOps.h"
#include "Remarks.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFUSEATTENTION
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::attention_match;

namespace {
constexpr llvm::StringLiteral kPass = "kiln-fuse-attention";

struct FuseAttentionPattern : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp pv,
                                PatternRewriter &b) const override {
    auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax)
      return failure(); // not a candidate
    // From here on a softmax feeds this matmul: a candidate, whose outcome
    // is a kiln-fusion remark on the softmax.
    auto miss = [&](const Twine &reason) {
      return remarks::fusionMissed(softmax, kPass, "attention", reason);
    };
    if (pv.getTransposeB())
      return miss("P V multiplies by V transposed");
    if (!softmax->hasOneUse())
      return miss("the softmax has other uses than P V (the probabilities "
                  "are needed elsewhere)");
    int64_t rank = cast<RankedTensorType>(softmax.getType()).getRank();
    int64_t dim = softmax.getDimension();
    if ((dim < 0 ? dim + rank : dim) != rank - 1)
      return miss("softmax is not over the last dim");
    Value s = softmax.getInput();
    Value mask;
    bool causal = false;
    SmallVector<float> selectMask;
    RankedTensorType selectMaskType;
    if (auto sel = s.getDefiningOp<arith::SelectOp>()) {
      if (!sel->hasOneUse())
        return miss("the masking select has other uses");
      bool keepWhen = isHidingFill(sel.getTrueValue()) ? false : true;
      Value fill = keepWhen ? sel.getFalseValue() : sel.getTrueValue();
      if (!isHidingFill(fill))
        return miss("select does not hide with -inf");
      std::optional<ConstantMask> cond =
          evaluateConstantMask(sel.getCondition());
      if (!cond)
        return miss("select condition is not constant");
      std::optional<SmallVector<bool>> kept = keptPositions(*cond, keepWhen);
      if (!kept)
        return miss("condition differs across slices");
      int64_t sq = cond->rows(), skv = cond->cols();
      // Hidden scores become the fill: with -inf a row that keeps nothing
      // gives 0 (kiln.softmax's rule, and kiln.attention's), with a finite
      // fill it averages V. So a finite fill stays in an additive mask
      // (s + fill rounds to fill for any score below 1e22 in magnitude),
      // and only a -inf fill, or a mask where every row keeps a score, may
      // become `causal`.
      double fillValue = *splatValue(fill);
      bool everyRowKeeps = true;
      for (int64_t i = 0; i < sq; ++i)
        everyRowKeeps &= llvm::any_of(ArrayRef<bool>(*kept).slice(i * skv, skv),
                                      [](bool k) { return k; });
      causal = everyRowKeeps || std::isinf(fillValue);
      for (int64_t i = 0; i < sq; ++i)
        for (int64_t j = 0; j < skv; ++j)
          causal &= (*kept)[i * skv + j] == (j <= i + skv - sq);
      if (!causal) {
        // An additive 0 / fill mask [1, 1, S, T], made once all checks pass.
        for (bool k : *kept)
          selectMask.push_back(k ? 0.0f : float(fillValue));
        int64_t r = cast<RankedTensorType>(pv.getType()).getRank();
        SmallVector<int64_t> shape(r - 2, 1);
        shape.append({sq, skv});
        selectMaskType = RankedTensorType::get(shape, b.getF32Type());
      }
      s = keepWhen ? sel.getTrueValue() : sel.getFalseValue();
    } else if (auto add = s.getDefiningOp<arith::AddFOp>()) {
      if (!add->hasOneUse())
        return miss("the mask addition has other uses");
      // The scores are the operand that leads (through a splat scaling) to
      // the QK^T matmul; a mask may itself be computed, so test both.
      auto leadsToMatmul = [](Value x) {
        if (auto scaled = splatScaling(x))
          x = scaled->second;
        return x.getDefiningOp<MatmulOp>() != nullptr;
      };
      bool lhsScores = leadsToMatmul(add.getLhs());
      if (lhsScores == leadsToMatmul(add.getRhs()))
        return miss("cannot tell the scores from the mask");
      s = lhsScores ? add.getLhs() : add.getRhs();
      mask = lhsScores ? add.getRhs() : add.getLhs();
    }
    double scale = 1.0; // no scale op: scores are used as they are
    if (auto scaled = splatScaling(s)) {
      scale = scaled->first;
      s = scaled->second;
    }
    auto qk = s.getDefiningOp<MatmulOp>();
    if (!qk || !qk->hasOneUse())
      return miss("no Q K^T matmul");
    Value q = qk.getLhs(), k = qk.getRhs(), v = pv.getRhs();
    // nn.MultiheadAttention scales q before the matmul.
    if (auto scaled = splatScaling(q)) {
      scale *= scaled->first;
      q = scaled->second;
    }
    linalg::TransposeOp kT;
    if (!qk.getTransposeB()) {
      kT = transposeOf(k);
      if (!kT)
        return miss("K is not transposed");
      k = kT.getInput();
    }
    if ((rank != 3 && rank != 4) || !isF32OfRank(q, rank) ||
        !isF32OfRank(k, rank) || !isF32OfRank(v, rank) ||
        !isF32OfRank(pv.getResult(), rank))
      return miss("not [B, H, S, D] or [B*H, S, D] f32");
    if (!(scale > 0.0) || !std::isfinite(scale))
      return miss("scale is not finite and > 0");
    if (mask && !causal) {
      std::optional<double> splat = splatValue(mask);
      std::optional<ConstantMask> constant = evaluateConstantMask(mask);
      AdditiveMaskKind kind = AdditiveMaskKind::Other;
      if (splat && *splat == 0.0)
        kind = AdditiveMaskKind::Zero;
      else if (constant)
        kind = classifyAdditiveMask(*constant);
      if (kind == AdditiveMaskKind::Causal)
        causal = true;
      if (kind == AdditiveMaskKind::Zero || kind == AdditiveMaskKind::Causal)
        mask = Value(); // adds nothing beyond `causal`
      else if (!isF32OfRank(mask, rank))
        return miss("mask is not [B|1, H|1, S, T] f32");
    }
    // Every check passed: build what the fused op reads.
    if (kT)
      k = untransposed(b, kT);
    if (!selectMask.empty())
      mask = arith::ConstantOp::create(
          b, pv.getLoc(),
          DenseElementsAttr::get(selectMaskType, ArrayRef<float>(selectMask)));
    // Always explicit: without a scale op it is 1, not the 1/sqrt(D)
    // default of kiln.attention.
    FloatAttr scaleAttr = b.getF32FloatAttr(float(scale));
    Location loc = pv.getLoc();
    Value init = pv.getInit();
    if (rank == 3) { // [B*H, S, D] as [1, B*H, S, D]
      q = withUnitBatch(b, loc, q);
      k = withUnitBatch(b, loc, k);
      v = withUnitBatch(b, loc, v);
      init = withUnitBatch(b, loc, init);
      if (mask)
        mask = withUnitBatch(b, loc, mask);
    }
    auto fused = AttentionOp::create(
        b, loc, TypeRange{init.getType()}, q, k, v, mask, Value(), Value(),
        Value(), Value(), ValueRange{init}, scaleAttr,
        causal ? b.getUnitAttr() : nullptr, nullptr, nullptr, nullptr,
        nullptr);
    Value out = fused->getResult(0);
    if (rank == 3)
      out = tensor::CollapseShapeOp::create(
          b, loc, pv.getType(), out,
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
    remarks::fusionDone(softmax, kPass, "attention",
                        Twine("fused into one kiln.attention") +
                            (causal ? " {causal}" : "") +
                            (mask ? " with an additive mask" : ""));
    b.replaceOp(pv, out);
    return success();
  }
};

/// tensor.dim of an element-wise op's result -> tensor.dim of its first
/// operand of the same shape. With dynamic dims an importer sizes each
/// broadcast by a dim of the value before it; those uses would otherwise
/// keep the decomposed attention's intermediates alive (and unfused).
struct DimOfElementwise : OpRewritePattern<tensor::DimOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::DimOp dim,
                                PatternRewriter &b) const override {
    Operation *op = dim.getSource().getDefiningOp();
    if (!op || !op->hasTrait<OpTrait::Elementwise>() ||
        op->getNumResults() != 1)
      return failure();
    auto type = cast<RankedTensorType>(dim.getSource().getType());
    for (Value operand : op->getOperands()) {
      auto t = dyn_cast<RankedTensorType>(operand.getType());
      if (t && t.getShape() == type.getShape()) {
        b.modifyOpInPlace(dim, [&] { dim.getSourceMutable().assign(operand); });
        return success();
      }
    }
    return failure();
  }
};

struct KilnFuseAttention
    : public kiln::impl::KilnFuseAttentionBase<KilnFuseAttention> {
  using Base::Base;
  void runOnOperation() override {
    // First move the dims off the intermediates (DPS results resolve to
    // their inits through tensor.dim's canonicalization).
    RewritePatternSet dims(&getContext());
    dims.add<DimOfElementwise>(&getContext());
    tensor::DimOp::getCanonicalizationPatterns(dims, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(dims))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttentionPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
