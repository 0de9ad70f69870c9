//===- CpuRemarkSlowPaths.cpp - kiln-cpu-remark-slow-paths -----------------===//
//
// After kiln-cpu-tile-and-vectorize, a linalg op that is still there has no
// vectorized lowering on the CPU path and becomes scalar loops. Nothing
// else would tell the user, so each one gets a kiln-slow-path remark that
// says what it is and why.
//
//===----------------------------------------------------------------------===//
#include "CpuVectorizeElementwise.h"
#include "Remarks.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUREMARKSLOWPATHS
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr StringLiteral kPass = "kiln-cpu-remark-slow-paths";

std::string typeOf(Value v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << v.getType();
  return s;
}

/// Why `op` was not vectorized, as the user should read it.
std::string whyScalar(linalg::LinalgOp op) {
  if (linalg::isaConvolutionOpInterface(op))
    return "convolution and pooling windows have no vectorized lowering on "
           "the CPU path yet";
  if (linalg::isaContractionOpInterface(op))
    return "a contraction with result " + typeOf(op.getDpsInits()[0]) +
           ": kiln-cpu-tile-and-vectorize tiles f32 contractions with one M, "
           "N and K loop";
  if (isa<linalg::ReduceOp>(op))
    return "linalg.reduce is not vectorized (reductions written as "
           "linalg.generic over the innermost dim are)";
  if (isa<linalg::TransposeOp, linalg::BroadcastOp, linalg::CopyOp>(op))
    return "data movement is copied element by element";
  if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
    if (auto why = whyNotVectorizedElementwise(generic))
      return "the row vectorizer does not take it: " + *why;
  return "no vectorized lowering matches it";
}

struct CpuRemarkSlowPaths
    : public kiln::impl::KilnCpuRemarkSlowPathsBase<CpuRemarkSlowPaths> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module->getContext()->getRemarkEngine())
      return;
    if (reference) {
      module.walk([](func::FuncOp fn) {
        if (!fn.isExternal())
          remarks::slowPath(fn, kPass, "reference",
                            "opt level 0: the reference lowering, naive "
                            "scalar loops for every op");
      });
      return;
    }
    module.walk([](linalg::LinalgOp op) {
      if (isa<linalg::FillOp>(op) || !op.hasPureTensorSemantics())
        return;
      remarks::slowPath(op, kPass, "scalar-loops",
                        op->getName().getStringRef() + " runs as scalar "
                        "loops: " + whyScalar(op));
    });
  }
};
} // namespace
