//===- QuantOps.cpp - quantize / dequantize verifiers and folder ----------===//
//
// Every rule names the offending operand or attribute. Only static sizes are
// compared; dynamic sizes (`?`) are accepted.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace mlir::kiln {
LogicalResult verifyQuantOperands(Operation *op, QuantFormatAttr format,
                                  StringRef storageName, ShapedType storage,
                                  StringRef scaleName, ShapedType scale,
                                  StringRef zpName, ShapedType zeroPoint);
} // namespace mlir::kiln

static bool sameStaticDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Fails unless the static dims of `a` and `b` agree (ranks must be equal).
static bool compatibleShapes(ShapedType a, ShapedType b) {
  if (a.getRank() != b.getRank())
    return false;
  for (int64_t d = 0; d < a.getRank(); ++d)
    if (!sameStaticDim(a.getDimSize(d), b.getDimSize(d)))
      return false;
  return true;
}

static bool isMinifloat(Type t) {
  return isa<Float8E4M3FNType, Float8E5M2Type, Float4E2M1FNType>(t);
}

/// Checks a storage tensor with its scale and zero point against `format`:
/// storage and scale element types per kind, the format's axis against the
/// storage rank, the scale shape per granularity and the zero point. Usable
/// by every op carrying a quantized operand (`storageName` etc. name the
/// operands in diagnostics).
LogicalResult mlir::kiln::verifyQuantOperands(
    Operation *op, QuantFormatAttr format, StringRef storageName,
    ShapedType storage, StringRef scaleName, ShapedType scale,
    StringRef zpName, ShapedType zeroPoint) {
  QuantKind kind = format.getKind();
  StringRef kindName = stringifyQuantKind(kind);
  Type elt = storage.getElementType();
  switch (kind) {
  case QuantKind::Int:
    if (!elt.isInteger(8) && !elt.isInteger(4))
      return op->emitOpError()
             << "'" << storageName
             << "' element type must be i8 or i4 for the int format, got "
             << elt;
    break;
  case QuantKind::Float:
  case QuantKind::MX:
    if (!isMinifloat(elt))
      return op->emitOpError() << "'" << storageName
                               << "' element type must be f8E4M3FN, f8E5M2 "
                                  "or f4E2M1FN for the "
                               << kindName << " format, got " << elt;
    break;
  case QuantKind::BFP:
  case QuantKind::Codebook:
    if (!elt.isInteger(8))
      return op->emitOpError() << "'" << storageName
                               << "' element type must be i8 for the "
                               << kindName << " format, got " << elt;
    break;
  }
  bool wantE8M0 = kind == QuantKind::MX || kind == QuantKind::BFP;
  Type scaleElt = scale.getElementType();
  if (wantE8M0 != isa<Float8E8M0FNUType>(scaleElt) ||
      (!wantE8M0 && !scaleElt.isF32()))
    return op->emitOpError()
           << "'" << scaleName << "' element type must be "
           << (wantE8M0 ? "f8E8M0FNU" : "f32") << " for the " << kindName
           << " format, got " << scaleElt;

  int64_t rank = storage.getRank(), axis = format.getAxis();
  if (axis >= rank)
    return op->emitOpError() << "format axis " << axis
                             << " is out of range for rank-" << rank << " '"
                             << storageName << "'";
  if (format.isPerTensor()) {
    if (scale.getRank() != 0)
      return op->emitOpError() << "'" << scaleName
                               << "' must be rank 0 for a per-tensor format, "
                                  "got rank "
                               << scale.getRank();
  } else if (!format.isBlocked()) {
    if (scale.getRank() != 1)
      return op->emitOpError() << "'" << scaleName
                               << "' must be rank 1 for a per-axis format, "
                                  "got rank "
                               << scale.getRank();
    if (!sameStaticDim(scale.getDimSize(0), storage.getDimSize(axis)))
      return op->emitOpError()
             << "'" << scaleName << "' dim 0 is " << scale.getDimSize(0)
             << ", expected " << storage.getDimSize(axis) << " (dim " << axis
             << " of '" << storageName << "')";
  } else {
    if (scale.getRank() != rank)
      return op->emitOpError()
             << "'" << scaleName << "' must be rank " << rank << " (the rank of '"
             << storageName << "') for a blocked format, got rank "
             << scale.getRank();
    int64_t block = format.getBlock();
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = storage.getDimSize(d);
      int64_t want = size;
      if (d == axis && !ShapedType::isDynamic(size))
        want = (size + block - 1) / block;
      if (sameStaticDim(scale.getDimSize(d), want))
        continue;
      InFlightDiagnostic diag = op->emitOpError()
                                << "'" << scaleName << "' dim " << d << " is "
                                << scale.getDimSize(d) << ", expected " << want;
      if (d == axis)
        diag << " (ceil(" << size << " / " << block << ") blocks along axis "
             << axis << " of '" << storageName << "')";
      else
        diag << " (dim " << d << " of '" << storageName << "')";
      return diag;
    }
  }

  if (zeroPoint) {
    if (kind != QuantKind::Int)
      return op->emitOpError() << "'" << zpName
                               << "' is only allowed with the int format, not "
                               << kindName;
    if (!compatibleShapes(zeroPoint, scale))
      return op->emitOpError() << "'" << zpName << "' type " << zeroPoint
                               << " must have the shape of '" << scaleName
                               << "' (" << scale << ")";
  }
  return success();
}

/// The common part of quantize and dequantize: storage checks, then the
/// destination: init shaped like the input, result typed like the init.
static LogicalResult verifyCodec(Operation *op, QuantFormatAttr format,
                                 StringRef storageName, ShapedType storage,
                                 Value scale, Value zeroPoint, Value input,
                                 Value init) {
  ShapedType zpType =
      zeroPoint ? cast<ShapedType>(zeroPoint.getType()) : ShapedType();
  if (failed(verifyQuantOperands(op, format, storageName, storage, "scale",
                                 cast<ShapedType>(scale.getType()),
                                 "zero_point", zpType)))
    return failure();
  auto inputType = cast<ShapedType>(input.getType());
  auto initType = cast<ShapedType>(init.getType());
  if (!compatibleShapes(initType, inputType))
    return op->emitOpError() << "'init' type " << initType
                             << " must have the shape of 'input' ("
                             << inputType << ")";
  // result type == init type: DestinationStyleOpInterface's verifier.
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyCodec(getOperation(), getFormat(), "init",
                     cast<ShapedType>(getInit().getType()), getScale(),
                     getZeroPoint(), getInput(), getInit());
}

LogicalResult DequantizeOp::verify() {
  return verifyCodec(getOperation(), getFormat(), "input",
                     cast<ShapedType>(getInput().getType()), getScale(),
                     getZeroPoint(), getInput(), getInit());
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
