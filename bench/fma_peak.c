/*===- fma_peak.c - this machine's fp32 FMA and int8 VNNI peak -----------===*
 *
 * Measures the peak arithmetic rate of the cores Kiln's benchmarks run on:
 *   - fp32 FMA (vfmadd on zmm with AVX-512F, else ymm with AVX2+FMA), counted
 *     as 2 flops per lane per FMA;
 *   - int8 dot products (vpdpbusd, AVX512-VNNI on zmm or AVX-VNNI on ymm),
 *     counted as 2 ops per u8*s8 multiply-add (one vpdpbusd on zmm = 128 ops).
 * Each kernel keeps enough independent accumulator chains in registers to
 * cover FMA latency x throughput (16 chains: 4 cycles x 2 ports needs 8), so
 * the loop is bound by the FMA ports only. The ISA is chosen at run time
 * (__builtin_cpu_supports) and every kernel is compiled with a target
 * attribute, so the binary runs on any x86-64.
 *
 * Reported per ISA: GFLOP/s (GOP/s) on 1 thread, and on T threads (all cores
 * by default; one thread pinned per CPU, all started together), best and
 * median of the repetitions (short ones, 20 ms by default, so that some of
 * them fall between the time slices of other processes on a busy machine).
 * The best is the peak estimate.
 *
 * Usage: fma_peak [--threads T] [--reps R] [--seconds S] [--json FILE]
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Sink so that the compiler keeps every chain. */
static volatile float g_sink_f;
static volatile int32_t g_sink_i;

/* x = x * b + c with b < 1 converges to c / (1 - b): no overflow, no
 * denormals, whatever the iteration count. */
#define FMA_BODY(V)                                                       \
  V a0 = V##_SET(1.0f), a1 = V##_SET(1.1f), a2 = V##_SET(1.2f),              \
    a3 = V##_SET(1.3f), a4 = V##_SET(1.4f), a5 = V##_SET(1.5f),              \
    a6 = V##_SET(1.6f), a7 = V##_SET(1.7f), a8 = V##_SET(1.8f),              \
    a9 = V##_SET(1.9f), a10 = V##_SET(2.0f), a11 = V##_SET(2.1f);            \
  V b = V##_SET(0.9999999f), c = V##_SET(1e-7f);

#define __m512_SET _mm512_set1_ps
#define __m256_SET _mm256_set1_ps

/* 16 zmm chains; 512 flops per iteration. */
__attribute__((target("avx512f"), noinline)) static void
fma_avx512(int64_t iters) {
  FMA_BODY(__m512)
  __m512 a12 = _mm512_set1_ps(2.2f), a13 = _mm512_set1_ps(2.3f),
         a14 = _mm512_set1_ps(2.4f), a15 = _mm512_set1_ps(2.5f);
  for (int64_t i = 0; i < iters; ++i) {
#define F(x) x = _mm512_fmadd_ps(x, b, c);
    F(a0) F(a1) F(a2) F(a3) F(a4) F(a5) F(a6) F(a7)
    F(a8) F(a9) F(a10) F(a11) F(a12) F(a13) F(a14) F(a15)
#undef F
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3));
  }
  __m512 s = _mm512_add_ps(
      _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                    _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))),
      _mm512_add_ps(
          _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)),
          _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15))));
  g_sink_f = _mm512_reduce_add_ps(s);
}

/* 12 ymm chains (+ 2 constants fit the 16 ymm registers); 192 flops per
 * iteration. */
__attribute__((target("avx2,fma"), noinline)) static void
fma_avx2(int64_t iters) {
  FMA_BODY(__m256)
  for (int64_t i = 0; i < iters; ++i) {
#define F(x) x = _mm256_fmadd_ps(x, b, c);
    F(a0) F(a1) F(a2) F(a3) F(a4) F(a5) F(a6) F(a7) F(a8) F(a9) F(a10) F(a11)
#undef F
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3));
  }
  __m256 s = _mm256_add_ps(
      _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                    _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7))),
      _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
  float t[8];
  _mm256_storeu_ps(t, s);
  g_sink_f = t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}

/* 16 zmm vpdpbusd chains; 16 x 128 = 2048 int8 ops per iteration. */
__attribute__((target("avx512f,avx512vnni"), noinline)) static void
vnni_avx512(int64_t iters) {
  __m512i u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-5);
  __m512i a[16];
  for (int j = 0; j < 16; ++j)
    a[j] = _mm512_set1_epi32(j);
  __m512i a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5],
          a6 = a[6], a7 = a[7], a8 = a[8], a9 = a[9], a10 = a[10],
          a11 = a[11], a12 = a[12], a13 = a[13], a14 = a[14], a15 = a[15];
  for (int64_t i = 0; i < iters; ++i) {
#define F(x) x = _mm512_dpbusd_epi32(x, u, s);
    F(a0) F(a1) F(a2) F(a3) F(a4) F(a5) F(a6) F(a7)
    F(a8) F(a9) F(a10) F(a11) F(a12) F(a13) F(a14) F(a15)
#undef F
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3));
  }
  __m512i t = _mm512_add_epi32(
      _mm512_add_epi32(
          _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)),
          _mm512_add_epi32(_mm512_add_epi32(a4, a5), _mm512_add_epi32(a6, a7))),
      _mm512_add_epi32(
          _mm512_add_epi32(_mm512_add_epi32(a8, a9), _mm512_add_epi32(a10, a11)),
          _mm512_add_epi32(_mm512_add_epi32(a12, a13),
                           _mm512_add_epi32(a14, a15))));
  g_sink_i = _mm512_reduce_add_epi32(t);
}

/* 12 ymm vpdpbusd chains (AVX-VNNI, VEX encoded); 12 x 64 = 768 ops per
 * iteration. */
__attribute__((target("avx2,avxvnni"), noinline)) static void
vnni_avx2(int64_t iters) {
  __m256i u = _mm256_set1_epi8(3), s = _mm256_set1_epi8(-5);
  __m256i a0 = _mm256_set1_epi32(0), a1 = _mm256_set1_epi32(1),
          a2 = _mm256_set1_epi32(2), a3 = _mm256_set1_epi32(3),
          a4 = _mm256_set1_epi32(4), a5 = _mm256_set1_epi32(5),
          a6 = _mm256_set1_epi32(6), a7 = _mm256_set1_epi32(7),
          a8 = _mm256_set1_epi32(8), a9 = _mm256_set1_epi32(9),
          a10 = _mm256_set1_epi32(10), a11 = _mm256_set1_epi32(11);
  for (int64_t i = 0; i < iters; ++i) {
#define F(x) x = _mm256_dpbusd_avx_epi32(x, u, s);
    F(a0) F(a1) F(a2) F(a3) F(a4) F(a5) F(a6) F(a7) F(a8) F(a9) F(a10) F(a11)
#undef F
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3));
  }
  __m256i t = _mm256_add_epi32(
      _mm256_add_epi32(
          _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)),
          _mm256_add_epi32(_mm256_add_epi32(a4, a5), _mm256_add_epi32(a6, a7))),
      _mm256_add_epi32(_mm256_add_epi32(a8, a9), _mm256_add_epi32(a10, a11)));
  int32_t v[8];
  _mm256_storeu_si256((__m256i *)v, t);
  g_sink_i = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
}

typedef struct kernel {
  const char *name;    /* e.g. fp32-fma-avx512 */
  const char *kind;    /* fp32 or int8 */
  const char *isa;     /* as reported */
  double ops_per_iter; /* flops (fp32) or int8 ops */
  void (*fn)(int64_t);
  int available;
} kernel;

/* ------------------------------------------------------------ threads --- */
typedef struct worker {
  pthread_t tid;
  int cpu;
  const kernel *k;
  int64_t iters;
  pthread_barrier_t *start;
  double t0, t1; /* this thread's start and end */
} worker;

static void *worker_main(void *p) {
  worker *w = (worker *)p;
  if (w->cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  pthread_barrier_wait(w->start);
  w->t0 = now_s();
  w->k->fn(w->iters);
  w->t1 = now_s();
  return NULL;
}

static int g_cpus[1024];
static int g_ncpus;

/* Runs `k` for `iters` iterations on `threads` threads started together;
 * returns the wall time from the first thread's start to the last thread's
 * end (each thread takes its own times, so a late main thread does not
 * shorten it). */
static double run_threads(const kernel *k, int threads, int64_t iters) {
  worker w[1024];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
  for (int t = 0; t < threads; ++t) {
    w[t].cpu = g_ncpus > 0 ? g_cpus[t % g_ncpus] : -1;
    w[t].k = k;
    w[t].iters = iters;
    w[t].start = &start;
    pthread_create(&w[t].tid, NULL, worker_main, &w[t]);
  }
  pthread_barrier_wait(&start);
  double t0 = 1e300, t1 = -1e300;
  for (int t = 0; t < threads; ++t) {
    pthread_join(w[t].tid, NULL);
    t0 = w[t].t0 < t0 ? w[t].t0 : t0;
    t1 = w[t].t1 > t1 ? w[t].t1 : t1;
  }
  pthread_barrier_destroy(&start);
  return t1 - t0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct result {
  double best, median, worst; /* G(FL)OP/s, all threads together */
} result;

static result measure(const kernel *k, int threads, int reps, double seconds) {
  /* Calibrate on one thread: iterations for about `seconds`. */
  int64_t iters = 1 << 16;
  for (;;) {
    double dt = run_threads(k, 1, iters);
    if (dt > 0.05 || iters > ((int64_t)1 << 40)) {
      iters = (int64_t)((double)iters * seconds / dt) + 1;
      break;
    }
    iters *= 4;
  }
  double rates[256];
  if (reps > 256)
    reps = 256;
  run_threads(k, threads, iters / 4); /* warm-up (and frequency ramp) */
  for (int r = 0; r < reps; ++r) {
    double dt = run_threads(k, threads, iters);
    rates[r] = k->ops_per_iter * (double)iters * threads / dt * 1e-9;
  }
  qsort(rates, (size_t)reps, sizeof(double), cmp_double);
  result res = {rates[reps - 1], rates[reps / 2], rates[0]};
  return res;
}

static void usage(void) {
  fprintf(stderr, "usage: fma_peak [--threads T] [--reps R] [--seconds S] "
                  "[--json FILE]\n"
                  "  T: threads of the all-cores run (default: all CPUs this "
                  "process may use)\n");
}

int main(int argc, char **argv) {
  int threads = 0, reps = 30;
  double seconds = 0.02;
  const char *json = NULL;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--json") && i + 1 < argc)
      json = argv[++i];
    else {
      usage();
      return 2;
    }
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    for (int c = 0; c < CPU_SETSIZE && g_ncpus < 1024; ++c)
      if (CPU_ISSET(c, &set))
        g_cpus[g_ncpus++] = c;
  if (threads <= 0)
    threads = g_ncpus > 0 ? g_ncpus : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (threads > 1024)
    threads = 1024;
  if (reps < 1)
    reps = 1;

  __builtin_cpu_init();
  kernel ks[] = {
      {"fp32-fma-avx512", "fp32", "avx512f", 16 * 16 * 2, fma_avx512,
       __builtin_cpu_supports("avx512f")},
      {"fp32-fma-avx2", "fp32", "avx2+fma", 12 * 8 * 2, fma_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
      {"int8-vnni-avx512", "int8", "avx512_vnni", 16 * 64 * 2, vnni_avx512,
       __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vnni")},
      {"int8-vnni-avx2", "int8", "avx_vnni", 12 * 32 * 2, vnni_avx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni")},
  };
  int nk = (int)(sizeof(ks) / sizeof(ks[0]));
  result r1[4], rt[4];
  printf("# FMA peak: %d CPUs usable, all-cores run on %d threads, best of %d "
         "x %.2f s\n",
         g_ncpus, threads, reps, seconds);
  printf("| kernel | isa | unit | 1 thread (best) | 1 thread (median) | "
         "%d threads (best) | %d threads (median) | per core at %d threads |\n",
         threads, threads, threads);
  printf("|---|---|---|---:|---:|---:|---:|---:|\n");
  for (int i = 0; i < nk; ++i) {
    if (!ks[i].available) {
      printf("| %s | %s | - | not supported by this CPU | | | | |\n",
             ks[i].name, ks[i].isa);
      continue;
    }
    r1[i] = measure(&ks[i], 1, reps, seconds);
    rt[i] = measure(&ks[i], threads, reps, seconds);
    const char *unit = ks[i].kind[0] == 'f' ? "GFLOP/s" : "GOP/s";
    printf("| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", ks[i].name,
           ks[i].isa, unit, r1[i].best, r1[i].median, rt[i].best,
           rt[i].median, rt[i].best / threads);
    fflush(stdout);
  }
  /* Peak of each kind = its widest available ISA. */
  int fp = -1, i8 = -1;
  for (int i = 0; i < nk; ++i) {
    if (!ks[i].available)
      continue;
    if (ks[i].kind[0] == 'f' && fp < 0)
      fp = i;
    if (ks[i].kind[0] == 'i' && i8 < 0)
      i8 = i;
  }
  if (fp >= 0)
    printf("\nfp32 peak: %.1f GFLOP/s on 1 thread (%s), %.1f GFLOP/s on %d "
           "threads\n",
           r1[fp].best, ks[fp].isa, rt[fp].best, threads);
  if (i8 >= 0)
    printf("int8 peak: %.1f GOP/s on 1 thread (%s), %.1f GOP/s on %d threads\n",
           r1[i8].best, ks[i8].isa, rt[i8].best, threads);
  else
    printf("int8 peak: no VNNI on this CPU\n");

  if (json) {
    FILE *f = fopen(json, "w");
    if (!f) {
      perror(json);
      return 1;
    }
    fprintf(f, "{\n  \"cpus\": %d, \"threads\": %d, \"reps\": %d,\n", g_ncpus,
            threads, reps);
    fprintf(f, "  \"fp32_peak_kernel\": \"%s\", \"int8_peak_kernel\": \"%s\",\n",
            fp >= 0 ? ks[fp].name : "", i8 >= 0 ? ks[i8].name : "");
    fprintf(f, "  \"kernels\": [\n");
    int first = 1;
    for (int i = 0; i < nk; ++i) {
      if (!ks[i].available)
        continue;
      fprintf(f,
              "%s    {\"name\": \"%s\", \"kind\": \"%s\", \"isa\": \"%s\", "
              "\"t1_best\": %.3f, \"t1_median\": %.3f, \"tn\": %d, "
              "\"tn_best\": %.3f, \"tn_median\": %.3f}",
              first ? "" : ",\n", ks[i].name, ks[i].kind, ks[i].isa,
              r1[i].best, r1[i].median, threads, rt[i].best, rt[i].median);
      first = 0;
    }
    fprintf(f, "\n  ]\n}\n");
    fclose(f);
  }
  return 0;
}
