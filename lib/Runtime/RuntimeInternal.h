//===- RuntimeInternal.h - shared by the runtime's files --------*- C++ -*-===//
// No MLIR or LLVM: the runtime links only libc (and libdl).
#ifndef KILN_LIB_RUNTIME_RUNTIMEINTERNAL_H
#define KILN_LIB_RUNTIME_RUNTIMEINTERNAL_H

#include "kiln/Runtime/kiln_runtime.h"
#include <atomic>
#include <string>
#include <vector>

struct kiln_tensor {
  kiln_dtype dtype;
  int rank;
  int64_t dims[KILN_MAX_RANK];
  void *data;    // packed row-major storage
  size_t nbytes;
  void *toFree;  // released with free(), or to `owner`'s buffer pool
  kiln_artifact *owner; // set when toFree came from an artifact: a reference
};

namespace kiln::rt {

using CheckFailuresFn = int64_t (*)(const char **message);

/// A tensor over `data` (dense row-major, not a 4-bit type) that frees
/// `toFree` when freed, to `owner`'s buffer pool when `owner` is set (the
/// tensor then holds a reference to it): results the compiled code
/// allocated are taken over, not copied.
kiln_status adoptBuffer(kiln_dtype dtype, int rank, const int64_t *dims,
                        void *data, void *toFree, kiln_artifact *owner,
                        kiln_tensor **out);

/// Artifacts are reference counted: kiln_artifact_free drops the caller's
/// reference, and each result tensor whose buffer came from the artifact's
/// pool holds one, so the code that frees the buffer stays loaded.
void retainArtifact(kiln_artifact *a);
void releaseArtifact(kiln_artifact *a);
/// Returns a result buffer to the artifact's pool (free() for artifacts
/// older than the pool).
void freeResultBuffer(kiln_artifact *a, void *buffer);

struct TensorSig {
  kiln_dtype dtype;
  std::vector<int64_t> dims; // -1 = dynamic
};

/// Dynamic input dims the code requires to be equal (and equal to `size`
/// when it is >= 0): a "same" metadata record.
struct DimAgreement {
  int64_t size = -1;
  std::vector<std::pair<int, int>> dims; // (input, dim)
};

struct EntrySig {
  std::string name;
  int64_t flops = -1;
  std::vector<TensorSig> inputs, outputs;
  std::vector<DimAgreement> agreements;
  void *fn = nullptr; // _mlir_ciface_<name>
};

struct Metadata {
  int abiVersion = 0;
  std::string isa;
  std::vector<EntrySig> entries;
};

/// Sets the thread's last error and returns `status`.
kiln_status fail(kiln_status status, const std::string &message);
/// Parses the artifact metadata text; on failure returns KILN_ERROR_FILE or
/// KILN_ERROR_ABI with a message (not yet prefixed by the file).
kiln_status parseMetadata(const char *text, Metadata &out, std::string &error);
/// Comma-separated features of `isa` the host CPU lacks ("" if none).
std::string missingIsa(const std::string &isa, std::string &error);
/// Bytes one element takes in a memref descriptor's buffer.
size_t memElemBytes(kiln_dtype dtype);
std::string shapeString(const std::vector<int64_t> &dims);
/// Checks the entry's dim agreements on `inputs` (shapes already checked
/// against the signature).
kiln_status checkAgreements(const EntrySig &entry, kiln_tensor *const *inputs);
/// Calls the entry; a run-time check that failed during the call (the
/// artifact's kiln_artifact_check_failures) discards the outputs and returns
/// KILN_ERROR_DATA. With `into`, `outputs` are the caller's tensors and the
/// results are copied into them; otherwise new tensors are made.
kiln_status callEntry(kiln_artifact *a, const EntrySig &entry,
                      kiln_tensor *const *inputs, kiln_tensor **outputs,
                      bool into);

} // namespace kiln::rt

struct kiln_artifact {
  kiln::rt::Metadata meta;
  void *handle = nullptr; // dlopen handle, if loaded from a file
  void (*release)(void *) = nullptr;
  void *releaseContext = nullptr;
  /// kiln_artifact_set_num_threads of the artifact (its own thread pool);
  /// absent in artifacts older than the pool.
  void (*setThreads)(int) = nullptr;
  /// kiln_artifact_check_failures, absent when the code has no run-time
  /// check.
  kiln::rt::CheckFailuresFn checkFailures = nullptr;
  /// kiln_artifact_buffer_free; absent in artifacts older than the pool,
  /// whose results are malloc'ed.
  void (*bufferFree)(void *) = nullptr;
  std::atomic<int> refs{1};
};

namespace kiln::rt {

} // namespace kiln::rt

#endif // KILN_LIB_RUNTIME_RUNTIMEINTERNAL_H
