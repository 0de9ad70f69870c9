//===- ConvOps.cpp ----------------------------------------------------------===//
#include "kiln/IR/ConvGeometry.h"
#include "kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

LogicalResult ConvOp::verify() { return success(); }
LogicalResult BatchNormOp::verify() { return success(); }
SmallVector<int64_t> ConvOp::getStrideValues() { return {}; }
SmallVector<int64_t> ConvOp::getPadLowValues() { return {}; }
SmallVector<int64_t> ConvOp::getPadHighValues() { return {}; }
SmallVector<int64_t> ConvOp::getDilationValues() { return {}; }
SmallVector<int64_t> QConvOp::getStrideValues() { return {}; }
SmallVector<int64_t> QConvOp::getPadLowValues() { return {}; }
SmallVector<int64_t> QConvOp::getPadHighValues() { return {}; }
SmallVector<int64_t> QConvOp::getDilationValues() { return {}; }
LogicalResult mlir::kiln::verifyConvLikeOp(Operation *op) { return success(); }
