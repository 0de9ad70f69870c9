//===- CpuInlineAllocaScopes.cpp - kiln-cpu-inline-alloca-scopes ----------===//
//
// convert-scf-to-openmp wraps each parallel body in memref.alloca_scope; a
// scope holding no stack allocation is a no-op, and inlining it keeps the
// later scf-to-cf conversion from splitting its one-block region.
//
//===----------------------------------------------------------------------===//
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUINLINEALLOCASCOPES
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Whether `scope` holds a memref.alloca of its own (nested scopes own
/// theirs).
bool holdsAlloca(memref::AllocaScopeOp scope) {
  return scope.getBodyRegion()
      .walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (isa<memref::AllocaOp>(op))
          return WalkResult::interrupt();
        if (op != scope.getOperation() && isa<memref::AllocaScopeOp>(op))
          return WalkResult::skip();
        return WalkResult::advance();
      })
      .wasInterrupted();
}

struct CpuInlineAllocaScopes
    : public kiln::impl::KilnCpuInlineAllocaScopesBase<CpuInlineAllocaScopes> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation().walk([&](memref::AllocaScopeOp scope) {
      if (scope.getNumResults() == 0 &&
          scope.getBodyRegion().hasOneBlock() && !holdsAlloca(scope))
        scopes.push_back(scope);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      Operation *terminator = body.getTerminator();
      rewriter.inlineBlockBefore(&body, scope);
      rewriter.eraseOp(terminator);
      rewriter.eraseOp(scope);
    }
  }
};
} // namespace
