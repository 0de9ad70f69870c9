//===- Link.h - linking shared artifacts, the thread pool's symbols -*- C++ -*-===//
#ifndef KILN_LIB_DRIVER_LINK_H
#define KILN_LIB_DRIVER_LINK_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::kiln::driver {

/// Links `obj` into the shared library `out` with ld.lld, together with
/// Kiln's thread pool (libKilnParallel.a, whole archive, hidden symbols).
LogicalResult linkShared(Location loc, StringRef obj, StringRef out,
                         bool needsRunnerUtils);
/// libKilnParallel.a: $KILN_PARALLEL_LIB, the build tree's, or
/// <tool dir>/../lib/libKilnParallel.a; empty if none exists.
std::string findParallelArchive();
/// Fails (naming it) if `module` calls an OpenMP runtime function
/// (`__kmpc_*`, `omp_*`) that Kiln's thread pool does not provide.
LogicalResult checkParallelRuntimeCalls(Location loc,
                                        const llvm::Module &module);
/// Name -> address of every function of the thread pool linked into this
/// process (for the JIT's symbol map).
SmallVector<std::pair<StringRef, void *>> parallelRuntimeSymbols();

} // namespace mlir::kiln::driver

#endif // KILN_LIB_DRIVER_LINK_H
