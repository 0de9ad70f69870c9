//===- QComputeToLinalg.cpp - qmatmul / qconv reference lowering ----------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;

void mlir::kiln::populateQComputeToLinalgPatterns(RewritePatternSet &patterns) {}
