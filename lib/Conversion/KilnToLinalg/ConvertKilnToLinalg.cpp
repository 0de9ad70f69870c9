//===- ConvertKilnToLinalg.cpp - the reference lowering pass --------------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "kiln/Conversion/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct ConvertKilnToLinalgPass
    : kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    populateAttentionToLinalgPatterns(patterns);
    populateBlockSelectToLinalgPatterns(patterns);
    populateConvToLinalgPatterns(patterns);
    populateNNToLinalgPatterns(patterns);
    populateQuantToLinalgPatterns(patterns);
    populateQComputeToLinalgPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    // A kiln op no pattern can lower fails the conversion with a diagnostic
    // that names it ("failed to legalize operation 'kiln.x'").
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
