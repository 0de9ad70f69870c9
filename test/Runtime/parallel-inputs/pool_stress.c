/* Kiln's thread pool (libKilnParallel.a) driven directly through the OpenMP
 * entry points compiled code calls: every iteration of a statically
 * scheduled loop runs exactly once for any team size and trip count
 * (including 0 and fewer iterations than threads), the barrier separates
 * phases, a nested fork runs serially with the whole range, and thousands of
 * back-to-back forks neither lose nor repeat work. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*microtask)(int32_t *, int32_t *, ...);
void __kmpc_fork_call(void *loc, int32_t argc, microtask fn, ...);
int32_t __kmpc_global_thread_num(void *loc);
void __kmpc_for_static_init_8u(void *, int32_t, int32_t, int32_t *,
                               uint64_t *, uint64_t *, int64_t *, int64_t,
                               int64_t);
void __kmpc_for_static_init_8(void *, int32_t, int32_t, int32_t *, int64_t *,
                              int64_t *, int64_t *, int64_t, int64_t);
void __kmpc_for_static_fini(void *, int32_t);
void __kmpc_barrier(void *, int32_t);
void kiln_artifact_set_num_threads(int);

#define MAXN 5000
static atomic_int hits[MAXN];
static atomic_int lastCount, phaseErrors, threadsSeen;
static atomic_int phase1Done;

struct job {
  uint64_t trip;
  int nested;
};

static void loop(uint64_t trip) {
  int32_t gtid = __kmpc_global_thread_num(0), last = 0;
  uint64_t lb = 0, ub = trip - 1;
  int64_t stride = 1;
  __kmpc_for_static_init_8u(0, gtid, 34, &last, &lb, &ub, &stride, 1, 0);
  for (uint64_t i = 0; i < ub - lb + 1; ++i)
    atomic_fetch_add(&hits[lb + i], 1);
  if (last)
    atomic_fetch_add(&lastCount, 1);
  __kmpc_for_static_fini(0, gtid);
}

static void inner(int32_t *gtid, int32_t *btid, void *arg) {
  (void)gtid; (void)btid;
  loop(*(uint64_t *)arg); /* serial: this thread alone covers the range */
}

static void body(int32_t *gtid, int32_t *btid, struct job *j, int *extra) {
  (void)btid;
  atomic_fetch_add(&threadsSeen, 1);
  if (*extra != 42)
    atomic_fetch_add(&phaseErrors, 1);
  loop(j->trip);
  atomic_fetch_add(&phase1Done, 1);
  __kmpc_barrier(0, *gtid);
  /* after the barrier every thread of the team has finished phase 1 */
  if (atomic_load(&phase1Done) != atomic_load(&threadsSeen))
    atomic_fetch_add(&phaseErrors, 1);
  __kmpc_barrier(0, *gtid);
  if (j->nested) {
    uint64_t t = 3;
    __kmpc_fork_call(0, 1, (microtask)inner, &t);
  }
}

static int check(int threads, uint64_t trip, int nested) {
  for (int i = 0; i < MAXN; ++i)
    atomic_store(&hits[i], 0);
  atomic_store(&lastCount, 0);
  atomic_store(&phaseErrors, 0);
  atomic_store(&threadsSeen, 0);
  atomic_store(&phase1Done, 0);
  struct job j = {trip, nested};
  int extra = 42;
  __kmpc_fork_call(0, 2, (microtask)body, &j, &extra);
  int team = atomic_load(&threadsSeen);
  int want = threads ? threads : team;
  int bad = team != want || atomic_load(&phaseErrors) != 0 ||
            atomic_load(&lastCount) != (trip ? 1 : 0) + (nested ? team : 0);
  for (uint64_t i = 0; i < MAXN; ++i) {
    int expect = i < trip ? 1 : 0;
    if (nested && i < 3)
      expect += team; /* each thread's nested serial loop covers 0..2 */
    if (atomic_load(&hits[i]) != expect)
      bad = 1;
  }
  if (bad)
    printf("FAIL threads %d trip %llu nested %d: team %d last %d errors %d\n",
           threads, (unsigned long long)trip, nested, team,
           atomic_load(&lastCount), atomic_load(&phaseErrors));
  return bad;
}

static void signedBody(int32_t *gtid, int32_t *btid, int64_t *sum) {
  (void)btid;
  int32_t last = 0;
  int64_t lb = 100, ub = -101, stride = 0; /* 100, 97, ..., -101: 68 values */
  __kmpc_for_static_init_8(0, *gtid, 34, &last, &lb, &ub, &stride, -3, 0);
  int64_t local = 0;
  for (int64_t i = lb; i >= ub; i -= 3)
    local += i;
  __atomic_fetch_add(sum, local, __ATOMIC_RELAXED);
}

int main(void) {
  int failures = 0;
  static const uint64_t trips[] = {0, 1, 2, 3, 4, 7, 100, 1001, MAXN};
  for (int threads = 1; threads <= 5; ++threads) {
    kiln_artifact_set_num_threads(threads);
    for (unsigned t = 0; t < sizeof trips / sizeof trips[0]; ++t)
      for (int nested = 0; nested < 2; ++nested)
        failures += check(threads, trips[t], nested);
    int64_t sum = 0;
    __kmpc_fork_call(0, 1, (microtask)signedBody, &sum);
    if (sum != 68 * (100 + -101) / 2) {
      printf("FAIL signed decreasing loop, threads %d: sum %lld\n", threads,
             (long long)sum);
      ++failures;
    }
  }
  kiln_artifact_set_num_threads(3);
  for (int rep = 0; rep < 3000 && !failures; ++rep)
    failures += check(3, 1 + rep % 37, 0);
  kiln_artifact_set_num_threads(0); /* all cores */
  failures += check(0, 777, 0);
  printf("%s\n", failures ? "pool FAILED" : "pool ok");
  return failures != 0;
}
