//===- ParallelSchedule.cpp - static loop scheduling for the thread pool ---===//
//
// `__kmpc_for_static_init_*` / `__kmpc_for_static_fini`: the share of a
// statically scheduled loop that the calling thread of the current team
// (Parallel.cpp) runs. Hidden like the rest of libKilnParallel.a.
//
//===----------------------------------------------------------------------===//
#include "Parallel.h"
#include <type_traits>

#ifdef KILN_PARALLEL_EXPORT_ALL // libkiln_parallel.so, for mlir-runner
#define KILN_HIDDEN __attribute__((visibility("default")))
#else
#define KILN_HIDDEN __attribute__((visibility("hidden")))
#endif

namespace {

/// Static schedule of [*lower, *upper] (inclusive, step `incr`) for the
/// calling thread: kmp_sch_static (34) gives each thread one contiguous,
/// balanced range; kmp_sch_static_chunked (33) deals `chunk`-sized chunks
/// round-robin (*stride = distance between a thread's chunks). A thread
/// with no iterations gets *lower = *upper + incr.
template <typename T>
void staticInit(int32_t sched, int32_t *last, T *lower, T *upper,
                std::make_signed_t<T> *stride, std::make_signed_t<T> incr,
                std::make_signed_t<T> chunk) {
  using U = std::make_unsigned_t<T>;
  T lo = *lower, hi = *upper;
  U tid = U(kiln::parallel::teamThread());
  U nth = U(kiln::parallel::teamSize());
  if (incr == 0)
    incr = 1;
  bool up = incr > 0;
  U step = up ? U(incr) : U(0) - U(incr);
  U trip = 0; // 0 also when the unsigned range wraps (a zero-trip loop)
  if (up ? lo <= hi : hi <= lo)
    trip = (up ? U(U(hi) - U(lo)) : U(U(lo) - U(hi))) / step + 1;
  auto at = [&](U k) { return T(U(lo) + k * U(incr)); };
  *stride = std::make_signed_t<T>(trip * U(incr));
  if (last)
    *last = 0;
  if (trip == 0) {
    *lower = T(U(hi) + U(incr));
    return;
  }
  sched &= ~((1 << 29) | (1 << 30)); // (non)monotonic modifiers
  if (sched == 33 && chunk > 0) {
    U c = U(chunk);
    U first = tid * c;
    *stride = std::make_signed_t<T>(nth * c * U(incr));
    if (last)
      *last = ((trip - 1) / c) % nth == tid;
    if (first >= trip) {
      *lower = T(U(hi) + U(incr));
      return;
    }
    *lower = at(first);
    *upper = at(first + c - 1 < trip ? first + c - 1 : trip - 1);
    return;
  }
  U q = trip / nth, r = trip % nth;
  U begin = tid * q + (tid < r ? tid : r), count = q + (tid < r ? 1 : 0);
  if (count == 0) {
    *lower = T(U(hi) + U(incr));
    return;
  }
  *lower = at(begin);
  *upper = at(begin + count - 1);
  if (last)
    *last = begin + count == trip;
}

} // namespace

extern "C" {

KILN_HIDDEN void __kmpc_for_static_init_4u(void *, int32_t, int32_t sched,
                                           int32_t *last, uint32_t *lower,
                                           uint32_t *upper, int32_t *stride,
                                           int32_t incr, int32_t chunk) {
  staticInit(sched, last, lower, upper, stride, incr, chunk);
}
KILN_HIDDEN void __kmpc_for_static_init_8u(void *, int32_t, int32_t sched,
                                           int32_t *last, uint64_t *lower,
                                           uint64_t *upper, int64_t *stride,
                                           int64_t incr, int64_t chunk) {
  staticInit(sched, last, lower, upper, stride, incr, chunk);
}
KILN_HIDDEN void __kmpc_for_static_init_4(void *, int32_t, int32_t sched,
                                          int32_t *last, int32_t *lower,
                                          int32_t *upper, int32_t *stride,
                                          int32_t incr, int32_t chunk) {
  staticInit(sched, last, lower, upper, stride, incr, chunk);
}
KILN_HIDDEN void __kmpc_for_static_init_8(void *, int32_t, int32_t sched,
                                          int32_t *last, int64_t *lower,
                                          int64_t *upper, int64_t *stride,
                                          int64_t incr, int64_t chunk) {
  staticInit(sched, last, lower, upper, stride, incr, chunk);
}
KILN_HIDDEN void __kmpc_for_static_fini(void *, int32_t) {}

} // extern "C"
