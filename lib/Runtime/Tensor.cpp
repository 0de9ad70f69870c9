//===- Tensor.cpp - errors, dtypes and tensors of the C runtime ------------===//
#include "RuntimeInternal.h"
#include <cstdlib>
#include <cstring>

using namespace kiln::rt;

static thread_local std::string lastError;

kiln_status kiln::rt::fail(kiln_status status, const std::string &message) {
  lastError = message;
  return status;
}

namespace {
struct DtypeInfo {
  const char *name;
  int bits;      // in kiln_tensor data
  int memBytes;  // in a memref buffer
};
constexpr DtypeInfo kDtypes[KILN_DTYPE_COUNT] = {
    {"f32", 32, 4}, {"f64", 64, 8},     {"f16", 16, 2},      {"bf16", 16, 2},
    {"i64", 64, 8}, {"i32", 32, 4},     {"i16", 16, 2},      {"i8", 8, 1},
    {"u8", 8, 1},   {"i1", 8, 1},       {"f8E4M3FN", 8, 1},  {"f8E5M2", 8, 1},
    {"f4E2M1FN", 4, 1}, {"i4", 4, 1},   {"f8E8M0FNU", 8, 1}};
} // namespace

/// The checks kiln_tensor_create and kiln_tensor_wrap share; the byte size
/// of the tensor in *nbytes.
static kiln_status checkShape(const char *fn, kiln_dtype dtype, int rank,
                              const int64_t *dims, kiln_tensor **out,
                              size_t *nbytes) {
  const std::string name = fn;
  if (!out)
    return fail(KILN_ERROR_ARGUMENT, name + ": null output pointer");
  *out = nullptr;
  if (dtype < 0 || dtype >= KILN_DTYPE_COUNT)
    return fail(KILN_ERROR_ARGUMENT, name + ": invalid dtype");
  if (rank < 0 || rank > KILN_MAX_RANK || (rank > 0 && !dims))
    return fail(KILN_ERROR_ARGUMENT,
                name + ": rank " + std::to_string(rank) + " outside 0.." +
                    std::to_string(KILN_MAX_RANK));
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    if (dims[d] < 0 || (dims[d] > 0 && count > (INT64_MAX >> 4) / dims[d]))
      return fail(KILN_ERROR_ARGUMENT,
                  name + ": invalid dim " + std::to_string(dims[d]));
    count *= dims[d];
  }
  *nbytes = (size_t(count) * kDtypes[dtype].bits + 7) / 8;
  return KILN_OK;
}

extern "C" {

const char *kiln_last_error(void) { return lastError.c_str(); }

const char *kiln_status_name(kiln_status status) {
  switch (status) {
  case KILN_OK: return "ok";
  case KILN_ERROR_FILE: return "file error";
  case KILN_ERROR_ABI: return "ABI version mismatch";
  case KILN_ERROR_ISA: return "unsupported ISA";
  case KILN_ERROR_NO_ENTRY: return "no such entry point";
  case KILN_ERROR_SIGNATURE: return "wrong signature";
  case KILN_ERROR_DTYPE: return "dtype mismatch";
  case KILN_ERROR_SHAPE: return "shape mismatch";
  case KILN_ERROR_ARGUMENT: return "invalid argument";
  case KILN_ERROR_OUT_OF_MEMORY: return "out of memory";
  case KILN_ERROR_DATA: return "bad input data";
  }
  return "unknown status";
}

const char *kiln_dtype_name(kiln_dtype dtype) {
  return dtype >= 0 && dtype < KILN_DTYPE_COUNT ? kDtypes[dtype].name : "?";
}

kiln_dtype kiln_dtype_from_name(const char *name) {
  if (!name)
    return KILN_DTYPE_COUNT;
  for (int i = 0; i < KILN_DTYPE_COUNT; ++i)
    if (!std::strcmp(name, kDtypes[i].name))
      return static_cast<kiln_dtype>(i);
  return KILN_DTYPE_COUNT;
}

int kiln_dtype_bits(kiln_dtype dtype) {
  return dtype >= 0 && dtype < KILN_DTYPE_COUNT ? kDtypes[dtype].bits : 0;
}

kiln_status kiln_tensor_create(kiln_dtype dtype, int rank, const int64_t *dims,
                               const void *data, kiln_tensor **out) {
  size_t nbytes = 0;
  if (kiln_status st = checkShape("kiln_tensor_create", dtype, rank, dims, out, &nbytes))
    return st;
  auto *t = static_cast<kiln_tensor *>(std::calloc(1, sizeof(kiln_tensor)));
  void *buf = std::calloc(nbytes ? nbytes : 1, 1);
  if (!t || !buf) {
    std::free(t);
    std::free(buf);
    return fail(KILN_ERROR_OUT_OF_MEMORY, "kiln_tensor_create: out of memory");
  }
  t->dtype = dtype;
  t->rank = rank;
  for (int d = 0; d < rank; ++d)
    t->dims[d] = dims[d];
  t->data = t->toFree = buf;
  t->nbytes = nbytes;
  if (data && nbytes)
    std::memcpy(buf, data, nbytes);
  *out = t;
  return KILN_OK;
}

kiln_status kiln_tensor_wrap(kiln_dtype dtype, int rank, const int64_t *dims,
                             void *data, kiln_tensor **out) {
  size_t nbytes = 0;
  if (kiln_status st = checkShape("kiln_tensor_wrap", dtype, rank, dims, out, &nbytes))
    return st;
  if (nbytes && !data)
    return fail(KILN_ERROR_ARGUMENT, "kiln_tensor_wrap: null data");
  auto *t = static_cast<kiln_tensor *>(std::calloc(1, sizeof(kiln_tensor)));
  if (!t)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "kiln_tensor_wrap: out of memory");
  t->dtype = dtype;
  t->rank = rank;
  for (int d = 0; d < rank; ++d)
    t->dims[d] = dims[d];
  t->data = data;
  t->nbytes = nbytes;
  *out = t;
  return KILN_OK;
}

void kiln_tensor_free(kiln_tensor *tensor) {
  if (!tensor)
    return;
  if (tensor->owner) {
    freeResultBuffer(tensor->owner, tensor->toFree);
    releaseArtifact(tensor->owner);
  } else {
    std::free(tensor->toFree);
  }
  std::free(tensor);
}

kiln_dtype kiln_tensor_dtype(const kiln_tensor *t) {
  return t ? t->dtype : KILN_DTYPE_COUNT;
}
int kiln_tensor_rank(const kiln_tensor *t) { return t ? t->rank : -1; }
int64_t kiln_tensor_dim(const kiln_tensor *t, int d) {
  return t && d >= 0 && d < t->rank ? t->dims[d] : -1;
}
size_t kiln_tensor_nbytes(const kiln_tensor *t) { return t ? t->nbytes : 0; }
void *kiln_tensor_data(kiln_tensor *t) { return t ? t->data : nullptr; }


} // extern "C"

kiln_status kiln::rt::adoptBuffer(kiln_dtype dtype, int rank,
                                  const int64_t *dims, void *data,
                                  void *toFree, kiln_artifact *owner,
                                  kiln_tensor **out) {
  *out = nullptr;
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= dims[d];
  auto *t = static_cast<kiln_tensor *>(std::calloc(1, sizeof(kiln_tensor)));
  if (!t)
    return fail(KILN_ERROR_OUT_OF_MEMORY, "kiln_run: out of memory");
  t->dtype = dtype;
  t->rank = rank;
  for (int d = 0; d < rank; ++d)
    t->dims[d] = dims[d];
  t->data = data;
  t->toFree = toFree;
  t->owner = owner;
  if (owner)
    retainArtifact(owner);
  t->nbytes = (size_t(count) * kDtypes[dtype].bits + 7) / 8;
  *out = t;
  return KILN_OK;
}

size_t kiln::rt::memElemBytes(kiln_dtype dtype) {
  return dtype >= 0 && dtype < KILN_DTYPE_COUNT ? kDtypes[dtype].memBytes : 0;
}

std::string kiln::rt::shapeString(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += "x";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return s + "]";
}
