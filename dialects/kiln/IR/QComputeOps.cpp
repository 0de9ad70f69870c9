//===- QComputeOps.cpp - kiln.qmatmul and kiln.qconv ----------------------===//
//
// Verifiers of the quantized compute ops. The operand checks for a quantized
// value (storage element type, scale and zero-point shapes and element types
// per the format's granularity) are verifyQuantOperand's, shared with
// kiln.quantize / kiln.dequantize; the convolution geometry is checked by
// verifyConvLikeOp, shared with kiln.conv.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/ConvGeometry.h"
#include "kiln/IR/KilnOps.h"
#include "kiln/IR/QuantVerifier.h"
#include "kiln/IR/VerifierUtils.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::kiln;

static bool isFloatCompute(Type t) {
  return t.isF32() || t.isF16() || t.isBF16();
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
    return verifyQuantOperand(op, q, QuantDiagStyle::Compute);
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
  if (!dimsConflict(da, db))
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
  if (failed(verifyQuantOperand(op,
                                {"rhs", getRhs(), getRhsFormatAttr(),
                                 "rhs_scale", getRhsScale(), "rhs_zero_point",
                                 getRhsZeroPoint()},
                                QuantDiagStyle::Compute)))
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
  if (failed(verifyQuantOperand(op,
                                {"filter", getFilter(), getFilterFormatAttr(),
                                 "filter_scale", getFilterScale(),
                                 "filter_zero_point", getFilterZeroPoint()},
                                QuantDiagStyle::Compute)))
    return failure();
  // Geometry, epilogue and the result type are shared with kiln.conv.
  return verifyConvLikeOp(*this);
}
