//===- Parallel.h - Kiln's parallel runtime (libKilnParallel.a) --*- C++ -*-===//
//
// The OpenMP entry points that compiled parallel loops call, implemented on
// Kiln's own thread pool (Parallel.cpp). Everything here has hidden
// visibility except kiln_artifact_set_num_threads (kiln_runtime.h).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_PARALLEL_H
#define KILN_LIB_RUNTIME_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

/// Most values a parallel region may capture (`__kmpc_fork_call` argc).
/// MLIR's OpenMP translation packs the captures into one struct, so compiled
/// code passes 1; a larger count aborts with a message.
#define KILN_PARALLEL_MAX_ARGS 16
/// Most threads in a team (requests above are capped).
#define KILN_PARALLEL_MAX_THREADS 256

#ifdef __cplusplus
extern "C" {
#endif

typedef struct KilnParallelSymbol {
  const char *name;
  void *address;
} KilnParallelSymbol;

/// Every function the library provides to compiled code (the `__kmpc_*`
/// entry points and kiln_artifact_set_num_threads), for a JIT's symbol map
/// and for kiln-compile's check that nothing else is called.
const KilnParallelSymbol *kiln_parallel_symbols(int *count);

/// Threads for the parallel loops of this copy of the library: 0 = all cores
/// the process may run on (sched_getaffinity), the default.
void kiln_artifact_set_num_threads(int threads);

/// Memory.cpp: the calling thread's block of at least `bytes` bytes for
/// workspace frame `key` (written as a memref<?xi8> descriptor), and the
/// buffer pool behind memref.alloc/dealloc (use-generic-functions).
struct KilnDescriptor1D;
void _mlir_ciface_kiln_workspace_frame(struct KilnDescriptor1D *result,
                                       int64_t key, int64_t bytes);
void *_mlir_memref_to_llvm_alloc(size_t bytes);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes);
void _mlir_memref_to_llvm_free(void *ptr);
/// Frees a result buffer the artifact handed out (exported; kiln_runtime.h).
void kiln_artifact_buffer_free(void *ptr);

#ifdef __cplusplus
}

namespace kiln::parallel {
/// The calling thread's index in its current team, and the team's size
/// (0 and 1 outside a parallel region and in a serialized one).
__attribute__((visibility("hidden"))) int teamThread();
__attribute__((visibility("hidden"))) int teamSize();
} // namespace kiln::parallel
#endif

#endif // KILN_LIB_RUNTIME_PARALLEL_H
