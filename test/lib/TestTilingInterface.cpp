//===- TestTilingInterface.cpp - kiln-test-tiling-interface ---------------===//
//
// Test-only pass: tiles every kiln op that implements TilingInterface with
// upstream scf::tileUsingSCF and the given tile sizes, so lit can check the
// slices each op's implementation produces and numerics tests can compare
// tiled against untiled results. Kiln's own tiler comes with kiln-tile.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {
struct TestTilingInterfacePass
    : PassWrapper<TestTilingInterfacePass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestTilingInterfacePass)
  TestTilingInterfacePass() = default;
  TestTilingInterfacePass(const TestTilingInterfacePass &other)
      : PassWrapper(other) {}
  StringRef getArgument() const final { return "kiln-test-tiling-interface"; }
  StringRef getDescription() const final {
    return "Tiles every kiln op with TilingInterface by the given sizes "
           "(test only)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<scf::SCFDialect, affine::AffineDialect,
                    tensor::TensorDialect>();
  }
  ListOption<int64_t> tileSizes{*this, "tile-sizes",
                                llvm::cl::desc("tile size per loop, 0 = none")};
  Option<bool> useForall{*this, "use-forall",
                         llvm::cl::desc("emit scf.forall instead of scf.for"),
                         llvm::cl::init(true)};

  void runOnOperation() override {
    SmallVector<TilingInterface> ops;
    getOperation()->walk([&](TilingInterface op) {
      if (isa<kiln::KilnDialect>(op->getDialect()))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (TilingInterface op : ops) {
      scf::SCFTilingOptions options;
      SmallVector<OpFoldResult> sizes;
      for (int64_t s : tileSizes)
        sizes.push_back(rewriter.getIndexAttr(s));
      options.setTileSizes(sizes);
      options.setLoopType(useForall
                              ? scf::SCFTilingOptions::LoopType::ForallOp
                              : scf::SCFTilingOptions::LoopType::ForOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, op, options);
      if (failed(tiled)) {
        op->emitError("tiling failed");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};
} // namespace

namespace mlir::kiln {
void registerTestQComputeDecompose(); // TestQComputeDecompose.cpp
void registerTestBlockDensity();      // TestBlockDensity.cpp
void registerKilnTestPasses() {
  PassRegistration<TestTilingInterfacePass>();
  registerTestQComputeDecompose();
  registerTestBlockDensity();
}
} // namespace mlir::kiln
