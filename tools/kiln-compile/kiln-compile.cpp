//===- kiln-compile.cpp - the ahead-of-time compiler -----------------------===//
// kiln-compile IN.mlir|IN.onnx -o OUT [--mcpu=] [-O0..3] [--emit=mlir|llvm|asm|obj|
// shared] [--compile-to=input|loops|llvm-dialect] [--mlir-* options].
#include "kiln/Driver/Driver.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;
namespace drv = mlir::kiln::driver;

// Kiln's own options; --help lists only these (LLVM's backend options stay
// usable through --help-hidden, MLIR's --mlir-* options are listed).
static cl::OptionCategory kilnCategory("kiln-compile options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir | model.onnx>"), cl::cat(kilnCategory),
                                      cl::init("-"));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"), cl::cat(kilnCategory),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<std::string> target("target", cl::desc("Target (cpu)"), cl::cat(kilnCategory),
                                   cl::init("cpu"));
static cl::opt<std::string>
    mcpu("mcpu", cl::cat(kilnCategory), cl::desc("CPU: native, or an LLVM name (sapphirerapids, "
                          "skylake-avx512, x86-64-v3, ...)"),
         cl::init("native"));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0..3"), cl::cat(kilnCategory),
                                  cl::Prefix, cl::init(3));
static cl::opt<bool> graphFusion(
    "graph-fusion", cl::cat(kilnCategory), cl::init(true),
    cl::desc("Fuse decomposed attention and fold batch_norm into convs "
             "(--graph-fusion=false shows what they buy)"));
static cl::opt<std::string>
    emit("emit", cl::cat(kilnCategory), cl::desc("Output kind: mlir, llvm, asm, obj, shared (a .so "
                          "plus a C header beside it)"),
         cl::init("shared"));
static cl::opt<std::string>
    compileTo("compile-to", cl::cat(kilnCategory),
              cl::desc("Stop after a phase and print MLIR: input (as "
                       "parsed or imported), graph (after the graph-level "
                       "fusions), loops, llvm-dialect"),
              cl::init(""));
static cl::opt<bool> remarksText(
    "remarks",
    cl::desc("Report slow paths (kiln-slow-path) and fusions considered "
             "(kiln-fusion) as remarks on stderr"),
    cl::cat(kilnCategory));
static cl::opt<std::string> remarksYaml(
    "remarks-yaml", cl::desc("Write the same remarks to FILE as YAML"),
    cl::value_desc("FILE"), cl::cat(kilnCategory));
static cl::opt<std::string> testRequiredIsa(
    "test-required-isa", cl::Hidden, cl::init("\x01"),
    cl::desc("Tests only: the ISA recorded in the artifact metadata"));

static int fail(const Twine &message) {
  llvm::errs() << "kiln-compile: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // Keep --mlir-* (pass manager, timing, printing) visible beside Kiln's.
  for (auto &[name, option] : cl::getRegisteredOptions())
    if (name.starts_with("mlir-"))
      option->addCategory(kilnCategory);
  cl::HideUnrelatedOptions(kilnCategory);
  cl::ParseCommandLineOptions(argc, argv, "Kiln ahead-of-time compiler\n");

  drv::CompileOptions options;
  if (target != "cpu")
    return fail("unknown --target '" + target + "' (expected cpu)");
  if (optLevel > 3)
    return fail("-O" + Twine(optLevel.getValue()) + " is not one of -O0..-O3");
  auto kind = drv::parseEmitKind(emit);
  if (!kind)
    return fail("unknown --emit '" + emit +
                "' (expected mlir, llvm, asm, obj or shared)");
  options.emit = *kind;
  if (!compileTo.empty()) {
    options.compileTo = drv::parsePhase(compileTo);
    if (!options.compileTo)
      return fail("unknown --compile-to '" + compileTo +
                  "' (expected input, graph, loops or llvm-dialect)");
    if (emit.getNumOccurrences() && options.emit != drv::EmitKind::Mlir)
      return fail("--compile-to prints MLIR; it takes no --emit=" + emit);
    options.emit = drv::EmitKind::Mlir;
  }
  options.mcpu = mcpu;
  options.optLevel = optLevel;
  options.graphFusion = graphFusion;
  if (testRequiredIsa != "\x01")
    options.requiredIsaOverride = testRequiredIsa;
  options.configurePassManager = [](PassManager &pm) {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    applyDefaultTimingPassManagerCLOptions(pm);
    return success();
  };

  DialectRegistry registry;
  drv::registerDriverDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  drv::installToolDiagnostics(context, "kiln-compile");
  if (remarksText || !remarksYaml.empty()) {
    drv::RemarkSink sink;
    sink.text = remarksText;
    sink.yamlPath = remarksYaml;
    if (failed(drv::enableRemarks(context, sink)))
      return 1;
  }
  OwningOpRef<ModuleOp> module = drv::loadInput(context, sourceMgr, inputFile);
  if (!module)
    return 1;
  bool ok = succeeded(drv::compile(*module, options, outputFile));
  drv::finishRemarks(context);
  return ok ? 0 : 1;
}
