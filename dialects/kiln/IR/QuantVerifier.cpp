//===- QuantVerifier.cpp - checks of a quantized operand ------------------===//
#include "kiln/IR/QuantVerifier.h"
#include "kiln/IR/VerifierUtils.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::kiln;

/// The storage element types a format kind accepts, for diagnostics.
static StringRef storageTypesOf(QuantKind kind) {
  switch (kind) {
  case QuantKind::Int:
    return "i8 or i4";
  case QuantKind::Float:
  case QuantKind::MX:
    return "f8E4M3FN, f8E5M2 or f4E2M1FN";
  case QuantKind::BFP:
  case QuantKind::Codebook:
    return "i8";
  }
  return "";
}

static bool isStorageOf(QuantKind kind, Type t) {
  switch (kind) {
  case QuantKind::Int:
    return t.isSignlessInteger(8) || t.isSignlessInteger(4);
  case QuantKind::Float:
  case QuantKind::MX:
    return isa<Float8E4M3FNType, Float8E5M2Type, Float4E2M1FNType>(t);
  case QuantKind::BFP:
  case QuantKind::Codebook:
    return t.isSignlessInteger(8);
  }
  return false;
}

/// The scale shape `format` needs for `data`: [] per tensor, [dim_axis] per
/// axis, the data shape with ceil(dim_axis / block) along the axis for
/// blocks. The axis must be in range.
static SmallVector<int64_t> scaleShapeFor(QuantFormatAttr format,
                                          ShapedType data) {
  SmallVector<int64_t> expected;
  int64_t axis = format.getAxis();
  if (format.isBlocked()) {
    expected = llvm::to_vector(data.getShape());
    int64_t dim = expected[axis], block = format.getBlock();
    if (!ShapedType::isDynamic(dim))
      expected[axis] = (dim + block - 1) / block;
  } else if (!format.isPerTensor()) {
    expected.push_back(data.getDimSize(axis));
  }
  return expected;
}

LogicalResult mlir::kiln::verifyQuantOperand(Operation *op,
                                             const QuantOperand &q,
                                             QuantDiagStyle style) {
  bool codec = style == QuantDiagStyle::Codec;
  auto data = cast<ShapedType>(q.data.getType());
  auto scale = cast<ShapedType>(q.scale.getType());
  QuantKind kind = q.format.getKind();
  StringRef kindName = stringifyQuantKind(kind);
  Type elt = data.getElementType();
  if (!isStorageOf(kind, elt)) {
    if (codec)
      return op->emitOpError() << "'" << q.name << "' element type must be "
                               << storageTypesOf(kind) << " for the "
                               << kindName << " format, got " << elt;
    return op->emitOpError() << "'" << q.name << "' element type " << elt
                             << " is not a storage type of the " << kindName
                             << " format (" << storageTypesOf(kind) << ")";
  }

  bool e8m0 = kind == QuantKind::MX || kind == QuantKind::BFP;
  Type scaleElt = scale.getElementType();
  StringRef scaleEltName = e8m0 ? "f8E8M0FNU" : "f32";
  auto checkScaleElt = [&]() -> LogicalResult {
    if (e8m0 ? isa<Float8E8M0FNUType>(scaleElt) : scaleElt.isF32())
      return success();
    if (codec)
      return op->emitOpError()
             << "'" << q.scaleName << "' element type must be " << scaleEltName
             << " for the " << kindName << " format, got " << scaleElt;
    return op->emitOpError()
           << "'" << q.scaleName << "' element type " << scaleElt
           << " is wrong for the " << kindName << " format, which needs "
           << scaleEltName << " scales";
  };
  if (codec && failed(checkScaleElt()))
    return failure();

  int64_t rank = data.getRank(), axis = q.format.getAxis();
  if (axis >= rank) {
    if (codec)
      return op->emitOpError()
             << "format axis " << axis << " is out of range for rank-" << rank
             << " '" << q.name << "'";
    return op->emitOpError()
           << "format axis " << axis << " is out of range for '" << q.name
           << "' of rank " << rank;
  }

  SmallVector<int64_t> expected = scaleShapeFor(q.format, data);
  if (scale.getRank() != static_cast<int64_t>(expected.size())) {
    if (!codec)
      return op->emitOpError()
             << "'" << q.scaleName << "' has rank " << scale.getRank()
             << " but the format of '" << q.name << "' needs rank "
             << expected.size() << " (shape " << shapeStr(expected) << ")";
    InFlightDiagnostic diag = op->emitOpError()
                              << "'" << q.scaleName << "' must be rank "
                              << expected.size();
    if (q.format.isPerTensor())
      diag << " for a per-tensor format";
    else if (!q.format.isBlocked())
      diag << " for a per-axis format";
    else
      diag << " (the rank of '" << q.name << "') for a blocked format";
    return diag << ", got rank " << scale.getRank();
  }
  for (auto [d, want] : llvm::enumerate(expected)) {
    int64_t got = scale.getDimSize(d);
    if (!dimsConflict(got, want))
      continue;
    if (!codec)
      return op->emitOpError()
             << "'" << q.scaleName << "' shape " << shapeStr(scale.getShape())
             << " does not match the shape " << shapeStr(expected)
             << " the format of '" << q.name << "' needs (dim " << d << ")";
    InFlightDiagnostic diag = op->emitOpError()
                              << "'" << q.scaleName << "' dim " << d << " is "
                              << got << ", expected " << want;
    if (!q.format.isBlocked())
      diag << " (dim " << axis << " of '" << q.name << "')";
    else if (static_cast<int64_t>(d) == axis)
      diag << " (ceil(" << data.getDimSize(axis) << " / " << q.format.getBlock()
           << ") blocks along axis " << axis << " of '" << q.name << "')";
    else
      diag << " (dim " << d << " of '" << q.name << "')";
    return diag;
  }
  if (!codec && failed(checkScaleElt()))
    return failure();

  if (!q.zeroPoint)
    return success();
  if (kind != QuantKind::Int)
    return op->emitOpError()
           << "'" << q.zeroPointName
           << "' is only allowed with the int format, not " << kindName;
  auto zp = cast<ShapedType>(q.zeroPoint.getType());
  if (compatibleShapes(zp.getShape(), scale.getShape()))
    return success();
  if (codec)
    return op->emitOpError() << "'" << q.zeroPointName << "' type " << zp
                             << " must have the shape of '" << q.scaleName
                             << "' (" << scale << ")";
  return op->emitOpError() << "'" << q.zeroPointName << "' shape "
                           << shapeStr(zp.getShape()) << " must match '"
                           << q.scaleName << "' shape "
                           << shapeStr(scale.getShape());
}
