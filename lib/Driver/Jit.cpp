//===- Jit.cpp - in-process compilation for kiln-run -----------------------===//
#include "kiln/Driver/Driver.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/Support/Error.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::driver;

FailureOr<std::unique_ptr<ExecutionEngine>>
mlir::kiln::driver::compileForJit(ModuleOp module,
                                  const CompileOptions &options) {
  initializeLLVMTargets();
  Location loc = UnknownLoc::get(module.getContext());
  std::string error;
  // The JIT compiles for the host, so the code is lowered for it too.
  FailureOr<CpuTarget> target = resolveCpuTarget("native", error);
  if (failed(target))
    return emitError(loc) << error;
  CompileOptions hostOptions = options;
  hostOptions.mcpu = "native";
  if (failed(lowerToArtifactModule(module, hostOptions, *target)))
    return failure();
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer =
      makeOptimizingTransformer(options.optLevel, 0, nullptr);
  engineOptions.jitCodeGenOptLevel =
      options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                            : llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, engineOptions);
  if (!engine)
    return emitError(loc) << "JIT compilation failed: "
                          << llvm::toString(engine.takeError());
  return std::move(*engine);
}
