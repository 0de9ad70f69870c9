//===- Jit.cpp - in-process compilation for kiln-run -----------------------===//
#include "Link.h"
#include "kiln/Driver/Driver.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
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
  auto optimize = makeOptimizingTransformer(options.optLevel, 0, nullptr);
  // ExecutionEngine::create runs the transformer eagerly and cantFail()s its
  // result, so a failed check is only recorded (and reported) here.
  bool unsupportedCall = false;
  auto transform = [&](llvm::Module *m) -> llvm::Error {
    if (llvm::Error err = optimize(m))
      return err;
    unsupportedCall = failed(checkParallelRuntimeCalls(loc, *m));
    return llvm::Error::success();
  };
  engineOptions.transformer = transform;
  // memrefCopy and friends, as kiln-compile links them into artifacts.
  StringRef runnerUtils = KILN_LLVM_LIB_DIR "/libmlir_c_runner_utils.so";
  engineOptions.sharedLibPaths = runnerUtils;
  engineOptions.jitCodeGenOptLevel =
      options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                            : llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, engineOptions);
  if (!engine)
    return emitError(loc) << "JIT compilation failed: "
                          << llvm::toString(engine.takeError());
  if (unsupportedCall)
    return failure();
  // Parallel loops call Kiln's thread pool linked into this process (never
  // an OpenMP runtime that might be loaded too); kiln_artifact_set_num_threads
  // is found through the same map.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    for (auto [name, address] : parallelRuntimeSymbols())
      map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                             llvm::JITSymbolFlags::Exported |
                                 llvm::JITSymbolFlags::Callable};
    return map;
  });
  return std::move(*engine);
}
