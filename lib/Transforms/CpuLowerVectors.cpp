//===- CpuLowerVectors.cpp - kiln-cpu-lower-vectors -----------------------===//
//
// vector.contract -> vector.outerproduct -> vector.fma, then 1-D ops wider
// than the target's native f32 width are unrolled to it. Upstream patterns
// only; convert-vector-to-scf / convert-vector-to-llvm do the rest.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CpuTarget.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPULOWERVECTORS
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Native shape for unrolling: [1, ..., 1, lanes] for unmasked transfers
/// and elementwise ops whose innermost dim is a larger multiple of lanes.
std::optional<SmallVector<int64_t>> nativeShape(Operation *op,
                                                int64_t lanes) {
  VectorType type;
  if (auto read = dyn_cast<vector::TransferReadOp>(op)) {
    if (read.getMask())
      return std::nullopt;
    type = read.getVectorType();
  } else if (auto write = dyn_cast<vector::TransferWriteOp>(op)) {
    if (write.getMask())
      return std::nullopt;
    type = write.getVectorType();
  } else if (op->getNumResults() == 1 &&
             (isa<vector::FMAOp>(op) ||
              (OpTrait::hasElementwiseMappableTraits(op) &&
               op->getDialect()->getNamespace() == "arith"))) {
    type = dyn_cast<VectorType>(op->getResult(0).getType());
  }
  if (!type || type.isScalable() || type.getRank() == 0)
    return std::nullopt;
  int64_t inner = type.getShape().back();
  if (inner <= lanes || inner % lanes != 0)
    return std::nullopt;
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape.back() = lanes;
  return shape;
}

/// The identity of a combining kind for `type`'s elements, or null.
TypedAttr reductionIdentity(vector::CombiningKind kind, Type elem) {
  using K = vector::CombiningKind;
  if (auto f = dyn_cast<FloatType>(elem)) {
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    switch (kind) {
    case K::ADD: return FloatAttr::get(f, 0.0);
    case K::MUL: return FloatAttr::get(f, 1.0);
    case K::MAXIMUMF:
    case K::MAXNUMF:
      return FloatAttr::get(f, APFloat::getInf(sem, /*Negative=*/true));
    case K::MINIMUMF:
    case K::MINNUMF:
      return FloatAttr::get(f, APFloat::getInf(sem, /*Negative=*/false));
    default: return nullptr;
    }
  }
  auto i = dyn_cast<IntegerType>(elem);
  if (!i)
    return nullptr;
  unsigned w = i.getWidth();
  switch (kind) {
  case K::ADD:
  case K::OR:
  case K::XOR:
  case K::MAXUI: return IntegerAttr::get(i, APInt::getZero(w));
  case K::MUL: return IntegerAttr::get(i, APInt(w, 1));
  case K::AND:
  case K::MINUI: return IntegerAttr::get(i, APInt::getAllOnes(w));
  case K::MAXSI: return IntegerAttr::get(i, APInt::getSignedMinValue(w));
  case K::MINSI: return IntegerAttr::get(i, APInt::getSignedMaxValue(w));
  default: return nullptr;
  }
}

/// vector.mask { multi_reduction } -> multi_reduction of select(mask, src,
/// identity). The vectorizer masks the last piece of a row and reads its
/// masked-off lanes as poison; the upstream lowering of the masked
/// reduction let them take part, so a row max over values below 0 came out
/// as 0 (softmax and attention rows of very negative logits gave 0).
struct MaskedMultiReductionToSelect : OpRewritePattern<vector::MaskOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::MaskOp mask,
                                PatternRewriter &b) const override {
    auto red =
        dyn_cast_or_null<vector::MultiDimReductionOp>(mask.getMaskableOp());
    if (!red || mask.hasPassthru())
      return failure();
    VectorType srcType = red.getSourceVectorType();
    TypedAttr id = reductionIdentity(red.getKind(), srcType.getElementType());
    if (!id || mask.getMask().getType() != srcType.clone(b.getI1Type()))
      return failure();
    Location loc = red.getLoc();
    Value identity = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(srcType, id));
    Value src = arith::SelectOp::create(b, loc, mask.getMask(),
                                        red.getSource(), identity);
    b.replaceOpWithNewOp<vector::MultiDimReductionOp>(
        mask, src, red.getAcc(), red.getReductionMask(), red.getKind());
    return success();
  }
};

struct CpuLowerVectors
    : public kiln::impl::KilnCpuLowerVectorsBase<CpuLowerVectors> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    FailureOr<CpuTarget> target = resolveCpuTarget(root, mcpu);
    if (failed(target))
      return signalPassFailure();
    int64_t lanes = target->f32Lanes();
    MLIRContext *ctx = &getContext();

    // 0. Masked reductions become unmasked ones over the identity.
    {
      RewritePatternSet patterns(ctx);
      patterns.add<MaskedMultiReductionToSelect>(ctx);
      if (failed(applyPatternsGreedily(root, std::move(patterns))))
        return signalPassFailure();
    }

    // 1. Contractions to outer products and FMAs; transfers to
    //    minor-identity form; masks to masked transfers.
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::EltWise);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      vector::ExtractOp::getCanonicalizationPatterns(patterns, ctx);
      vector::BroadcastOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(root, std::move(patterns))))
        return signalPassFailure();
    }

    // 2. Vector exp / log (softmax rows) by polynomial approximation in
    //    registers; scalar ones stay libm calls, as in the reference path.
    {
      SmallVector<Operation *> mathOps;
      root->walk([&](Operation *op) {
        if (isa<math::ExpOp, math::LogOp>(op) &&
            isa<VectorType>(op->getResult(0).getType()))
          mathOps.push_back(op);
      });
      RewritePatternSet patterns(ctx);
      populateMathPolynomialApproximationPatterns(
          patterns, [](StringRef name) {
            return name == math::ExpOp::getOperationName() ||
                   name == math::LogOp::getOperationName();
          });
      if (!mathOps.empty() &&
          failed(applyOpPatternsGreedily(mathOps, std::move(patterns))))
        return signalPassFailure();
    }

    // 3. Unroll to the native width (16 f32 lanes with AVX-512, 8 with AVX2).
    {
      RewritePatternSet patterns(ctx);
      vector::UnrollVectorOptions options;
      options.setNativeShapeFn(
          [lanes](Operation *op) { return nativeShape(op, lanes); });
      vector::populateVectorUnrollPatterns(patterns, options);
      vector::populateVectorInsertExtractStridedSliceTransforms(patterns);
      vector::ExtractStridedSliceOp::getCanonicalizationPatterns(patterns,
                                                                 ctx);
      vector::InsertStridedSliceOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      if (failed(applyPatternsGreedily(root, std::move(patterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
