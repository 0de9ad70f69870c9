//===- ConvGeometry.h - checks shared by kiln.conv and kiln.qconv -*- C++ -*-===//
#ifndef KILN_IR_CONVGEOMETRY_H
#define KILN_IR_CONVGEOMETRY_H

#include "mlir/IR/Operation.h"

namespace mlir::kiln {
/// Verifies what kiln.conv and kiln.qconv share: ranks, layouts, stride /
/// padding / dilation arrays, channel and group counts, the output shape and
/// the epilogue steps against the epilogue operands. `op` is a ConvOp or a
/// QConvOp. Emits an op error naming the operand or attribute at fault.
LogicalResult verifyConvLikeOp(Operation *op);
} // namespace mlir::kiln

#endif // KILN_IR_CONVGEOMETRY_H
