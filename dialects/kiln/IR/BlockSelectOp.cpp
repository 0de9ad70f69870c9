//===- BlockSelectOp.cpp ----------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

float BlockSelectOp::getScaleOrDefault() { return 1.0f; }
LogicalResult BlockSelectOp::verify() { return success(); }
