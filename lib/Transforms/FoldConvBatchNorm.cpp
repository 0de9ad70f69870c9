//===- FoldConvBatchNorm.cpp - kiln-fold-conv-bn (deploy mode) ------------===//
//
// kiln.batch_norm(kiln.conv(x, W) [+ bias]) with constant statistics, on
// the conv's output channel, becomes one conv (ALGORITHMS.md 2.5, deploy
// mode): s = gamma / sqrt(var + eps) per output channel,
//   W' = W * s  (along the filter's output-channel dim),
//   b' = (b - mean) * s + beta,
// computed in double and stored as f32 constants. A conv whose filter is
// not constant keeps W and gets an `affine` epilogue step (s, then
// beta - mean * s after its bias) instead: the same fusion, scaled at run
// time. Convs with other epilogue steps (an activation before the BN) or
// other users are left alone.
//
//===----------------------------------------------------------------------===//
#include "ConstantData.h"
#include "kiln/IR/KilnOps.h"
#include "Remarks.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNFOLDCONVBN
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// The values of a constant f32 tensor of `count` elements (dense or a
/// blob, as the ONNX importer stores weights), or nothing.
std::optional<std::vector<double>> constantValues(Value v, int64_t count) {
  std::optional<std::vector<float>> values = f32ConstantValues(v);
  if (!values || int64_t(values->size()) != count)
    return std::nullopt;
  return std::vector<double>(values->begin(), values->end());
}

/// An f32 constant; large ones stay blobs, like the weights they replace.
Value f32Constant(PatternRewriter &b, Location loc, ArrayRef<int64_t> shape,
                  ArrayRef<double> values) {
  SmallVector<float> data(values.begin(), values.end());
  return createF32Constant(b, loc, RankedTensorType::get(shape, b.getF32Type()),
                           data, "folded_conv_bn");
}

constexpr llvm::StringLiteral kPass = "kiln-fold-conv-bn";

struct FoldConvBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &b) const override {
    auto conv = bn.getInput().getDefiningOp<ConvOp>();
    if (!conv)
      return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "its input is not a kiln.conv");
    if (!conv->hasOneUse())
      return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "the conv's result has other uses");
    // Only [] or [bias]: a BN after an activation does not fold.
    ArrayAttr steps = conv.getEpilogue();
    bool hasBias = false;
    if (steps.size() > 1)
      return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "conv epilogue has more than a bias");
    if (steps.size() == 1) {
      if (cast<EpilogueStepAttr>(steps[0]).getKind() != EpilogueKind::Bias)
        return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "conv epilogue is not a bias");
      hasBias = true;
    }
    auto outType = cast<RankedTensorType>(conv.getResult().getType());
    int64_t rank = outType.getRank();
    int64_t channelDim =
        conv.getDataLayout() == kiln::DataLayout::NCHW ? 1 : rank - 1;
    int64_t axis = bn.getChannelAxis();
    if ((axis < 0 ? axis + rank : axis) != channelDim)
      return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "normalizes another axis");
    int64_t channels = outType.getDimSize(channelDim);
    if (ShapedType::isDynamic(channels))
      return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "dynamic channel count");
    auto gamma = constantValues(bn.getGamma(), channels);
    auto beta = constantValues(bn.getBeta(), channels);
    auto mean = constantValues(bn.getMean(), channels);
    auto var = constantValues(bn.getVariance(), channels);
    if (!gamma || !beta || !mean || !var)
      return remarks::fusionMissed(bn, kPass, "conv-bn",
                                   "statistics are not f32 constants");
    std::optional<std::vector<double>> bias =
        std::vector<double>(size_t(channels), 0.0);
    if (hasBias)
      bias = constantValues(conv.getEpilogueOperands()[0], channels);

    double eps = bn.getEpsilon().convertToDouble();
    std::vector<double> scale(static_cast<size_t>(channels)),
        shift(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      scale[c] = (*gamma)[c] / std::sqrt((*var)[c] + eps);
      shift[c] = (*beta)[c] - (*mean)[c] * scale[c];
    }

    Location loc = bn.getLoc();
    auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
    int64_t outDim =
        conv.getFilterLayout() == FilterLayout::HWIO ? filterType.getRank() - 1
                                                     : 0;
    auto weights = filterType.hasStaticShape()
                       ? constantValues(conv.getFilter(),
                                        filterType.getNumElements())
                       : std::nullopt;
    Value filter = conv.getFilter();
    SmallVector<Value> operands;
    SmallVector<Attribute> newSteps;
    MLIRContext *ctx = b.getContext();
    auto step = [&](EpilogueKind k) {
      return EpilogueStepAttr::get(ctx, k, nullptr, nullptr);
    };
    if (weights && bias) {
      // Deploy mode: the scale goes into the weights, the rest into a bias.
      int64_t inner = 1;
      for (int64_t d = outDim + 1; d < filterType.getRank(); ++d)
        inner *= filterType.getDimSize(d);
      for (size_t i = 0; i < weights->size(); ++i)
        (*weights)[i] *= scale[(i / size_t(inner)) % size_t(channels)];
      std::vector<double> folded(static_cast<size_t>(channels));
      for (int64_t c = 0; c < channels; ++c)
        folded[c] = (*bias)[c] * scale[c] + shift[c];
      filter = f32Constant(b, loc, filterType.getShape(), *weights);
      operands.push_back(f32Constant(b, loc, {channels}, folded));
      newSteps.push_back(step(EpilogueKind::Bias));
    } else {
      // Run-time scaling: the conv's epilogue gets the affine step.
      operands.append(conv.getEpilogueOperands().begin(),
                      conv.getEpilogueOperands().end());
      newSteps.append(steps.begin(), steps.end());
      operands.push_back(f32Constant(b, loc, {channels}, scale));
      operands.push_back(f32Constant(b, loc, {channels}, shift));
      newSteps.push_back(step(EpilogueKind::Affine));
    }
    auto fused = ConvOp::create(
        b, loc, bn.getResult().getType(), conv.getInput(), filter, operands,
        bn.getInit(), conv.getStridesAttr(), conv.getPadLowAttr(),
        conv.getPadHighAttr(), conv.getDilationsAttr(), conv.getGroupsAttr(),
        conv.getDataLayoutAttr(), conv.getFilterLayoutAttr(),
        b.getArrayAttr(newSteps));
    remarks::fusionDone(bn, kPass, "conv-bn",
                        weights && bias
                            ? "folded into the conv's weights and bias"
                            : "folded into the conv's epilogue (a per-channel "
                              "scale and shift at run time)");
    b.replaceOp(bn, fused.getResult());
    b.eraseOp(conv);
    return success();
  }
};

struct KilnFoldConvBN : public kiln::impl::KilnFoldConvBNBase<KilnFoldConvBN> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldConvBatchNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
