//===- QComputeOps.cpp - kiln.qmatmul and kiln.qconv ----------------------===//
//
// Verifiers of the quantized compute ops. The operand checks for a quantized
// value (storage element type, scale and zero-point shapes and element types
// per the format's granularity) are shared by both ops; the convolution
// geometry is checked by verifyConvLikeOp, shared with kiln.conv.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/ConvGeometry.h"
#include "kiln/IR/KilnOps.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// A quantized operand and the operands and attribute that decode it.
struct QuantOperand {
  StringRef name;
  Value data;
  QuantFormatAttr format;
  StringRef scaleName;
  Value scale;
  StringRef zeroPointName;
  Value zeroPoint;
};
} // namespace

static bool isFloatCompute(Type t) {
  return t.isF32() || t.isF16() || t.isBF16();
}

static bool isFloatStorage(Type t) {
  return isa<Float8E4M3FNType, Float8E5M2Type, Float4E2M1FNType>(t);
}

static bool isIntStorage(Type t) {
  return t.isSignlessInteger(8) || t.isSignlessInteger(4);
}

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
    return isIntStorage(t);
  case QuantKind::Float:
  case QuantKind::MX:
    return isFloatStorage(t);
  case QuantKind::BFP:
  case QuantKind::Codebook:
    return t.isSignlessInteger(8);
  }
  return false;
}

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

static bool compatibleDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Checks one quantized operand against its format: storage element type,
/// axis in range, scale shape (rank 0 per tensor, [dim_axis] per axis, the
/// data shape with ceil(dim_axis / block) along the axis for blocks), scale
/// element type (f32, or f8E8M0FNU for mx and bfp) and the zero point (int
/// only, shaped like the scale).
static LogicalResult verifyQuantOperand(Operation *op, const QuantOperand &q) {
  auto dataTy = cast<RankedTensorType>(q.data.getType());
  QuantKind kind = q.format.getKind();
  StringRef kindName = stringifyQuantKind(kind);
  if (!isStorageOf(kind, dataTy.getElementType()))
    return op->emitOpError()
           << "'" << q.name << "' element type " << dataTy.getElementType()
           << " is not a storage type of the " << kindName << " format ("
           << storageTypesOf(kind) << ")";

  int64_t rank = dataTy.getRank();
  int64_t axis = q.format.getAxis();
  if (axis >= rank)
    return op->emitOpError()
           << "format axis " << axis << " is out of range for '" << q.name
           << "' of rank " << rank;

  SmallVector<int64_t> expected;
  if (q.format.isBlocked()) {
    expected = llvm::to_vector(dataTy.getShape());
    int64_t dim = expected[axis], block = q.format.getBlock();
    if (!ShapedType::isDynamic(dim))
      expected[axis] = (dim + block - 1) / block;
  } else if (!q.format.isPerTensor()) {
    expected.push_back(dataTy.getDimSize(axis));
  }

  auto scaleTy = cast<RankedTensorType>(q.scale.getType());
  if (scaleTy.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError()
           << "'" << q.scaleName << "' has rank " << scaleTy.getRank()
           << " but the format of '" << q.name << "' needs rank "
           << expected.size() << " (shape " << shapeStr(expected) << ")";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(scaleTy.getShape(), expected)))
    if (!compatibleDims(std::get<0>(pair), std::get<1>(pair)))
      return op->emitOpError()
             << "'" << q.scaleName << "' shape " << shapeStr(scaleTy.getShape())
             << " does not match the shape " << shapeStr(expected)
             << " the format of '" << q.name << "' needs (dim " << i << ")";

  bool e8m0 = kind == QuantKind::MX || kind == QuantKind::BFP;
  Type scaleElt = scaleTy.getElementType();
  if (e8m0 != isa<Float8E8M0FNUType>(scaleElt))
    return op->emitOpError()
           << "'" << q.scaleName << "' element type " << scaleElt
           << " is wrong for the " << kindName << " format, which needs "
           << (e8m0 ? "f8E8M0FNU" : "f32") << " scales";

  if (!q.zeroPoint)
    return success();
  if (kind != QuantKind::Int)
    return op->emitOpError()
           << "'" << q.zeroPointName
           << "' is only allowed with the int format, not " << kindName;
  auto zpTy = cast<RankedTensorType>(q.zeroPoint.getType());
  if (zpTy.getRank() != scaleTy.getRank() ||
      !llvm::all_of(llvm::zip(zpTy.getShape(), scaleTy.getShape()), [](auto p) {
        return compatibleDims(std::get<0>(p), std::get<1>(p));
      }))
    return op->emitOpError()
           << "'" << q.zeroPointName << "' shape " << shapeStr(zpTy.getShape())
           << " must match '" << q.scaleName << "' shape "
           << shapeStr(scaleTy.getShape());
  return success();
}

/// Checks the optionally quantized first operand: real (float) without a
/// format, storage with a format and then a scale; no scale or zero point
/// without a format.
static LogicalResult verifyOptionalQuantOperand(Operation *op,
                                                const QuantOperand &q) {
  if (q.format) {
    if (!q.scale)
      return op->emitOpError() << "'" << q.name << "' has a format, so '"
                               << q.scaleName << "' is required";
    return verifyQuantOperand(op, q);
  }
  if (q.scale)
    return op->emitOpError() << "'" << q.scaleName << "' is given but '"
                             << q.name << "' has no format";
  if (q.zeroPoint)
    return op->emitOpError() << "'" << q.zeroPointName << "' is given but '"
                             << q.name << "' has no format";
  Type elt = cast<RankedTensorType>(q.data.getType()).getElementType();
  if (!isFloatCompute(elt))
    return op->emitOpError()
           << "'" << q.name << "' must be a float tensor (f32, f16 or bf16) "
           << "when it has no format, got element type " << elt;
  return success();
}

static LogicalResult checkDim(Operation *op, StringRef what, StringRef a,
                              int64_t da, StringRef b, int64_t db) {
  if (compatibleDims(da, db))
    return success();
  return op->emitOpError() << what << " mismatch: '" << a << "' has " << da
                           << ", '" << b << "' has " << db;
}

LogicalResult QMatmulOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyOptionalQuantOperand(
          op, {"lhs", getLhs(), getLhsFormatAttr(), "lhs_scale", getLhsScale(),
               "lhs_zero_point", getLhsZeroPoint()})))
    return failure();
  if (failed(verifyQuantOperand(op, {"rhs", getRhs(), getRhsFormatAttr(),
                                     "rhs_scale", getRhsScale(),
                                     "rhs_zero_point", getRhsZeroPoint()})))
    return failure();

  auto lhsTy = cast<RankedTensorType>(getLhs().getType());
  auto rhsTy = cast<RankedTensorType>(getRhs().getType());
  auto initTy = cast<RankedTensorType>(getInit().getType());
  if (getResult().getType() != initTy)
    return emitOpError() << "result type " << getResult().getType()
                         << " must equal the 'init' type " << initTy;
  int64_t rank = lhsTy.getRank();
  if (rank < 2)
    return emitOpError() << "'lhs' must have rank >= 2, got " << rank;
  if (rhsTy.getRank() != rank)
    return emitOpError() << "'rhs' rank " << rhsTy.getRank()
                         << " must equal 'lhs' rank " << rank;
  if (initTy.getRank() != rank)
    return emitOpError() << "'init' rank " << initTy.getRank()
                         << " must equal 'lhs' rank " << rank;
  for (int64_t i = 0; i < rank - 2; ++i) {
    if (failed(checkDim(op, "batch dim " + std::to_string(i), "lhs",
                        lhsTy.getDimSize(i), "rhs", rhsTy.getDimSize(i))) ||
        failed(checkDim(op, "batch dim " + std::to_string(i), "lhs",
                        lhsTy.getDimSize(i), "init", initTy.getDimSize(i))) ||
        failed(checkDim(op, "batch dim " + std::to_string(i), "rhs",
                        rhsTy.getDimSize(i), "init", initTy.getDimSize(i))))
      return failure();
  }
  bool tb = getTransposeB();
  int64_t m = lhsTy.getDimSize(rank - 2), k = lhsTy.getDimSize(rank - 1);
  int64_t rk = rhsTy.getDimSize(tb ? rank - 1 : rank - 2);
  int64_t n = rhsTy.getDimSize(tb ? rank - 2 : rank - 1);
  if (failed(checkDim(op, tb ? "K (rhs dim -1 with transpose_b)" : "K", "lhs",
                      k, "rhs", rk)) ||
      failed(
          checkDim(op, "M", "lhs", m, "init", initTy.getDimSize(rank - 2))) ||
      failed(checkDim(op, "N", "rhs", n, "init", initTy.getDimSize(rank - 1))))
    return failure();
  return success();
}

LogicalResult QConvOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyOptionalQuantOperand(
          op, {"input", getInput(), getInputFormatAttr(), "input_scale",
               getInputScale(), "input_zero_point", getInputZeroPoint()})))
    return failure();
  if (failed(verifyQuantOperand(
          op, {"filter", getFilter(), getFilterFormatAttr(), "filter_scale",
               getFilterScale(), "filter_zero_point", getFilterZeroPoint()})))
    return failure();
  // Geometry, epilogue and the result type are shared with kiln.conv.
  return verifyConvLikeOp(*this);
}
