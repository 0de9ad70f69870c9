//===- TestBlockDensity.cpp - kiln-test-block-density ----------------------===//
//
// For every kiln.attention marked `kiln.pbs` whose query and key are
// arith.constant f32 tensors of static shape, reports (as a remark on the
// op) the density of PBS's threshold block selection before and after the
// key permutation, from the pure C++ model in kiln/Utils/PbsAnalysis.h:
//   "block density: unpermuted S0/V = d0, permuted S1/V = d1"
// with S the selected and V the causally visible (query block, KV block)
// pairs over batch and KV heads. Options as kiln-permute-block-sparse's.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/Utils/PbsAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/Pass.h"

#include <cstdio>

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// The values of a constant static f32 tensor, or nothing.
std::optional<std::vector<float>> constantValues(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  auto attr = cst ? dyn_cast<DenseElementsAttr>(cst.getValue()) : nullptr;
  if (!attr || !attr.getElementType().isF32())
    return std::nullopt;
  auto values = attr.getValues<float>();
  return std::vector<float>(values.begin(), values.end());
}

struct TestBlockDensityPass
    : PassWrapper<TestBlockDensityPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestBlockDensityPass)
  TestBlockDensityPass() = default;
  TestBlockDensityPass(const TestBlockDensityPass &other)
      : PassWrapper(other) {}
  StringRef getArgument() const final { return "kiln-test-block-density"; }
  StringRef getDescription() const final {
    return "Reports PBS block density before and after permutation for "
           "attention ops with constant query and key";
  }
  Option<int64_t> block{*this, "block-size", llvm::cl::init(128)};
  Option<int64_t> segment{*this, "segment-size", llvm::cl::init(256)};
  Option<double> threshold{*this, "threshold", llvm::cl::init(0.9)};
  Option<bool> sink{*this, "sink", llvm::cl::init(true)};

  void runOnOperation() override {
    getOperation()->walk([&](AttentionOp op) {
      if (!op->hasAttr("kiln.pbs"))
        return;
      auto q = cast<RankedTensorType>(op.getQuery().getType());
      auto k = cast<RankedTensorType>(op.getKey().getType());
      std::optional<std::vector<float>> qv = constantValues(op.getQuery());
      std::optional<std::vector<float>> kv = constantValues(op.getKey());
      if (!qv || !kv || !q.hasStaticShape() || !k.hasStaticShape()) {
        op.emitError("kiln-test-block-density: query and key must be static "
                     "f32 constants");
        return signalPassFailure();
      }
      ::kiln::pbs::Problem p;
      p.batch = q.getDimSize(0);
      p.qHeads = q.getDimSize(1);
      p.kvHeads = k.getDimSize(1);
      p.queryLen = q.getDimSize(2);
      p.keyLen = k.getDimSize(2);
      p.dim = q.getDimSize(3);
      p.query = qv->data();
      p.key = kv->data();
      p.scale = op.getScaleOrDefault();
      ::kiln::pbs::Options o{block, segment, threshold, sink};
      ::kiln::pbs::Density before = ::kiln::pbs::selectionDensity(p, o, nullptr);
      std::vector<int64_t> perm = ::kiln::pbs::permutation(p, o);
      ::kiln::pbs::Density after = ::kiln::pbs::selectionDensity(p, o, &perm);
      char text[200];
      std::snprintf(text, sizeof(text),
                    "block density: unpermuted %lld/%lld = %.4f, permuted "
                    "%lld/%lld = %.4f",
                    (long long)before.selected, (long long)before.visible,
                    before.fraction(), (long long)after.selected,
                    (long long)after.visible, after.fraction());
      op.emitRemark(text);
    });
  }
};
} // namespace

namespace mlir::kiln {
void registerTestBlockDensity() { PassRegistration<TestBlockDensityPass>(); }
} // namespace mlir::kiln
