//===- CpuParallelForall.cpp - kiln-cpu-parallel-forall -------------------===//
//
// Outermost scf.forall -> scf.parallel (for convert-scf-to-openmp and Kiln's
// thread pool), nested scf.forall -> scf.for: one level of parallelism.
//
//===----------------------------------------------------------------------===//
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPARALLELFORALL
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct CpuParallelForall
    : public kiln::impl::KilnCpuParallelForallBase<CpuParallelForall> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForallOp> foralls;
    bool bad = false;
    getOperation().walk([&](scf::ForallOp op) {
      if (op.getNumResults()) {
        op.emitOpError("has results; kiln-cpu-parallel-forall expects "
                       "bufferized code (memref operands, no shared_outs)");
        bad = true;
      }
      foralls.push_back(op);
    });
    if (bad)
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    // Post-order: inner foralls become scf.for before their parent is
    // looked at, so the parent check sees only the loops left outside.
    for (scf::ForallOp op : foralls) {
      rewriter.setInsertionPoint(op);
      bool nested = op->getParentOfType<scf::ForallOp>() ||
                    op->getParentOfType<scf::ParallelOp>();
      if (nested ? failed(scf::forallToForLoop(rewriter, op))
                 : failed(scf::forallToParallelLoop(rewriter, op))) {
        op.emitOpError("cannot be converted for the thread pool");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
