//===- QComputeOps.cpp - kiln.qmatmul and kiln.qconv ----------------------===//
#include "kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

LogicalResult QMatmulOp::verify() { return success(); }
LogicalResult QConvOp::verify() { return success(); }
