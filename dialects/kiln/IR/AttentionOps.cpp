//===- AttentionOps.cpp ----------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

float AttentionOp::getScaleOrDefault() { return 1.0f; }
LogicalResult AttentionOp::verify() { return success(); }
LogicalResult OnlineAttentionOp::verify() { return success(); }
LogicalResult AttentionMergeOp::verify() { return success(); }
LogicalResult PermuteOp::verify() { return success(); }
LogicalResult UnpermuteOp::verify() { return success(); }
OpFoldResult PermuteOp::fold(FoldAdaptor) { return {}; }
OpFoldResult UnpermuteOp::fold(FoldAdaptor) { return {}; }
