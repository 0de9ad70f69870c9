//===- Call.cpp - memref descriptors and the generic entry call ------------===//
//
// An entry's C interface takes only pointers: (results, in0, ..., inN-1),
// results omitted when there are none. A rank-r descriptor is 3 + 2r int64
// words: allocated, aligned, offset, sizes, strides. Several results are laid
// out one after the other in the struct the first pointer points to.
//
//===----------------------------------------------------------------------===//
#include "RuntimeInternal.h"
#include <cstdlib>
#include <cstring>

using namespace kiln::rt;

namespace {
using P = void *;

/// Calls `fn` with `n` pointer arguments (0..KILN_MAX_ARGS).
bool callPointers(void *fn, P *a, int n) {
  static_assert(KILN_MAX_ARGS == 24, "extend the switch");
  switch (n) {
  case 0:
    reinterpret_cast<void (*)()>(fn)();
    return true;
  case 1:
    reinterpret_cast<void (*)(P)>(fn)(a[0]);
    return true;
  case 2:
    reinterpret_cast<void (*)(P, P)>(fn)(a[0], a[1]);
    return true;
  case 3:
    reinterpret_cast<void (*)(P, P, P)>(fn)(a[0], a[1], a[2]);
    return true;
  case 4:
    reinterpret_cast<void (*)(P, P, P, P)>(fn)(a[0], a[1], a[2], a[3]);
    return true;
  case 5:
    reinterpret_cast<void (*)(P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4]);
    return true;
  case 6:
    reinterpret_cast<void (*)(P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
    return true;
  case 7:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    return true;
  case 8:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    return true;
  case 9:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
    return true;
  case 10:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    return true;
  case 11:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    return true;
  case 12:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
    return true;
  case 13:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
    return true;
  case 14:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
    return true;
  case 15:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
    return true;
  case 16:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
    return true;
  case 17:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]);
    return true;
  case 18:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17]);
    return true;
  case 19:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18]);
    return true;
  case 20:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]);
    return true;
  case 21:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20]);
    return true;
  case 22:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21]);
    return true;
  case 23:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22]);
    return true;
  case 24:
    reinterpret_cast<void (*)(P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P)>(fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23]);
    return true;
  default:
    return false;
  }
}

bool isPacked(kiln_dtype t) { return t == KILN_I4 || t == KILN_F4E2M1FN; }

/// Whether `strides` are those of dense row-major `sizes`.
bool isRowMajor(const int64_t *sizes, const int64_t *strides, int rank) {
  int64_t expect = 1;
  for (int k = rank - 1; k >= 0; --k) {
    if (sizes[k] != 1 && strides[k] != expect)
      return false;
    expect *= sizes[k];
  }
  return true;
}

/// Copies the result described by descriptor `d` into packed row-major
/// `dst` (nibbles packed two per byte for the 4-bit types).
void copyStrided(const int64_t *d, int rank, const uint8_t *aligned,
                 size_t eb, bool packed, uint8_t *dst) {
  int64_t count = 1;
  for (int k = 0; k < rank; ++k)
    count *= d[3 + k];
  if (!packed && isRowMajor(d + 3, d + 3 + rank, rank)) {
    std::memcpy(dst, aligned + d[2] * eb, size_t(count) * eb);
    return;
  }
  int64_t idx[KILN_MAX_RANK] = {};
  for (int64_t i = 0; i < count; ++i) {
    int64_t off = d[2];
    for (int k = 0; k < rank; ++k)
      off += idx[k] * d[3 + rank + k];
    const uint8_t *src = aligned + off * eb;
    if (packed)
      dst[i / 2] |= (*src & 0xF) << ((i % 2) * 4);
    else
      std::memcpy(dst + i * eb, src, eb);
    for (int k = rank - 1; k >= 0; --k) {
      if (++idx[k] < d[3 + k])
        break;
      idx[k] = 0;
    }
  }
}

/// Builds the descriptor of an input; packed types get an unpacked copy.
void buildInput(kiln_tensor *t, std::vector<int64_t> &desc,
                std::vector<std::vector<uint8_t>> &scratch) {
  int64_t count = 1;
  for (int d = 0; d < t->rank; ++d)
    count *= t->dims[d];
  void *data = t->data;
  if (isPacked(t->dtype)) {
    scratch.emplace_back(count ? count : 1);
    auto *src = static_cast<const uint8_t *>(t->data);
    for (int64_t i = 0; i < count; ++i) {
      uint8_t nib = (src[i / 2] >> ((i % 2) * 4)) & 0xF;
      // i4 is sign-extended, as LLVM loads it either way from the low bits.
      scratch.back()[i] = t->dtype == KILN_I4 && (nib & 8) ? nib | 0xF0 : nib;
    }
    data = scratch.back().data();
  }
  desc.assign(3 + 2 * t->rank, 0);
  desc[0] = desc[1] = reinterpret_cast<int64_t>(data);
  int64_t stride = 1;
  for (int d = t->rank - 1; d >= 0; --d) {
    desc[3 + d] = t->dims[d];
    desc[3 + t->rank + d] = stride;
    stride *= t->dims[d];
  }
}
} // namespace

kiln_status kiln::rt::checkAgreements(const EntrySig &e,
                                      kiln_tensor *const *inputs) {
  auto name = [](std::pair<int, int> ref) {
    return "input " + std::to_string(ref.first) + " dim " +
           std::to_string(ref.second);
  };
  for (const DimAgreement &a : e.agreements) {
    auto [i0, d0] = a.dims.front();
    int64_t first = inputs[i0]->dims[d0];
    if (a.size >= 0 && first != a.size)
      return fail(KILN_ERROR_SHAPE,
                  "entry '" + e.name + "': " + name(a.dims.front()) + " is " +
                      std::to_string(first) + ", but the code requires " +
                      std::to_string(a.size));
    for (auto ref : a.dims) {
      int64_t got = inputs[ref.first]->dims[ref.second];
      if (got != first)
        return fail(KILN_ERROR_SHAPE,
                    "entry '" + e.name + "': " + name(a.dims.front()) +
                        " is " + std::to_string(first) + " but " + name(ref) +
                        " is " + std::to_string(got) +
                        "; the code requires them to be equal");
    }
  }
  return KILN_OK;
}

kiln_status kiln::rt::callEntry(kiln_artifact *a, const EntrySig &e,
                                kiln_tensor *const *inputs,
                                kiln_tensor **outputs, bool into) {
  CheckFailuresFn checks = a->checkFailures;
  size_t numIn = e.inputs.size(), numOut = e.outputs.size();
  std::vector<std::vector<int64_t>> descs(numIn);
  std::vector<std::vector<uint8_t>> scratch;
  scratch.reserve(numIn);
  for (size_t i = 0; i < numIn; ++i)
    buildInput(inputs[i], descs[i], scratch);
  size_t resultWords = 0;
  for (const TensorSig &s : e.outputs)
    resultWords += 3 + 2 * s.dims.size();
  std::vector<int64_t> results(resultWords ? resultWords : 1, 0);
  kiln_status status = KILN_OK;
  std::vector<P> args;
  if (numOut)
    args.push_back(results.data());
  for (auto &d : descs)
    args.push_back(d.data());
  const char *message = nullptr;
  int64_t failedBefore = checks ? checks(&message) : 0;
  if (!callPointers(e.fn, args.data(), static_cast<int>(args.size())))
    return fail(KILN_ERROR_SIGNATURE, "entry '" + e.name + "' has more than " +
                                          std::to_string(KILN_MAX_ARGS) +
                                          " parameters");
  if (checks && checks(&message) != failedBefore && status == KILN_OK)
    status = fail(KILN_ERROR_DATA, "entry '" + e.name + "': " +
                                       (message ? message : "a run-time check "
                                                            "failed"));

  // Buffers the runtime must not free: inputs, constants (MLIR marks a
  // global's descriptor with 0xdeadbeef) and ones already taken.
  std::vector<const void *> foreign = {reinterpret_cast<void *>(0xdeadbeef)};
  for (auto &d : descs)
    foreign.push_back(reinterpret_cast<void *>(d[0]));
  auto isForeign = [&](const void *p) {
    for (const void *f : foreign)
      if (f == p)
        return true;
    return false;
  };
  size_t at = 0;
  for (size_t o = 0; o < numOut; ++o) {
    const TensorSig &s = e.outputs[o];
    int rank = static_cast<int>(s.dims.size());
    const int64_t *d = &results[at];
    at += 3 + 2 * rank;
    void *allocated = reinterpret_cast<void *>(d[0]);
    auto *aligned = reinterpret_cast<uint8_t *>(d[1]);
    size_t eb = memElemBytes(s.dtype);
    kiln_tensor *t = nullptr;
    kiln_status st = KILN_OK;
    if (into) {
      // The caller's tensor, its shape checked against the signature; a
      // dynamic dim is known only now.
      t = outputs[o];
      for (int k = 0; k < rank && st == KILN_OK; ++k)
        if (t->dims[k] != d[3 + k])
          st = fail(KILN_ERROR_SHAPE,
                    "entry '" + e.name + "' output " + std::to_string(o) +
                        ": the result has shape " +
                        shapeString(std::vector<int64_t>(d + 3, d + 3 + rank)) +
                        ", the given tensor " +
                        shapeString(std::vector<int64_t>(t->dims,
                                                         t->dims + rank)));
      if (st == KILN_OK && status == KILN_OK) {
        if (isPacked(s.dtype))
          std::memset(t->data, 0, t->nbytes);
        copyStrided(d, rank, aligned, eb, isPacked(s.dtype),
                    static_cast<uint8_t *>(t->data));
      }
    } else if (allocated && !isForeign(allocated) && !isPacked(s.dtype) &&
               isRowMajor(d + 3, d + 3 + rank, rank)) {
      // The usual case: a fresh dense buffer; the tensor takes it over.
      st = adoptBuffer(s.dtype, rank, d + 3, aligned + d[2] * eb, allocated,
                       a->bufferFree ? a : nullptr, &t);
      if (st == KILN_OK) {
        foreign.push_back(allocated);
        allocated = nullptr;
      }
    } else {
      st = kiln_tensor_create(s.dtype, rank, d + 3, nullptr, &t);
      if (st == KILN_OK)
        copyStrided(d, rank, aligned, eb, isPacked(s.dtype),
                    static_cast<uint8_t *>(t->data));
    }
    if (st != KILN_OK && status == KILN_OK)
      status = st;
    if (!into)
      outputs[o] = t;
    if (allocated && !isForeign(allocated)) {
      freeResultBuffer(a, allocated);
      foreign.push_back(allocated);
    }
  }
  if (status != KILN_OK && !into)
    for (size_t o = 0; o < numOut; ++o) {
      kiln_tensor_free(outputs[o]);
      outputs[o] = nullptr;
    }
  return status;
}
