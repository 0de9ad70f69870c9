//===- Compile.cpp - kiln-compile's phases ---------------------------------===//
#include "kiln/Driver/Driver.h"
#include "Link.h"
#include "kiln/InitKiln.h"
#include "kiln/Pipelines/Pipelines.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::driver;

std::optional<Phase> mlir::kiln::driver::parsePhase(StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("input", Phase::Input)
      .Case("graph", Phase::Graph)
      .Case("loops", Phase::Loops)
      .Case("llvm-dialect", Phase::LLVMDialect)
      .Default(std::nullopt);
}

std::optional<EmitKind> mlir::kiln::driver::parseEmitKind(StringRef name) {
  return llvm::StringSwitch<std::optional<EmitKind>>(name)
      .Case("mlir", EmitKind::Mlir)
      .Case("llvm", EmitKind::LLVMIR)
      .Case("asm", EmitKind::Asm)
      .Case("obj", EmitKind::Obj)
      .Case("shared", EmitKind::Shared)
      .Default(std::nullopt);
}

void mlir::kiln::driver::registerDriverDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerKilnDialects(registry);
}

void mlir::kiln::driver::installToolDiagnostics(MLIRContext &context,
                                                StringRef tool) {
  context.printOpOnDiagnostic(false);
  context.getDiagEngine().registerHandler(
      [tool = tool.str()](Diagnostic &diag) -> LogicalResult {
        // A file without lines (an imported ONNX model): "file: error: ...".
        std::string prefix = tool;
        auto file = diag.getLocation()->findInstanceOf<FileLineColLoc>();
        if (file && file.getLine() == 0)
          prefix = file.getFilename().str();
        else if (!isa<UnknownLoc>(diag.getLocation()))
          return failure(); // the SourceMgr handler prints it
        // A remark names the ONNX node it is about (errors say it in their
        // message already).
        auto node = diag.getLocation()->findInstanceOf<NameLoc>();
        if (node && file && file.getLine() == 0 &&
            diag.getSeverity() == DiagnosticSeverity::Remark)
          prefix += ": node '" + node.getName().str() + "'";
        auto severity = [](DiagnosticSeverity s) {
          switch (s) {
          case DiagnosticSeverity::Error: return "error";
          case DiagnosticSeverity::Warning: return "warning";
          case DiagnosticSeverity::Note: return "note";
          case DiagnosticSeverity::Remark: return "remark";
          }
          return "error";
        };
        llvm::errs() << prefix << ": " << severity(diag.getSeverity()) << ": "
                     << diag << "\n";
        for (Diagnostic &note : diag.getNotes())
          llvm::errs() << prefix << ": note: " << note << "\n";
        return success();
      });
}

void mlir::kiln::driver::initializeLLVMTargets() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)done;
}

LogicalResult mlir::kiln::driver::lower(ModuleOp module,
                                        const CompileOptions &options,
                                        Phase until) {
  if (until == Phase::Input)
    return success();
  PassManager pm(module.getContext());
  if (until == Phase::Graph) {
    if (options.optLevel > 0 && options.graphFusion)
      addGraphPasses(pm);
    if (options.configurePassManager &&
        failed(options.configurePassManager(pm)))
      return failure();
    return pm.run(module);
  }
  CpuPipelineOptions pipeline;
  pipeline.mcpu = options.mcpu;
  pipeline.optLevel = options.optLevel;
  pipeline.graphFusion = options.graphFusion;
  pipeline.lowerToLLVM = until == Phase::LLVMDialect;
  buildCpuPipeline(pm, pipeline);
  if (options.configurePassManager &&
      failed(options.configurePassManager(pm)))
    return failure();
  return pm.run(module);
}

FailureOr<std::vector<EntrySignature>>
mlir::kiln::driver::lowerToArtifactModule(ModuleOp module,
                                          const CompileOptions &options,
                                          const CpuTarget &target) {
  auto entries = prepareEntries(module);
  if (failed(entries) || failed(inferDimAgreements(module, *entries)) ||
      failed(lower(module, options, Phase::LLVMDialect)))
    return failure();
  std::string isa = llvm::join(target.requiredIsa, ",");
  if (options.requiredIsaOverride)
    isa = *options.requiredIsaOverride;
  addMetadata(module, formatMetadata(*entries, isa));
  return entries;
}

std::unique_ptr<llvm::TargetMachine>
mlir::kiln::driver::createTargetMachine(const CpuTarget &target,
                                        unsigned optLevel, std::string &error) {
  initializeLLVMTargets();
  llvm::Triple triple(target.triple);
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t)
    return nullptr;
  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                              : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(
      t->createTargetMachine(triple, target.cpu, target.features,
                             llvm::TargetOptions(), llvm::Reloc::PIC_,
                             std::nullopt, level));
  if (!tm)
    error = "cannot create a target machine for " + target.triple;
  return tm;
}

/// Writes `text` to `path` ("-" = stdout).
static LogicalResult writeText(Location loc, StringRef path,
                               function_ref<void(raw_ostream &)> print) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file)
    return emitError(loc) << "cannot write " << path << ": " << error;
  print(file->os());
  file->keep();
  return success();
}

LogicalResult mlir::kiln::driver::compile(ModuleOp module,
                                          const CompileOptions &options,
                                          StringRef outputPath) {
  Location loc = UnknownLoc::get(module.getContext());
  auto printModule = [&](raw_ostream &os) { module.print(os); };
  if (options.compileTo && *options.compileTo != Phase::LLVMDialect) {
    if (failed(prepareEntries(module)) ||
        failed(lower(module, options, *options.compileTo)))
      return failure();
    return writeText(loc, outputPath, printModule);
  }
  std::string error;
  FailureOr<CpuTarget> target = resolveCpuTarget(options.mcpu, error);
  if (failed(target))
    return emitError(loc) << error;
  auto tm = createTargetMachine(*target, options.optLevel, error);
  if (!tm)
    return emitError(loc) << error;
  auto entries = lowerToArtifactModule(module, options, *target);
  if (failed(entries))
    return failure();
  if (options.emit == EmitKind::Mlir || options.compileTo)
    return writeText(loc, outputPath, printModule);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return emitError(loc) << "translation to LLVM IR failed";
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", target->cpu);
    f.addFnAttr("target-features", target->features);
  }
  auto optimize = makeOptimizingTransformer(options.optLevel, 0, tm.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return emitError(loc) << "LLVM optimization failed: "
                          << llvm::toString(std::move(err));
  if (failed(checkParallelRuntimeCalls(loc, *llvmModule)))
    return failure();
  if (options.emit == EmitKind::LLVMIR)
    return writeText(loc, outputPath,
                     [&](raw_ostream &os) { llvmModule->print(os, nullptr); });

  bool isShared = options.emit == EmitKind::Shared;
  if (!isShared && options.emit != EmitKind::Asm && outputPath == "-")
    return emitError(loc) << "--emit=obj needs -o FILE";
  if (isShared && outputPath == "-")
    return emitError(loc) << "--emit=shared needs -o FILE.so";
  SmallString<128> objPath(outputPath);
  if (isShared) {
    // The header first: an unwritable output fails before any work.
    SmallString<128> header(outputPath);
    llvm::sys::path::replace_extension(header, "h");
    std::string guard = "KILN_ARTIFACT_" +
                        llvm::sys::path::stem(outputPath).upper() + "_H";
    for (char &c : guard)
      if (!isalnum(c))
        c = '_';
    if (failed(writeText(loc, header, [&](raw_ostream &os) {
          os << generateHeader(*entries, guard);
        })))
      return failure();
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("kiln-artifact", "o", objPath))
      return emitError(loc) << "cannot create a temporary file: "
                            << ec.message();
  }
  {
    auto file = openOutputFile(objPath, &error);
    if (!file)
      return emitError(loc) << "cannot write " << objPath << ": " << error;
    llvm::legacy::PassManager codegen;
    auto kind = options.emit == EmitKind::Asm ? llvm::CodeGenFileType::AssemblyFile
                                              : llvm::CodeGenFileType::ObjectFile;
    if (tm->addPassesToEmitFile(codegen, file->os(), nullptr, kind))
      return emitError(loc) << "the target cannot emit this file type";
    codegen.run(*llvmModule);
    file->keep();
  }
  if (!isShared)
    return success();
  bool runnerUtils = llvmModule->getFunction("memrefCopy") != nullptr;
  LogicalResult linked = linkShared(loc, objPath, outputPath, runnerUtils);
  llvm::sys::fs::remove(objPath);
  return linked;
}
