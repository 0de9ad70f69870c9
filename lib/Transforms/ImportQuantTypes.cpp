//===- ImportQuantTypes.cpp - !quant.uniform to kiln's operand form -------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNIMPORTQUANTTYPES
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct KilnImportQuantTypesPass
    : kiln::impl::KilnImportQuantTypesBase<KilnImportQuantTypesPass> {
  void runOnOperation() override {}
};
} // namespace
