//===- KilnOps.h - kiln operations ------------------------------*- C++ -*-===//
#ifndef KILN_IR_KILNOPS_H
#define KILN_IR_KILNOPS_H

#include "kiln/IR/KilnAttrs.h"
#include "kiln/IR/KilnDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#define GET_OP_CLASSES
#include "kiln/IR/KilnOps.h.inc"

namespace mlir::kiln {
/// Reifies the result shapes of a destination-style op from its inits.
LogicalResult reifyFromInits(DestinationStyleOpInterface op, OpBuilder &b,
                             ReifiedRankedShapedTypeDims &shapes);
} // namespace mlir::kiln

#endif // KILN_IR_KILNOPS_H
