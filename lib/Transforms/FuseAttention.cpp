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
// the causal ones, or else an additive 0 / -inf mask (the same result for
// finite scores). K may come through any transpose whose last two dims are
// swapped (an exporter transposes [B, S, H, D] to [B, H, D, S] in one op).
// The intermediate values must have no other users.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
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

namespace {
/// The value of a splat f32 constant, or nothing. A linalg.fill of a
/// constant and a linalg.broadcast of a splat count (dynamic shapes).
std::optional<double> splatValue(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    FloatAttr f;
    if (matchPattern(fill.getInputs()[0], m_Constant(&f)) &&
        f.getType().isF32())
      return f.getValueAsDouble();
    return std::nullopt;
  }
  if (auto bc = v.getDefiningOp<linalg::BroadcastOp>())
    v = bc.getInput();
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<float>();
}

/// Whether the constant mask `m` ([..., S, T]; a linalg.broadcast of a
/// constant counts) is the causal mask in every [S, T] slice: 0 where
/// j <= i + T - S, hiding (-inf or <= -1e30) above.
bool isCausalMask(Value m) {
  if (auto bc = m.getDefiningOp<linalg::BroadcastOp>())
    m = bc.getInput();
  // Reshapes keep the row-major order, so the [S, T] slices stay the last
  // two dims of the value that is checked.
  auto type = dyn_cast<RankedTensorType>(m.getType());
  while (auto op = m.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      break;
    m = op->getOperand(0);
  }
  auto cst = m.getDefiningOp<arith::ConstantOp>();
  if (!cst || !type || type.getRank() < 2 || !type.getElementType().isF32())
    return false;
  SmallVector<float> values;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    if (dense.isSplat())
      return false;
    values.assign(dense.getValues<float>().begin(),
                  dense.getValues<float>().end());
  } else if (auto blob =
                 dyn_cast<DenseF32ResourceElementsAttr>(cst.getValue())) {
    // An imported mask large enough to be stored as a blob.
    std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef();
    if (!data)
      return false;
    values.assign(data->begin(), data->end());
  } else {
    return false;
  }
  int64_t rank = type.getRank();
  int64_t s = type.getDimSize(rank - 2), t = type.getDimSize(rank - 1);
  int64_t idx = 0;
  for (float x : values) {
    int64_t i = idx / t % s, j = idx % t;
    ++idx;
    bool visible = j <= i + t - s;
    if (visible ? x != 0.0f : !(x <= -1e30f))
      return false;
  }
  return true;
}

/// The transpose `rhs` comes from (used only here), or null.
linalg::TransposeOp transposeOf(Value rhs) {
  auto tr = rhs.getDefiningOp<linalg::TransposeOp>();
  if (!tr || !tr->hasOneUse() || tr.getPermutation().size() < 2)
    return nullptr;
  return tr;
}

/// K such that the transpose `tr` gives K with its last two dims swapped:
/// its input, or a new transpose of the input when the permutation also
/// moves other dims.
Value untransposed(PatternRewriter &b, linalg::TransposeOp tr) {
  SmallVector<int64_t> perm(tr.getPermutation());
  int64_t r = perm.size();
  std::swap(perm[r - 2], perm[r - 1]);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, r)))
    return tr.getInput();
  auto type = cast<RankedTensorType>(tr.getInput().getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t p : perm)
    sizes.push_back(tensor::getMixedSize(b, tr.getLoc(), tr.getInput(), p));
  Value init = tensor::EmptyOp::create(b, tr.getLoc(), sizes,
                                       type.getElementType());
  return linalg::TransposeOp::create(b, tr.getLoc(), tr.getInput(), init,
                                     perm)
      .getResult()[0];
}

/// The constant i1 condition of a masked_fill (a linalg.broadcast of a
/// constant counts), expanded to [S, T] visibility: true where the scores
/// are kept. `keepWhen` is the condition value that keeps them.
std::optional<SmallVector<bool>> keptPositions(Value cond, bool keepWhen,
                                               int64_t &s, int64_t &t) {
  if (auto bc = cond.getDefiningOp<linalg::BroadcastOp>()) {
    // Only leading (batch, head) dims may be broadcast.
    ArrayRef<int64_t> dims = bc.getDimensions();
    int64_t rank = cast<RankedTensorType>(bc.getInit().getType()).getRank();
    for (int64_t d : dims)
      if (d >= rank - 2)
        return std::nullopt;
    cond = bc.getInput();
  }
  DenseElementsAttr attr;
  if (!matchPattern(cond, m_Constant(&attr)) ||
      !attr.getElementType().isInteger(1))
    return std::nullopt;
  auto type = cast<RankedTensorType>(attr.getType());
  if (type.getRank() < 2)
    return std::nullopt;
  s = type.getDimSize(type.getRank() - 2);
  t = type.getDimSize(type.getRank() - 1);
  SmallVector<bool> kept;
  int64_t idx = 0, slice = s * t;
  for (bool c : attr.getValues<bool>()) {
    if (idx < slice)
      kept.push_back(c == keepWhen);
    else if ((c == keepWhen) != kept[idx % slice])
      return std::nullopt; // differs across batch/head slices
    ++idx;
  }
  return kept;
}

/// The fill of a masked_fill hides scores: -inf or at most -1e30.
bool isHidingFill(Value fill) {
  std::optional<double> v = splatValue(fill);
  return v && *v <= -1e30;
}

/// f32 of rank `rank` ([B, H, S, D], or [B*H, S, D] as
/// nn.MultiheadAttention exports it).
bool isF32OfRank(Value v, int64_t rank) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == rank && t.getElementType().isF32();
}

/// A splat multiply or divide of `v` (used only there): the scale it
/// applies and its other operand.
std::optional<std::pair<double, Value>> splatScaling(Value v) {
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    std::optional<double> c = splatValue(mul.getRhs());
    if (c && mul->hasOneUse())
      return std::make_pair(*c, mul.getLhs());
  } else if (auto div = v.getDefiningOp<arith::DivFOp>()) {
    std::optional<double> c = splatValue(div.getRhs());
    if (c && *c != 0.0 && div->hasOneUse())
      return std::make_pair(1.0 / *c, div.getLhs());
  }
  return std::nullopt;
}

/// `v` of rank 3 with a leading unit dim added (rank 4).
Value withUnitBatch(PatternRewriter &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape = {1};
  shape.append(t.getShape().begin(), t.getShape().end());
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  for (int64_t d = 0; d < 3; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, v, d));
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, t.getElementType()), v,
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}}, sizes);
}

struct FuseAttentionPattern : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp pv,
                                PatternRewriter &b) const override {
    if (pv.getTransposeB())
      return failure();
    auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || !softmax->hasOneUse())
      return b.notifyMatchFailure(pv, "lhs is not a softmax used once");
    int64_t rank = cast<RankedTensorType>(softmax.getType()).getRank();
    int64_t dim = softmax.getDimension();
    if ((dim < 0 ? dim + rank : dim) != rank - 1)
      return b.notifyMatchFailure(pv, "softmax is not over the last dim");
    Value s = softmax.getInput();
    Value mask;
    bool causal = false;
    SmallVector<float> selectMask;
    RankedTensorType selectMaskType;
    if (auto sel = s.getDefiningOp<arith::SelectOp>()) {
      if (!sel->hasOneUse())
        return failure();
      bool keepWhen = isHidingFill(sel.getTrueValue()) ? false : true;
      Value fill = keepWhen ? sel.getFalseValue() : sel.getTrueValue();
      if (!isHidingFill(fill))
        return b.notifyMatchFailure(pv, "select does not hide with -inf");
      int64_t sq = 0, skv = 0;
      std::optional<SmallVector<bool>> kept =
          keptPositions(sel.getCondition(), keepWhen, sq, skv);
      if (!kept)
        return b.notifyMatchFailure(pv, "select condition is not constant");
      causal = true;
      for (int64_t i = 0; i < sq; ++i)
        for (int64_t j = 0; j < skv; ++j)
          causal &= (*kept)[i * skv + j] == (j <= i + skv - sq);
      if (!causal) {
        // An additive 0 / -inf mask [1, 1, S, T], made once all checks pass.
        for (bool k : *kept)
          selectMask.push_back(k ? 0.0f
                                 : -std::numeric_limits<float>::infinity());
        int64_t r = cast<RankedTensorType>(pv.getType()).getRank();
        SmallVector<int64_t> shape(r - 2, 1);
        shape.append({sq, skv});
        selectMaskType = RankedTensorType::get(shape, b.getF32Type());
      }
      s = keepWhen ? sel.getTrueValue() : sel.getFalseValue();
    } else if (auto add = s.getDefiningOp<arith::AddFOp>()) {
      if (!add->hasOneUse())
        return failure();
      // The scores are the operand that leads to the QK^T matmul.
      bool lhsScores = add.getLhs().getDefiningOp<MatmulOp>() ||
                       add.getLhs().getDefiningOp<arith::MulFOp>() ||
                       add.getLhs().getDefiningOp<arith::DivFOp>();
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
      return b.notifyMatchFailure(pv, "no Q K^T matmul");
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
        return b.notifyMatchFailure(pv, "K is not transposed");
      k = kT.getInput();
    }
    if ((rank != 3 && rank != 4) || !isF32OfRank(q, rank) ||
        !isF32OfRank(k, rank) || !isF32OfRank(v, rank) ||
        !isF32OfRank(pv.getResult(), rank))
      return b.notifyMatchFailure(pv, "not [B, H, S, D] or [B*H, S, D] f32");
    if (!(scale > 0.0) || !std::isfinite(scale))
      return b.notifyMatchFailure(pv, "scale is not finite and > 0");
    if (mask && !causal) {
      std::optional<double> zero = splatValue(mask);
      if (zero && *zero == 0.0) {
        mask = Value(); // adds nothing
      } else if (isCausalMask(mask)) {
        causal = true;
        mask = Value();
      } else if (!isF32OfRank(mask, rank)) {
        return b.notifyMatchFailure(pv, "mask is not [B|1, H|1, S, T] f32");
      }
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
