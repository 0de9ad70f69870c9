//===- NNToLinalg.cpp - matmul, norms, softmax, batch_norm ----------------===//
//
// Reference lowerings, all in f32 whatever the element types:
// - matmul: one linalg.generic (batch..., m, n, k) accumulating into a
//   zero-filled f32 tensor (the init's values are never read);
// - layer_norm: sum, then the sum of squared deviations from the mean (two
//   passes, biased variance), then (x - mean) / sqrt(var + eps) * g + b;
// - rms_norm: x / sqrt(mean(x^2) + eps) * g;
// - softmax: max, sum of exp(x - max), exp(x - max) / sum; a slice that is
//   all -inf (max = -inf, sum = 0) gives 0;
// - batch_norm: one elementwise generic with per-channel statistics.
// Reductions keep dynamic dims through tensor.dim; the element count of a
// normalized slice is computed from the (possibly dynamic) sizes.
//
//===----------------------------------------------------------------------===//
#include "EpilogueLowering.h"
#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

using BodyFn = function_ref<Value(OpBuilder &, Location, Value, ValueRange)>;

/// out[kept] = fold over the other dims of `body(acc, [x, stats...])`, f32,
/// starting from `initValue`. `stats` are indexed by the kept dims.
static Value reduce(OpBuilder &b, Location loc, Value x, ValueRange stats,
                    ArrayRef<int64_t> kept, double initValue, BodyFn body) {
  unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<OpFoldResult> all = tensor::getMixedSizes(b, loc, x), sizes;
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::reduction);
  for (int64_t d : kept) {
    sizes.push_back(all[d]);
    iterators[d] = utils::IteratorType::parallel;
  }
  Value out = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  out = fillTensor(b, loc, out, b.getF32FloatAttr(initValue));
  AffineMap keptMap = loopMap(b.getContext(), rank, kept);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  maps.append(stats.size() + 1, keptMap);
  SmallVector<Value> inputs{x};
  inputs.append(stats.begin(), stats.end());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{out.getType()}, inputs, ValueRange{out}, maps,
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> f32Args;
        for (Value a : args.drop_back())
          f32Args.push_back(toF32(nb, l, a));
        linalg::YieldOp::create(nb, l, body(nb, l, args.back(), f32Args));
      });
  return generic.getResult(0);
}

/// The number of elements of `x` over `dims`, as an f32 value.
static Value countOf(OpBuilder &b, Location loc, Value x,
                     ArrayRef<int64_t> dims) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  Value n = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d : dims)
    n = arith::MulIOp::create(
        b, loc, n, getValueOrCreateConstantIndexOp(b, loc, sizes[d]));
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  return arith::UIToFPOp::create(b, loc, b.getF32Type(), i64);
}

/// An axis in [-rank, rank) (checked by the verifier) as a dim position.
static int64_t axisOf(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

namespace {
struct MatmulLowering : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value init = op.getInit();
    auto initType = cast<RankedTensorType>(init.getType());
    unsigned rank = initType.getRank(), batch = rank - 2;
    // Loops: batch..., m, n (parallel), k (reduction).
    SmallVector<int64_t> bm, bk;
    for (unsigned i = 0; i < batch; ++i)
      bm.push_back(i);
    bk = bm;
    int64_t m = batch, n = batch + 1, k = batch + 2;
    bm.append({m, k});
    if (op.getTransposeB())
      bk.append({n, k});
    else
      bk.append({k, n});
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    bool f32Init = initType.getElementType() == f32;
    Value acc = f32Init ? init : emptyLike(rewriter, loc, init, f32);
    acc = fillTensor(rewriter, loc, acc, rewriter.getF32FloatAttr(0));
    Value result =
        buildGeneric(rewriter, loc, {op.getLhs(), op.getRhs()},
                     {loopMap(ctx, rank + 1, bm), loopMap(ctx, rank + 1, bk)},
                     acc, 1, [](OpBuilder &b, Location l, ValueRange args) {
                       return mulAddF32(b, l, args[0], args[1], args[2]);
                     });
    if (!f32Init)
      result = lowerEpilogue(rewriter, loc, result, rewriter.getArrayAttr({}),
                             {}, 0, init);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Layer norm and RMS norm: statistics over dims [axis, rank).
template <typename OpTy> struct NormLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isLayerNorm = std::is_same_v<OpTy, LayerNormOp>;
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    int64_t axis = axisOf(op.getAxisAttr().getInt(), rank);
    SmallVector<int64_t> kept, normalized;
    for (int64_t i = 0; i < rank; ++i)
      (i < axis ? kept : normalized).push_back(i);
    Value count = countOf(rewriter, loc, x, normalized);
    Value eps = f32Const(rewriter, loc, op.getEpsilon().convertToDouble());
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap keptMap = loopMap(rewriter.getContext(), rank, kept);
    AffineMap normMap = loopMap(rewriter.getContext(), rank, normalized);

    // Statistics: for layer norm the sum and the sum of squared deviations
    // from the mean; for RMS norm the sum of squares.
    SmallVector<Value> inputs{x};
    SmallVector<AffineMap> maps{id};
    Value sum;
    if constexpr (isLayerNorm) {
      sum = reduce(rewriter, loc, x, {}, kept, 0.0,
                   [](OpBuilder &b, Location l, Value acc, ValueRange a) {
                     return Value(arith::AddFOp::create(b, l, acc, a[0]));
                   });
      inputs.push_back(sum);
      maps.push_back(keptMap);
    }
    Value sq =
        reduce(rewriter, loc, x, sum ? ValueRange{sum} : ValueRange{}, kept,
               0.0, [&](OpBuilder &b, Location l, Value acc, ValueRange a) {
                 Value v = a[0];
                 if (isLayerNorm)
                   v = arith::SubFOp::create(
                       b, l, v, arith::DivFOp::create(b, l, a[1], count));
                 return Value(arith::AddFOp::create(
                     b, l, acc, arith::MulFOp::create(b, l, v, v)));
               });
    inputs.push_back(sq);
    maps.push_back(keptMap);
    Value gamma = op.getGamma(), beta;
    if constexpr (isLayerNorm)
      beta = op.getBeta();
    for (Value p : {gamma, beta}) {
      if (p) {
        inputs.push_back(p);
        maps.push_back(normMap);
      }
    }
    Value result = ewise::map(
        rewriter, loc, inputs, maps, op.getInit(),
        [&](OpBuilder &b, Location l, ValueRange a) {
          unsigned next = 1;
          Value v = a[0];
          if (isLayerNorm)
            v = arith::SubFOp::create(
                b, l, v, arith::DivFOp::create(b, l, a[next++], count));
          Value var = arith::DivFOp::create(b, l, a[next++], count);
          Value den =
              math::SqrtOp::create(b, l, arith::AddFOp::create(b, l, var, eps));
          Value y = arith::DivFOp::create(b, l, v, den);
          if (gamma)
            y = arith::MulFOp::create(b, l, y, a[next++]);
          if (beta)
            y = arith::AddFOp::create(b, l, y, a[next++]);
          return y;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxLowering : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    int64_t dim = axisOf(op.getDimensionAttr().getInt(), rank);
    SmallVector<int64_t> kept;
    for (int64_t i = 0; i < rank; ++i)
      if (i != dim)
        kept.push_back(i);
    double negInf = -std::numeric_limits<double>::infinity();
    // exp(x - m) with m replaced by 0 when the whole slice is -inf, so that
    // -inf - -inf never makes a NaN.
    auto shiftedExp = [](OpBuilder &b, Location l, Value v, Value m) {
      Value noMax = isNegInf(b, l, m);
      Value safe = arith::SelectOp::create(b, l, noMax, f32Const(b, l, 0), m);
      return Value(
          math::ExpOp::create(b, l, arith::SubFOp::create(b, l, v, safe)));
    };
    Value max =
        reduce(rewriter, loc, x, {}, kept, negInf,
               [](OpBuilder &b, Location l, Value acc, ValueRange a) {
                 return Value(arith::MaximumFOp::create(b, l, acc, a[0]));
               });
    Value sum = reduce(rewriter, loc, x, max, kept, 0.0,
                       [&](OpBuilder &b, Location l, Value acc, ValueRange a) {
                         return Value(arith::AddFOp::create(
                             b, l, acc, shiftedExp(b, l, a[0], a[1])));
                       });
    AffineMap keptMap = loopMap(rewriter.getContext(), rank, kept);
    Value result = ewise::map(
        rewriter, loc, {x, max, sum},
        {rewriter.getMultiDimIdentityMap(rank), keptMap, keptMap}, op.getInit(),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value e = shiftedExp(b, l, a[0], a[1]);
          Value isZero = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                               a[2], f32Const(b, l, 0));
          Value q = arith::DivFOp::create(b, l, e, a[2]);
          return Value(
              arith::SelectOp::create(b, l, isZero, f32Const(b, l, 0), q));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchNormLowering : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = cast<RankedTensorType>(op.getInput().getType()).getRank();
    int64_t c = axisOf(op.getChannelAxisAttr().getInt(), rank);
    AffineMap ch = loopMap(rewriter.getContext(), rank, {c});
    Value eps = f32Const(rewriter, loc, op.getEpsilon().convertToDouble());
    Value result =
        ewise::map(rewriter, loc,
                   {op.getInput(), op.getGamma(), op.getBeta(), op.getMean(),
                    op.getVariance()},
                   {rewriter.getMultiDimIdentityMap(rank), ch, ch, ch, ch},
                   op.getInit(), [&](OpBuilder &b, Location l, ValueRange a) {
                     Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
                     Value den = math::SqrtOp::create(
                         b, l, arith::AddFOp::create(b, l, a[4], eps));
                     Value y = arith::DivFOp::create(b, l, centered, den);
                     y = arith::MulFOp::create(b, l, y, a[1]);
                     return Value(arith::AddFOp::create(b, l, y, a[2]));
                   });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlir::kiln::populateNNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, NormLowering<LayerNormOp>,
               NormLowering<RmsNormOp>, SoftmaxLowering, BatchNormLowering>(
      patterns.getContext());
}
