//===- QuantToLinalg.cpp - quantize / dequantize reference lowering -------===//
//
// Each op becomes one elementwise linalg.generic over the data, with the
// scale (and zero point) read through the format's granularity map:
// per tensor () , per axis (d_axis), blocked (..., d_axis floordiv block,
// ...). Arithmetic is f32; minifloat and E8M0 codes are expanded bit by bit
// (QuantCodec), codebooks are a constant table from kiln::qfmt.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "QuantCodec.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;
namespace qfmt = ::kiln::qfmt;

namespace {

/// (d0, ..., dn-1) -> the scale index for `format`.
AffineMap scaleMap(MLIRContext *ctx, QuantFormatAttr format, int64_t rank) {
  if (format.isPerTensor())
    return AffineMap::get(rank, 0, ctx);
  int64_t axis = format.getAxis();
  if (!format.isBlocked())
    return AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr e = getAffineDimExpr(d, ctx);
    exprs.push_back(d == axis ? e.floorDiv(format.getBlock()) : e);
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// The constant 256-entry f32 table of a codebook format.
Value codebookTable(OpBuilder &b, Location loc, QuantFormatAttr format) {
  const qfmt::Codebook &code = format.getCodebook() == Codebook::DynamicSigned
                                   ? qfmt::dynamicSignedMap()
                                   : qfmt::dynamicUnsignedMap();
  auto type = RankedTensorType::get({256}, b.getF32Type());
  auto attr = DenseElementsAttr::get(type, ArrayRef<float>(code));
  return arith::ConstantOp::create(b, loc, attr);
}

Value f32Const(ImplicitLocOpBuilder &b, double v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}

/// The scale as an f32 value (E8M0 decoded).
Value scaleToF32(ImplicitLocOpBuilder &b, Value scale) {
  if (scale.getType().isF32())
    return scale;
  return quant::decodeToF32(b, qfmt::FloatFormat::E8M0FNU,
                            quant::codeOf(b, scale));
}

/// Replaces x by 0 where `cond` holds.
Value zeroIf(ImplicitLocOpBuilder &b, Value cond, Value x) {
  return arith::SelectOp::create(b, cond, f32Const(b, 0.0), x);
}

Value isNaN(ImplicitLocOpBuilder &b, Value x) {
  return arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, x, x);
}

Value isZero(ImplicitLocOpBuilder &b, Value x) {
  return arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, x,
                               f32Const(b, 0.0));
}

/// round_half_even(t) in f32, t not NaN. Below 2^23, (|t| + 2^23) - 2^23
/// rounds |t| to an integer in the default round-to-nearest-even mode (the
/// sum's ulp is 1); from 2^23 on every f32 is an integer. The sign is copied
/// back bitwise. (math.roundeven does not survive the reference pipeline's
/// math expansion.)
Value roundHalfEven(ImplicitLocOpBuilder &b, Value t) {
  auto i32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, b.getI32Type(), v);
  };
  Value bits = arith::BitcastOp::create(b, b.getI32Type(), t);
  Value absBits = arith::AndIOp::create(b, bits, i32(0x7FFFFFFF));
  Value a = arith::BitcastOp::create(b, b.getF32Type(), absBits);
  Value magic = f32Const(b, 0x1p23);
  Value r = arith::SubFOp::create(b, arith::AddFOp::create(b, a, magic), magic);
  Value big = arith::CmpFOp::create(b, arith::CmpFPredicate::OGE, a, magic);
  r = arith::SelectOp::create(b, big, a, r);
  Value sign = arith::AndIOp::create(b, bits, i32(0x80000000));
  Value rBits = arith::BitcastOp::create(b, b.getI32Type(), r);
  return arith::BitcastOp::create(b, b.getF32Type(),
                                  arith::OrIOp::create(b, rBits, sign));
}

/// round_half_even(t) clamped to [lo, hi], in f32 (t is not NaN).
Value roundClamp(ImplicitLocOpBuilder &b, Value t, double lo, double hi) {
  Value r = roundHalfEven(b, t);
  r = arith::MaximumFOp::create(b, r, f32Const(b, lo));
  return arith::MinimumFOp::create(b, r, f32Const(b, hi));
}

/// Decodes one stored element to f32.
Value decodeElement(ImplicitLocOpBuilder &b, QuantFormatAttr format,
                    Value table, Value q, Value scale, Value zp) {
  Value s = scaleToF32(b, scale);
  Value v;
  switch (format.getKind()) {
  case QuantKind::Int: {
    Value n = arith::ExtSIOp::create(b, b.getI64Type(), q);
    if (zp)
      n = arith::SubIOp::create(
          b, n, arith::ExtSIOp::create(b, b.getI64Type(), zp));
    v = arith::SIToFPOp::create(b, b.getF32Type(), n);
    break;
  }
  case QuantKind::Float:
  case QuantKind::MX:
    v = quant::decodeToF32(b, *quant::getFloatFormat(q.getType()),
                           quant::codeOf(b, q));
    break;
  case QuantKind::BFP:
    v = arith::SIToFPOp::create(b, b.getF32Type(), q);
    break;
  case QuantKind::Codebook: {
    Value idx = arith::ExtUIOp::create(b, b.getI32Type(), q);
    idx = arith::IndexCastOp::create(b, b.getIndexType(), idx);
    v = tensor::ExtractOp::create(b, table, ValueRange{idx});
    break;
  }
  }
  return arith::MulFOp::create(b, v, s);
}

/// Number of codebook midpoints (exact, in f64) strictly below t.
Value codebookIndex(ImplicitLocOpBuilder &b, Value table, Value t) {
  Value t64 = arith::ExtFOp::create(b, b.getF64Type(), t);
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  Value last = arith::ConstantIndexOp::create(b, 255);
  Value count0 = arith::ConstantIntOp::create(b, b.getI32Type(), 0);
  auto loop = scf::ForOp::create(
      b, zero, last, one, ValueRange{count0},
      [&](OpBuilder &nb, Location loc, Value i, ValueRange iter) {
        ImplicitLocOpBuilder lb(loc, nb);
        Value next = arith::AddIOp::create(lb, i, one);
        Value c0 = tensor::ExtractOp::create(lb, table, ValueRange{i});
        Value c1 = tensor::ExtractOp::create(lb, table, ValueRange{next});
        Value sum = arith::AddFOp::create(
            lb, arith::ExtFOp::create(lb, lb.getF64Type(), c0),
            arith::ExtFOp::create(lb, lb.getF64Type(), c1));
        Value mid = arith::MulFOp::create(
            lb, sum,
            arith::ConstantOp::create(lb, lb.getF64FloatAttr(0.5)));
        Value below =
            arith::CmpFOp::create(lb, arith::CmpFPredicate::OLT, mid, t64);
        Value inc = arith::ExtUIOp::create(lb, lb.getI32Type(), below);
        scf::YieldOp::create(lb, ValueRange{
                                     arith::AddIOp::create(lb, iter[0], inc)});
      });
  return loop.getResult(0);
}

/// Encodes one f32 element into the storage element type `storage`.
Value encodeElement(ImplicitLocOpBuilder &b, QuantFormatAttr format,
                    Value table, Type storage, Value x, Value scale,
                    Value zp) {
  Value s = scaleToF32(b, scale);
  Value t = arith::DivFOp::create(b, x, s);
  QuantKind kind = format.getKind();
  if (kind == QuantKind::Int || kind == QuantKind::Float ||
      kind == QuantKind::Codebook)
    t = zeroIf(b, isZero(b, s), t); // a zero scale encodes the value 0
  switch (kind) {
  case QuantKind::Int: {
    unsigned bits = storage.getIntOrFloatBitWidth();
    // |r| <= 2^40 keeps r + zp exact in i64 and still saturating.
    Value r = roundClamp(b, zeroIf(b, isNaN(b, t), t), -0x1p40, 0x1p40);
    Value q = arith::FPToSIOp::create(b, b.getI64Type(), r);
    if (zp)
      q = arith::AddIOp::create(
          b, q, arith::ExtSIOp::create(b, b.getI64Type(), zp));
    q = arith::MaxSIOp::create(
        b, q,
        arith::ConstantIntOp::create(b, b.getI64Type(), qfmt::intMin(bits)));
    q = arith::MinSIOp::create(
        b, q,
        arith::ConstantIntOp::create(b, b.getI64Type(), qfmt::intMax(bits)));
    return arith::TruncIOp::create(b, storage, q);
  }
  case QuantKind::Float:
  case QuantKind::MX:
    return quant::fromCode(
        b, quant::encodeFromF32(b, *quant::getFloatFormat(storage), t),
        storage);
  case QuantKind::BFP: {
    double limit = qfmt::intMax(format.getBits());
    Value r = roundClamp(b, zeroIf(b, isNaN(b, t), t), -limit, limit);
    return arith::FPToSIOp::create(b, storage, r);
  }
  case QuantKind::Codebook: {
    Value count = codebookIndex(b, table, zeroIf(b, isNaN(b, t), t));
    return arith::TruncIOp::create(b, storage, count);
  }
  }
  return {};
}

/// Builds the elementwise generic of quantize (encode = true) or
/// dequantize over input, scale and zero point into init.
template <typename OpTy>
struct QuantCodecLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool encode = std::is_same_v<OpTy, QuantizeOp>;
    QuantFormatAttr format = op.getFormat();
    Location loc = op.getLoc();
    auto initType = cast<RankedTensorType>(op.getInit().getType());
    // The verifier admits only supported combinations; guard anyway.
    Type storage = encode ? initType.getElementType()
                          : getElementTypeOrSelf(op.getInput().getType());
    bool minifloat = quant::getFloatFormat(storage).has_value();
    bool wantsMinifloat = format.getKind() == QuantKind::Float ||
                          format.getKind() == QuantKind::MX;
    if (minifloat != wantsMinifloat)
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "unsupported combination: " << stringifyQuantKind(
                    format.getKind())
             << " format with storage element type " << storage;
      });
    int64_t rank = initType.getRank();
    AffineMap sMap = scaleMap(rewriter.getContext(), format, rank);
    SmallVector<Value> inputs = {op.getInput(), op.getScale()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank), sMap};
    Value zpOperand = op.getZeroPoint();
    if (zpOperand) {
      inputs.push_back(zpOperand);
      maps.push_back(sMap);
    }
    Value table;
    if (format.getKind() == QuantKind::Codebook)
      table = codebookTable(rewriter, loc, format);
    Type outElt = initType.getElementType();
    Value result = buildGeneric(
        rewriter, loc, rank, inputs, maps, op.getInit(), 0,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          ImplicitLocOpBuilder b(nloc, nb);
          Value zp = zpOperand ? args[2] : Value();
          if constexpr (encode) {
            return encodeElement(b, format, table, outElt,
                                 toF32(b, nloc, args[0]), args[1], zp);
          } else {
            Value out = decodeElement(b, format, table, args[0], args[1], zp);
            return castFloat(b, nloc, out, outElt);
          }
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::kiln::populateQuantToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<QuantCodecLowering<QuantizeOp>,
               QuantCodecLowering<DequantizeOp>>(patterns.getContext());
}
