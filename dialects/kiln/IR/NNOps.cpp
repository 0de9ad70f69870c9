//===- NNOps.cpp - matmul, normalizations, softmax, batch_norm ------------===//
//
// Verifiers. Dynamic dims are allowed anywhere; only static sizes are
// checked against each other. The result type must equal the init type; the
// init may have another float element type than the input.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/IR/VerifierUtils.h"

using namespace mlir;
using namespace mlir::kiln;

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The init of an elementwise-shaped op: same shape as the input; the result
/// type equals the init type.
static LogicalResult checkInitLikeInput(Operation *op, Value input, Value init,
                                        Value result) {
  ArrayRef<int64_t> in = tensorType(input).getShape();
  ArrayRef<int64_t> out = tensorType(init).getShape();
  if (!compatibleShapes(in, out))
    return op->emitOpError("'init' shape ")
           << shapeStr(out) << " must match 'input' shape " << shapeStr(in);
  if (result.getType() != init.getType())
    return op->emitOpError("result type ")
           << result.getType() << " must match 'init' type " << init.getType();
  return success();
}

/// Normalizes an axis in [-rank, rank) to [0, rank).
static FailureOr<int64_t> normalizeAxis(Operation *op, StringRef name,
                                        int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    op->emitOpError("'") << name << "' " << axis
                         << " is out of range for an 'input' of rank " << rank
                         << " (expected -" << rank << " <= " << name << " < "
                         << rank << ")";
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

static LogicalResult checkEpsilon(Operation *op, APFloat eps) {
  if (eps.isNegative() || eps.isNaN())
    return op->emitOpError("'epsilon' must be >= 0, got ")
           << eps.convertToDouble();
  return success();
}

/// `gamma` / `beta` of a norm over dims [axis, rank) of the input.
static LogicalResult checkNormParam(Operation *op, StringRef name, Value param,
                                    Value input, int64_t axis) {
  if (!param)
    return success();
  ArrayRef<int64_t> normalized = tensorType(input).getShape().drop_front(axis);
  ArrayRef<int64_t> shape = tensorType(param).getShape();
  if (!compatibleShapes(shape, normalized))
    return op->emitOpError("'") << name << "' shape " << shapeStr(shape)
                                << " must equal the normalized dims "
                                << shapeStr(normalized) << " of 'input'";
  return success();
}

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = tensorType(getLhs()), rhs = tensorType(getRhs()),
                   init = tensorType(getInit());
  int64_t rank = lhs.getRank();
  if (rank < 2)
    return emitOpError("'lhs' must have rank >= 2, got rank ") << rank;
  if (rhs.getRank() != rank)
    return emitOpError("'rhs' rank ")
           << rhs.getRank() << " must equal 'lhs' rank " << rank;
  if (init.getRank() != rank)
    return emitOpError("'init' rank ")
           << init.getRank() << " must equal 'lhs' rank " << rank;
  if (getResult().getType() != init)
    return emitOpError("result type ")
           << getResult().getType() << " must match 'init' type " << init;
  for (int64_t i = 0; i < rank - 2; ++i) {
    if (dimsConflict(rhs.getDimSize(i), lhs.getDimSize(i)))
      return emitOpError("'rhs' batch dim ")
             << i << " (" << rhs.getDimSize(i)
             << ") must equal 'lhs' batch dim (" << lhs.getDimSize(i) << ")";
    int64_t size = ShapedType::isDynamic(lhs.getDimSize(i)) ? rhs.getDimSize(i)
                                                            : lhs.getDimSize(i);
    if (dimsConflict(init.getDimSize(i), size))
      return emitOpError("'init' batch dim ")
             << i << " (" << init.getDimSize(i)
             << ") must equal the 'lhs' / 'rhs' batch dim (" << size << ")";
  }
  bool tb = getTransposeB();
  int64_t m = lhs.getDimSize(rank - 2), k = lhs.getDimSize(rank - 1);
  int64_t rk = rhs.getDimSize(tb ? rank - 1 : rank - 2);
  int64_t n = rhs.getDimSize(tb ? rank - 2 : rank - 1);
  if (dimsConflict(rk, k))
    return emitOpError("'rhs' contraction dim (")
           << rk << (tb ? ", its last dim with transpose_b" : ", dim rank-2")
           << ") must equal the 'lhs' contraction dim (" << k << ")";
  if (dimsConflict(init.getDimSize(rank - 2), m))
    return emitOpError("'init' row dim ")
           << init.getDimSize(rank - 2) << " must equal the 'lhs' row dim "
           << m;
  if (dimsConflict(init.getDimSize(rank - 1), n))
    return emitOpError("'init' column dim ")
           << init.getDimSize(rank - 1) << " must equal the 'rhs' column dim "
           << n;
  return success();
}

/// What layer_norm and rms_norm share: init, epsilon and the axis.
/// Returns the axis in [0, rank).
template <typename OpTy> static FailureOr<int64_t> verifyNorm(OpTy op) {
  if (failed(checkInitLikeInput(op, op.getInput(), op.getInit(),
                                op.getResult())) ||
      failed(checkEpsilon(op, op.getEpsilon())))
    return failure();
  return normalizeAxis(op, "axis", op.getAxis(),
                       tensorType(op.getInput()).getRank());
}

LogicalResult LayerNormOp::verify() {
  FailureOr<int64_t> axis = verifyNorm(*this);
  if (failed(axis) ||
      failed(checkNormParam(*this, "gamma", getGamma(), getInput(), *axis)))
    return failure();
  return checkNormParam(*this, "beta", getBeta(), getInput(), *axis);
}

LogicalResult RmsNormOp::verify() {
  FailureOr<int64_t> axis = verifyNorm(*this);
  if (failed(axis))
    return failure();
  return checkNormParam(*this, "gamma", getGamma(), getInput(), *axis);
}

LogicalResult SoftmaxOp::verify() {
  if (failed(checkInitLikeInput(*this, getInput(), getInit(), getResult())))
    return failure();
  return normalizeAxis(*this, "dimension", getDimension(),
                       tensorType(getInput()).getRank());
}

LogicalResult BatchNormOp::verify() {
  if (failed(checkInitLikeInput(*this, getInput(), getInit(), getResult())) ||
      failed(checkEpsilon(*this, getEpsilon())))
    return failure();
  int64_t rank = tensorType(getInput()).getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "channel_axis", getChannelAxis(), rank);
  if (failed(axis))
    return failure();
  int64_t c = tensorType(getInput()).getDimSize(*axis);
  std::pair<StringRef, Value> stats[] = {{"gamma", getGamma()},
                                         {"beta", getBeta()},
                                         {"mean", getMean()},
                                         {"variance", getVariance()}};
  for (auto [name, value] : stats) {
    RankedTensorType t = tensorType(value);
    if (t.getRank() != 1 || dimsConflict(t.getDimSize(0), c))
      return emitOpError("'")
             << name << "' must be a 1-D tensor of the " << dimStr(c)
             << " channels of 'input' dim " << *axis << ", got " << t;
  }
  return success();
}
