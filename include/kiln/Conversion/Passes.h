//===- Passes.h - kiln conversion passes ------------------------*- C++ -*-===//
#ifndef KILN_CONVERSION_PASSES_H
#define KILN_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Conversion/Passes.h.inc"

/// Reference-lowering patterns, one populate function per op family.
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);
void populateBlockSelectToLinalgPatterns(RewritePatternSet &patterns);
void populateConvToLinalgPatterns(RewritePatternSet &patterns);
void populateNNToLinalgPatterns(RewritePatternSet &patterns);
void populateQuantToLinalgPatterns(RewritePatternSet &patterns);
void populateQComputeToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "kiln/Conversion/Passes.h.inc"

} // namespace kiln
} // namespace mlir

#endif // KILN_CONVERSION_PASSES_H
