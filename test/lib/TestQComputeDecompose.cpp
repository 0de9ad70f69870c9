//===- TestQComputeDecompose.cpp - kiln-test-qcompute-decompose -----------===//
//
// Test-only pass: applies just the kiln.qmatmul / kiln.qconv patterns of the
// reference lowering (populateQComputeToLinalgPatterns), so lit can check the
// kiln.dequantize + kiln.matmul / kiln.conv they produce before those ops are
// lowered in turn by convert-kiln-to-linalg.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace {
struct TestQComputeDecomposePass
    : PassWrapper<TestQComputeDecomposePass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestQComputeDecomposePass)
  StringRef getArgument() const final { return "kiln-test-qcompute-decompose"; }
  StringRef getDescription() const final {
    return "Rewrites kiln.qmatmul / kiln.qconv into kiln.dequantize + "
           "kiln.matmul / kiln.conv (test only)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<kiln::KilnDialect, tensor::TensorDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    kiln::populateQComputeToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

namespace mlir::kiln {
void registerTestQComputeDecompose() {
  PassRegistration<TestQComputeDecomposePass>();
}
} // namespace mlir::kiln
