//===- Link.cpp - linking shared artifacts with Kiln's thread pool --------===//
#include "Link.h"
#include "Parallel.h"
#include "kiln/Driver/Driver.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::driver;

std::string mlir::kiln::driver::findLinker() {
  if (const char *env = std::getenv("KILN_LD_LLD"))
    return llvm::sys::fs::can_execute(env) ? env : "";
  auto found = llvm::sys::findProgramByName("ld.lld", {KILN_LLVM_BIN_DIR});
  return found ? *found : "";
}

std::string mlir::kiln::driver::findParallelArchive() {
  if (const char *env = std::getenv("KILN_PARALLEL_LIB"))
    return llvm::sys::fs::exists(env) ? env : "";
  if (llvm::sys::fs::exists(KILN_PARALLEL_ARCHIVE))
    return KILN_PARALLEL_ARCHIVE;
  static int anchor;
  SmallString<256> path(llvm::sys::fs::getMainExecutable(nullptr, &anchor));
  llvm::sys::path::remove_filename(path); // .../bin
  llvm::sys::path::remove_filename(path);
  llvm::sys::path::append(path, "lib", "libKilnParallel.a");
  return llvm::sys::fs::exists(path) ? path.str().str() : "";
}

SmallVector<std::pair<StringRef, void *>>
mlir::kiln::driver::parallelRuntimeSymbols() {
  int count = 0;
  const KilnParallelSymbol *symbols = kiln_parallel_symbols(&count);
  SmallVector<std::pair<StringRef, void *>> result;
  for (int i = 0; i < count; ++i)
    result.push_back({symbols[i].name, symbols[i].address});
  return result;
}

LogicalResult
mlir::kiln::driver::checkParallelRuntimeCalls(Location loc,
                                              const llvm::Module &module) {
  auto provided = parallelRuntimeSymbols();
  for (const llvm::Function &f : module) {
    StringRef name = f.getName();
    bool runtimeCall = name.starts_with("__kmpc_") ||
                       name.starts_with("omp_") ||
                       name.starts_with("_mlir_memref_to_llvm_") ||
                       name.starts_with("_mlir_ciface_kiln_");
    if (!f.isDeclaration() || !runtimeCall)
      continue;
    if (!llvm::any_of(provided, [&](auto &p) { return p.first == name; }))
      return emitError(loc)
             << "the code calls the runtime function '" << name
             << "', which Kiln's artifact runtime (lib/Runtime/Parallel.cpp, "
                "Memory.cpp) does not provide";
  }
  return success();
}

LogicalResult mlir::kiln::driver::linkShared(Location loc, StringRef obj,
                                             StringRef out,
                                             bool needsRunnerUtils) {
  std::string lld = findLinker();
  if (lld.empty())
    return emitError(loc) << "cannot find ld.lld in " << KILN_LLVM_BIN_DIR
                          << " (install lld-22, or set KILN_LD_LLD)";
  std::string pool = findParallelArchive();
  if (pool.empty())
    return emitError(loc) << "cannot find libKilnParallel.a (Kiln's thread "
                             "pool) at "
                          << KILN_PARALLEL_ARCHIVE
                          << " or next to the tool (set KILN_PARALLEL_LIB)";
  // The whole archive: every artifact exports kiln_artifact_set_num_threads,
  // parallel loops or not.
  SmallVector<std::string> args = {lld,   "-shared",         "-o",
                                   out.str(), obj.str(),     "--whole-archive",
                                   pool,  "--no-whole-archive", "--as-needed"};
  for (const char *dir : {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                          "/usr/lib64", "/usr/lib"})
    if (llvm::sys::fs::is_directory(dir))
      args.push_back(std::string("-L") + dir);
  if (needsRunnerUtils) { // memrefCopy and friends
    args.push_back("-L" KILN_LLVM_LIB_DIR);
    args.push_back("-rpath=" KILN_LLVM_LIB_DIR);
    args.push_back("-lmlir_c_runner_utils");
  }
  args.push_back("-lm");
  args.push_back("-lc");
  SmallString<128> log;
  llvm::sys::fs::createTemporaryFile("kiln-ld", "txt", log);
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(lld, argRefs, std::nullopt, redirects, 0,
                                     0, &execError);
  std::string output;
  if (auto buf = llvm::MemoryBuffer::getFile(log))
    output = (*buf)->getBuffer().trim().str();
  llvm::sys::fs::remove(log);
  if (rc != 0)
    return emitError(loc) << "linking " << out << " failed"
                          << (execError.empty() ? "" : ": " + execError)
                          << (output.empty() ? "" : ":\n" + output);
  return success();
}
