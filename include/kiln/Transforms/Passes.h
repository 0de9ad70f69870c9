//===- Passes.h - kiln transform passes -------------------------*- C++ -*-===//
#ifndef KILN_TRANSFORMS_PASSES_H
#define KILN_TRANSFORMS_PASSES_H

#include "kiln/IR/KilnDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kiln {
#define GEN_PASS_DECL
#include "kiln/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

#endif // KILN_TRANSFORMS_PASSES_H
