//===- kiln-run.cpp - run a Kiln artifact (or .mlir / .onnx, JIT) on .npy ===//
#include "RunSupport.h"
#include "kiln/Driver/Driver.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
namespace cl = llvm::cl;
namespace drv = mlir::kiln::driver;

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<artifact.so | input.mlir | model.onnx>"));
static cl::opt<bool> list("list", cl::desc("List the entry points and exit"));
static cl::opt<std::string> entryName("entry",
                                      cl::desc("Entry point (default: the only one)"));
static cl::list<std::string> inputs("input", cl::desc("Input .npy, in order"));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of random inputs"),
                              cl::init(0));
static cl::list<std::string> outputs("output", cl::desc("Write output i to .npy"));
static cl::list<std::string> checks("check",
                                    cl::desc("Compare output i with a .npy"));
static cl::opt<double> relTol("rtol", cl::init(1e-5), cl::desc("--check rtol"));
static cl::opt<double> absTol("atol", cl::init(1e-6), cl::desc("--check atol"));
static cl::opt<unsigned> bench("bench", cl::init(0),
                               cl::desc("Time N runs (after one warm-up)"));
// libLLVM already registers a global --threads, so kiln-run takes its own
// out of argv before the command line is parsed.
static cl::extrahelp threadsHelp(
    "\n--threads=N (or --threads N): threads for compiled code (0 = all)\n");

/// Removes --threads=N / --threads N from argv; false on a bad value.
static bool takeThreads(int &argc, char **argv, int &threads) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    StringRef arg(argv[i]);
    if (arg == "--threads" || arg == "-threads") {
      if (i + 1 >= argc)
        return false;
      arg = argv[++i];
    } else if (!arg.consume_front("--threads=") &&
               !arg.consume_front("-threads=")) {
      argv[out++] = argv[i];
      continue;
    }
    if (arg.getAsInteger(10, threads) || threads < 0)
      return false;
  }
  argc = out;
  argv[argc] = nullptr;
  return true;
}
static cl::opt<unsigned> optLevel("O", cl::Prefix, cl::init(3),
                                  cl::desc("Optimization level of a .mlir input"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  int threads = 0;
  if (!takeThreads(argc, argv, threads))
    return ::kiln::run::fail("--threads takes a count >= 0");
  registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Run a Kiln artifact\n");
  kiln_set_num_threads(threads);

  // A .mlir input is compiled in-process; `engine` outlives the artifact.
  std::unique_ptr<ExecutionEngine> engine;
  kiln_artifact *artifact = nullptr;
  if (StringRef(inputPath).ends_with(".mlir") || drv::isOnnxPath(inputPath)) {
    DialectRegistry registry;
    drv::registerDriverDialects(registry);
    MLIRContext context(registry);
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    drv::installToolDiagnostics(context, "kiln-run");
    OwningOpRef<ModuleOp> module = drv::loadInput(context, sourceMgr, inputPath);
    if (!module)
      return 1;
    drv::CompileOptions options;
    options.optLevel = optLevel;
    auto jit = drv::compileForJit(*module, options);
    if (failed(jit))
      return 1;
    engine = std::move(*jit);
    auto lookup = [](void *ctx, const char *sym) -> void * {
      auto addr = static_cast<ExecutionEngine *>(ctx)->lookup(sym);
      if (!addr) {
        llvm::consumeError(addr.takeError());
        return nullptr;
      }
      return *addr;
    };
    if (kiln_artifact_from_symbols(lookup, engine.get(), nullptr, &artifact))
      return ::kiln::run::fail(kiln_last_error());
  } else if (kiln_artifact_load(inputPath.c_str(), &artifact) != KILN_OK) {
    return ::kiln::run::fail(kiln_last_error());
  }

  ::kiln::run::Options o;
  o.list = list;
  o.entry = entryName;
  o.inputs = {inputs.begin(), inputs.end()};
  o.outputs = {outputs.begin(), outputs.end()};
  o.checks = {checks.begin(), checks.end()};
  o.seed = seed;
  o.rtol = relTol;
  o.atol = absTol;
  o.bench = bench;
  int rc = ::kiln::run::run(artifact, o);
  kiln_artifact_free(artifact);
  return rc;
}
