//===- RuntimeInternal.h - shared by the runtime's files --------*- C++ -*-===//
// No MLIR or LLVM: the runtime links only libc (and libdl).
#ifndef KILN_LIB_RUNTIME_RUNTIMEINTERNAL_H
#define KILN_LIB_RUNTIME_RUNTIMEINTERNAL_H

#include "kiln/Runtime/kiln_runtime.h"
#include <string>
#include <vector>

struct kiln_tensor {
  kiln_dtype dtype;
  int rank;
  int64_t dims[KILN_MAX_RANK];
  void *data;    // packed row-major storage
  size_t nbytes;
  void *toFree;  // released with free()
};

namespace kiln::rt {

using CheckFailuresFn = int64_t (*)(const char **message);

/// A tensor over `data` (dense row-major, not a 4-bit type) that frees
/// `toFree` when freed: results the compiled code allocated are taken over,
/// not copied.
kiln_status adoptBuffer(kiln_dtype dtype, int rank, const int64_t *dims,
                        void *data, void *toFree, kiln_tensor **out);

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
/// Calls the entry; with `checks` (the artifact's
/// kiln_artifact_check_failures), a run-time check that failed during the
/// call discards the outputs and returns KILN_ERROR_DATA.
kiln_status callEntry(const EntrySig &entry, CheckFailuresFn checks,
                      kiln_tensor *const *inputs, kiln_tensor **outputs);

} // namespace kiln::rt

#endif // KILN_LIB_RUNTIME_RUNTIMEINTERNAL_H
