//===- Parallel.cpp - Kiln's thread pool behind the OpenMP entry points ----===//
//
// Compiled code reaches threads through the handful of `__kmpc_*` calls that
// MLIR's OpenMP translation (OpenMPIRBuilder) emits for an `omp.parallel` +
// `omp.wsloop` nest. This file implements exactly those on a persistent pool
// of pthreads, so no OpenMP runtime is ever loaded. It becomes
// libKilnParallel.a, built with hidden visibility: kiln-compile links it
// (--whole-archive) into every shared artifact, which therefore carries its
// own private pool and cannot collide with a libgomp / libiomp / libomp that
// is already in the process (PyTorch brings one); kiln-run's JIT resolves the
// same functions through its symbol map (and libkiln_parallel.so exports them
// for mlir-runner). Plain pthreads and futexes, no C++
// runtime library: artifacts depend on libc (and libm) only.
//
// Model: one team per fork. The forking thread is thread 0; pool workers are
// threads 1..n-1. Loops are split by static scheduling (contiguous, balanced
// ranges; ParallelSchedule.cpp). A fork inside a parallel region, a fork while another application
// thread is using the pool, or a team of one runs the microtask serially on
// the calling thread. A child of fork() starts with an empty pool. The only
// exported symbol is `kiln_artifact_set_num_threads` (kiln_runtime.h).
//
//===----------------------------------------------------------------------===//
#include "Parallel.h"
#include <atomic>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef KILN_PARALLEL_EXPORT_ALL // libkiln_parallel.so, for mlir-runner
#define KILN_HIDDEN __attribute__((visibility("default")))
#else
#define KILN_HIDDEN __attribute__((visibility("hidden")))
#endif
#define KILN_EXPORT __attribute__((visibility("default")))

namespace {

constexpr uint32_t kSizeBits = 9;
static_assert(KILN_PARALLEL_MAX_THREADS < (1 << kSizeBits), "team size bits");

/// A microtask: (global tid *, bound tid *, captured pointers...).
using Microtask = void (*)(int32_t *, int32_t *, ...);

struct Team {
  int32_t tid;
  int32_t size;
};
thread_local Team team = {0, 1};
thread_local int depth = 0; // parallel regions this thread is inside

void futexWait(std::atomic<uint32_t> &word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), FUTEX_WAIT_PRIVATE,
          expected, nullptr, nullptr, 0);
}
void futexWakeAll(std::atomic<uint32_t> &word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&word), FUTEX_WAKE_PRIVATE,
          INT_MAX, nullptr, nullptr, 0);
}

/// Waits until `word` differs from `old` (spinning first, then sleeping on
/// the futex; `sleepers` counts sleepers so wakers can skip the syscall).
uint32_t waitChange(std::atomic<uint32_t> &word, uint32_t old,
                    std::atomic<uint32_t> &sleepers) {
  for (int i = 0; i < 4000; ++i) {
    uint32_t v = word.load(std::memory_order_acquire);
    if (v != old)
      return v;
    __builtin_ia32_pause();
  }
  for (;;) {
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    uint32_t v = word.load(std::memory_order_seq_cst);
    if (v == old)
      futexWait(word, old);
    sleepers.fetch_sub(1, std::memory_order_relaxed);
    v = word.load(std::memory_order_acquire);
    if (v != old)
      return v;
  }
}
void bumpAndWake(std::atomic<uint32_t> &word, std::atomic<uint32_t> &sleepers,
                 uint32_t by = 1) {
  word.fetch_add(by, std::memory_order_seq_cst);
  if (sleepers.load(std::memory_order_seq_cst))
    futexWakeAll(word);
}

struct Pool {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; // one team at a time
  pthread_t workers[KILN_PARALLEL_MAX_THREADS];
  int numWorkers = 0;
  // The job of the current generation.
  Microtask fn = nullptr;
  int argc = 0;
  void *args[KILN_PARALLEL_MAX_ARGS];
  /// (fork count << kSizeBits) | team size: a worker that wakes late reads
  /// the size of the fork it woke for (0 = stop).
  std::atomic<uint32_t> generation{0}, generationSleepers{0};
  std::atomic<uint32_t> remaining{0}, remainingSleepers{0};
  std::atomic<uint32_t> barrierCount{0};
  std::atomic<uint32_t> barrierGeneration{0}, barrierSleepers{0};
};
Pool pool;
std::atomic<int> requestedThreads{0}; // 0 = all cores

int allCores() {
  static std::atomic<int> cached{0};
  int n = cached.load(std::memory_order_relaxed);
  if (n > 0)
    return n;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    n = CPU_COUNT(&set);
  if (n <= 0)
    n = int(sysconf(_SC_NPROCESSORS_ONLN));
  n = n <= 0 ? 1 : n;
  cached.store(n, std::memory_order_relaxed);
  return n;
}

void invoke(Microtask fn, int32_t tid, int argc, void *const *a) {
  int32_t gtid = tid, btid = tid;
  switch (argc) {
  // clang-format off
  case 0: fn(&gtid, &btid); break;
  case 1: fn(&gtid, &btid, a[0]); break;
  case 2: fn(&gtid, &btid, a[0], a[1]); break;
  case 3: fn(&gtid, &btid, a[0], a[1], a[2]); break;
  case 4: fn(&gtid, &btid, a[0], a[1], a[2], a[3]); break;
  case 5: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4]); break;
  case 6: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5]); break;
  case 7: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
  case 8: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]); break;
  case 9: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]); break;
  case 10: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]); break;
  case 11: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]); break;
  case 12: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]); break;
  case 13: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]); break;
  case 14: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]); break;
  case 15: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]); break;
  case 16: fn(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]); break;
  // clang-format on
  default:
    std::fprintf(stderr, "kiln parallel runtime: a parallel region captures "
                         "%d values, at most %d are supported\n",
                 argc, KILN_PARALLEL_MAX_ARGS);
    std::abort();
  }
}

/// Runs the microtask as a team of one on the calling thread.
void runSerial(Microtask fn, int argc, void *const *args) {
  Team saved = team;
  team = {0, 1};
  ++depth;
  invoke(fn, 0, argc, args);
  --depth;
  team = saved;
}

void *workerMain(void *arg) {
  uintptr_t packed = reinterpret_cast<uintptr_t>(arg);
  int index = int(packed & 0xFFFF);
  uint32_t seen = uint32_t(packed >> 16);
  for (;;) {
    seen = waitChange(pool.generation, seen, pool.generationSleepers);
    int size = int(seen & ((1u << kSizeBits) - 1));
    if (size == 0)
      return nullptr; // stopPool
    int tid = index + 1;
    if (tid >= size)
      continue;
    team = {tid, size};
    depth = 1;
    invoke(pool.fn, tid, pool.argc, pool.args);
    depth = 0;
    team = {0, 1};
    if (pool.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1)
      if (pool.remainingSleepers.load(std::memory_order_seq_cst))
        futexWakeAll(pool.remaining);
  }
}

/// Starts fork `size` (0 = stop): waking workers see the new word.
void publish(uint32_t size) {
  uint32_t old = pool.generation.load(std::memory_order_relaxed);
  uint32_t next = ((old >> kSizeBits) + 1) << kSizeBits | size;
  bumpAndWake(pool.generation, pool.generationSleepers, next - old);
}

/// In a child of fork() only the forking thread exists: the pool starts
/// empty again (glibc drops the handler when the artifact is unloaded).
void resetAfterFork() {
  pthread_mutex_init(&pool.lock, nullptr);
  pool.numWorkers = 0;
  pool.remaining.store(0, std::memory_order_relaxed);
  pool.barrierCount.store(0, std::memory_order_relaxed);
  pool.generationSleepers.store(0, std::memory_order_relaxed);
  pool.remainingSleepers.store(0, std::memory_order_relaxed);
  pool.barrierSleepers.store(0, std::memory_order_relaxed);
}

/// Grows the pool to `count` workers (lock held); returns how many exist.
int ensureWorkers(int count) {
  static bool atforkRegistered = false;
  if (!atforkRegistered && pool.numWorkers < count)
    atforkRegistered = pthread_atfork(nullptr, nullptr, resetAfterFork) == 0;
  while (pool.numWorkers < count) {
    uint32_t gen = pool.generation.load(std::memory_order_relaxed);
    uintptr_t packed = (uintptr_t(gen) << 16) | uintptr_t(pool.numWorkers);
    if (pthread_create(&pool.workers[pool.numWorkers], nullptr, workerMain,
                       reinterpret_cast<void *>(packed)) != 0)
      break;
    ++pool.numWorkers;
  }
  return pool.numWorkers;
}

__attribute__((destructor)) void stopPool() {
  pthread_mutex_lock(&pool.lock);
  if (pool.numWorkers) {
    publish(0);
    for (int i = 0; i < pool.numWorkers; ++i)
      pthread_join(pool.workers[i], nullptr);
    pool.numWorkers = 0;
  }
  pthread_mutex_unlock(&pool.lock);
}

} // namespace

int kiln::parallel::teamThread() { return team.tid; }
int kiln::parallel::teamSize() { return team.size; }

extern "C" {

KILN_HIDDEN int32_t __kmpc_global_thread_num(void *) { return team.tid; }

KILN_HIDDEN void __kmpc_fork_call(void *, int32_t argc, Microtask fn, ...) {
  if (argc < 0 || argc > KILN_PARALLEL_MAX_ARGS)
    invoke(fn, 0, argc, nullptr); // reports and aborts
  void *args[KILN_PARALLEL_MAX_ARGS];
  va_list ap;
  va_start(ap, fn);
  for (int i = 0; i < argc; ++i)
    args[i] = va_arg(ap, void *);
  va_end(ap);
  int want = requestedThreads.load(std::memory_order_relaxed);
  if (want <= 0)
    want = allCores();
  if (want > KILN_PARALLEL_MAX_THREADS)
    want = KILN_PARALLEL_MAX_THREADS;
  if (depth > 0 || want <= 1 || pthread_mutex_trylock(&pool.lock) != 0)
    return runSerial(fn, argc, args);
  int size = ensureWorkers(want - 1) + 1;
  if (size > want)
    size = want;
  if (size <= 1) {
    pthread_mutex_unlock(&pool.lock);
    return runSerial(fn, argc, args);
  }
  pool.fn = fn;
  pool.argc = argc;
  for (int i = 0; i < argc; ++i)
    pool.args[i] = args[i];
  pool.remaining.store(uint32_t(size - 1), std::memory_order_relaxed);
  publish(uint32_t(size));
  team = {0, size};
  depth = 1;
  invoke(fn, 0, argc, args);
  depth = 0;
  team = {0, 1};
  for (uint32_t left = pool.remaining.load(std::memory_order_acquire); left;
       left = pool.remaining.load(std::memory_order_acquire))
    waitChange(pool.remaining, left, pool.remainingSleepers);
  pthread_mutex_unlock(&pool.lock);
}

KILN_HIDDEN void __kmpc_barrier(void *, int32_t) {
  uint32_t size = uint32_t(team.size);
  if (size <= 1)
    return;
  uint32_t gen = pool.barrierGeneration.load(std::memory_order_acquire);
  if (pool.barrierCount.fetch_add(1, std::memory_order_acq_rel) + 1 == size) {
    pool.barrierCount.store(0, std::memory_order_relaxed);
    bumpAndWake(pool.barrierGeneration, pool.barrierSleepers);
    return;
  }
  waitChange(pool.barrierGeneration, gen, pool.barrierSleepers);
}

KILN_EXPORT void kiln_artifact_set_num_threads(int threads) {
  requestedThreads.store(threads < 0 ? 0 : threads, std::memory_order_relaxed);
}

// ParallelSchedule.cpp.
void __kmpc_for_static_init_4u(void *, int32_t, int32_t, int32_t *, uint32_t *,
                               uint32_t *, int32_t *, int32_t, int32_t);
void __kmpc_for_static_init_8u(void *, int32_t, int32_t, int32_t *, uint64_t *,
                               uint64_t *, int64_t *, int64_t, int64_t);
void __kmpc_for_static_init_4(void *, int32_t, int32_t, int32_t *, int32_t *,
                              int32_t *, int32_t *, int32_t, int32_t);
void __kmpc_for_static_init_8(void *, int32_t, int32_t, int32_t *, int64_t *,
                              int64_t *, int64_t *, int64_t, int64_t);
void __kmpc_for_static_fini(void *, int32_t);

#define KILN_SYM(name) {#name, reinterpret_cast<void *>(&name)}
KILN_HIDDEN const KilnParallelSymbol *kiln_parallel_symbols(int *count) {
  static const KilnParallelSymbol symbols[] = {
      KILN_SYM(__kmpc_global_thread_num),  KILN_SYM(__kmpc_fork_call),
      KILN_SYM(__kmpc_barrier),            KILN_SYM(__kmpc_for_static_init_4u),
      KILN_SYM(__kmpc_for_static_init_8u), KILN_SYM(__kmpc_for_static_init_4),
      KILN_SYM(__kmpc_for_static_init_8),  KILN_SYM(__kmpc_for_static_fini),
      KILN_SYM(kiln_artifact_set_num_threads),
      KILN_SYM(_mlir_ciface_kiln_workspace_frame),
      KILN_SYM(_mlir_memref_to_llvm_alloc),
      KILN_SYM(_mlir_memref_to_llvm_aligned_alloc),
      KILN_SYM(_mlir_memref_to_llvm_free),
      KILN_SYM(kiln_artifact_buffer_free)};
  *count = int(sizeof symbols / sizeof symbols[0]);
  return symbols;
}

} // extern "C"
