//===- NNOps.cpp ----------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

LogicalResult MatmulOp::verify() { return success(); }
LogicalResult LayerNormOp::verify() { return success(); }
LogicalResult RmsNormOp::verify() { return success(); }
LogicalResult SoftmaxOp::verify() { return success(); }
