//===- ConvGeometry.h - checks shared by kiln.conv and kiln.qconv -*- C++
//-*-===//
#ifndef KILN_IR_CONVGEOMETRY_H
#define KILN_IR_CONVGEOMETRY_H

#include "kiln/IR/KilnAttrs.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::kiln {
/// Verifies what kiln.conv and kiln.qconv share: ranks, layouts, stride /
/// padding / dilation arrays, channel and group counts, the output shape and
/// the epilogue steps against the epilogue operands. `op` is a ConvOp or a
/// QConvOp. Emits an op error naming the operand or attribute at fault.
LogicalResult verifyConvLikeOp(Operation *op);

/// Positions of the logical dims of a convolution's tensors, given the
/// layouts and the number of spatial dims. Data positions hold for the input
/// and the output alike.
struct ConvDims {
  unsigned dataBatch = 0;
  unsigned dataChannel = 0;
  llvm::SmallVector<unsigned, 3> dataSpatial;
  unsigned filterOut = 0;
  unsigned filterIn = 0;
  llvm::SmallVector<unsigned, 3> filterSpatial;
};
ConvDims getConvDims(DataLayout dataLayout, FilterLayout filterLayout,
                     unsigned numSpatialDims);
} // namespace mlir::kiln

#endif // KILN_IR_CONVGEOMETRY_H
