//===- CpuAttachTarget.cpp - kiln-cpu-attach-target -----------------------===//
//
// Records the resolved CpuTarget on an LLVM dialect module: triple and data
// layout on the module, target_cpu / target_features on each function.
//
//===----------------------------------------------------------------------===//
#include "kiln/Target/CpuTarget.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUATTACHTARGET
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
struct CpuAttachTarget
    : public kiln::impl::KilnCpuAttachTargetBase<CpuAttachTarget> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<CpuTarget> target = resolveCpuTarget(module, mcpu);
    if (failed(target))
      return signalPassFailure();
    MLIRContext *ctx = &getContext();
    module->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(),
                    StringAttr::get(ctx, target->triple));
    module->setAttr(LLVM::LLVMDialect::getDataLayoutAttrName(),
                    StringAttr::get(ctx, target->dataLayout));
    auto cpu = StringAttr::get(ctx, target->cpu);
    auto features = LLVM::TargetFeaturesAttr::get(ctx, target->features);
    module.walk([&](LLVM::LLVMFuncOp func) {
      if (func.isExternal())
        return;
      func.setTargetCpuAttr(cpu);
      func.setTargetFeaturesAttr(features);
    });
  }
};
} // namespace
