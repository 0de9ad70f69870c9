//===- QuantOps.cpp - quantize / dequantize verifiers and folder ----------===//
//
// Every rule names the offending operand or attribute. Only static sizes are
// compared; dynamic sizes (`?`) are accepted.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/IR/QuantVerifier.h"
#include "kiln/IR/VerifierUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

/// The common part of quantize and dequantize: storage checks, then the
/// destination: init shaped like the input, result typed like the init.
static LogicalResult verifyCodec(Operation *op, QuantFormatAttr format,
                                 StringRef storageName, Value storage,
                                 Value scale, Value zeroPoint, Value input,
                                 Value init) {
  if (failed(verifyQuantOperand(op,
                                {storageName, storage, format, "scale", scale,
                                 "zero_point", zeroPoint},
                                QuantDiagStyle::Codec)))
    return failure();
  auto inputType = cast<ShapedType>(input.getType());
  auto initType = cast<ShapedType>(init.getType());
  if (!compatibleShapes(initType.getShape(), inputType.getShape()))
    return op->emitOpError() << "'init' type " << initType
                             << " must have the shape of 'input' ("
                             << inputType << ")";
  // result type == init type: DestinationStyleOpInterface's verifier.
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyCodec(getOperation(), getFormat(), "init", getInit(), getScale(),
                     getZeroPoint(), getInput(), getInit());
}

LogicalResult DequantizeOp::verify() {
  return verifyCodec(getOperation(), getFormat(), "input", getInput(),
                     getScale(), getZeroPoint(), getInput(), getInit());
}

/// quantize(dequantize(q, s, zp), s, zp) -> q for the int format, where that
/// is provably exact. With n = q - zp (an integer, |n| <= 2^20 + 128 < 2^21
/// given |zp| <= 2^20) the dequantize computes v = fl(n * s) in f32 (f32
/// result type, so no further rounding), and quantize computes
/// t = fl(v / s) = n (1 + d1)(1 + d2) with |d1|, |d2| <= 2^-24 as long as
/// n * s and v / s stay in the normal range: s normal (nonzero, finite, not
/// subnormal) and |s| <= 2^100 keep |n * s| in [|s|, 2^121] (or exactly 0
/// for n = 0, and then t = +-0). So |t - n| <= |n| * 2^-23 < 1/4 and
/// round_half_even(t) = n; adding zp gives q back, which lies in the
/// storage range, so saturation changes nothing. Non-constant scales or zero
/// points, zero, subnormal or huge scales, other kinds (minifloat products
/// are rounded; NaN and inf codes do not survive) and f16/bf16 intermediates
/// do not fold.
OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  auto deq = getInput().getDefiningOp<DequantizeOp>();
  if (!deq || getFormat().getKind() != QuantKind::Int ||
      deq.getFormat() != getFormat() || deq.getScale() != getScale() ||
      deq.getZeroPoint() != getZeroPoint() ||
      deq.getInput().getType() != getType() ||
      !cast<ShapedType>(deq.getType()).getElementType().isF32())
    return {};
  auto scale = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getScale());
  if (!scale)
    return {};
  for (APFloat s : scale.getValues<APFloat>())
    if (!s.isNormal() || std::fabs(s.convertToDouble()) > 0x1p100)
      return {};
  if (getZeroPoint()) {
    auto zp = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getZeroPoint());
    if (!zp)
      return {};
    for (const APInt &z : zp.getValues<APInt>())
      if (std::abs(z.getSExtValue()) > (int64_t(1) << 20))
        return {};
  }
  return deq.getInput();
}
