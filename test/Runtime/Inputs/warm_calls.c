/* warm-calls.mlir: minor page faults per warm call, through kiln_run and
 * kiln_run_into, with glibc made to return freed memory at once. */
#include "kiln/Runtime/kiln_runtime.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long minorFaults(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

static kiln_tensor *random_tensor(int rank, const int64_t *dims, unsigned seed) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d)
    n *= dims[d];
  float *v = malloc(n * sizeof(float));
  for (int64_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = (float)(seed >> 8) / (float)(1u << 24) - 0.5f;
  }
  kiln_tensor *t = NULL;
  if (kiln_tensor_create(KILN_F32, rank, dims, v, &t) != KILN_OK)
    printf("create: %s\n", kiln_last_error());
  free(v);
  return t;
}

enum { kWarm = 3, kCalls = 20 };

int main(int argc, char **argv) {
  /* The worst case for code that mallocs its buffers per call: every block
   * above 64 KiB is mmapped and unmapped on free, so each call would fault
   * every page of its buffers again (257 faults per 1 MiB buffer). The
   * heap states a long-running process reaches (a compile in the same
   * process, say) cost the same through brk growth and trimming. */
  mallopt(M_MMAP_THRESHOLD, 64 << 10);
  kiln_artifact *a = NULL;
  if (argc < 2 || kiln_artifact_load(argv[1], &a) != KILN_OK) {
    printf("load: %s\n", kiln_last_error());
    return 1;
  }
  int e = kiln_entry_find(a, "block");
  int64_t qd[4] = {1, 4, 256, 64}, wd[2] = {64, 256}, rd[2] = {1024, 256};
  kiln_tensor *in[4] = {random_tensor(4, qd, 1), random_tensor(4, qd, 2),
                        random_tensor(4, qd, 3), random_tensor(2, wd, 4)};
  kiln_tensor *first = NULL, *out = NULL, *mine = NULL;
  if (kiln_run(a, e, in, 4, &first, 1) != KILN_OK) {
    printf("run: %s\n", kiln_last_error());
    return 1;
  }
  size_t bytes = kiln_tensor_nbytes(first);

  for (int mode = 0; mode < 2; ++mode) {
    const char *name = mode ? "kiln_run_into" : "kiln_run";
    if (mode)
      kiln_tensor_create(KILN_F32, 2, rd, NULL, &mine);
    long before = 0;
    int same = 1;
    for (int c = 0; c < kWarm + kCalls; ++c) {
      if (c == kWarm)
        before = minorFaults();
      kiln_status st = mode ? kiln_run_into(a, e, in, 4, &mine, 1)
                            : kiln_run(a, e, in, 4, &out, 1);
      if (st != KILN_OK) {
        printf("%s: %s\n", name, kiln_last_error());
        return 1;
      }
      kiln_tensor *r = mode ? mine : out;
      same &= memcmp(kiln_tensor_data(r), kiln_tensor_data(first), bytes) == 0;
      if (!mode)
        kiln_tensor_free(out);
    }
    double perCall = (double)(minorFaults() - before) / kCalls;
    printf("%s: same result: %s\n", name, same ? "yes" : "no");
    /* The result alone is 256 pages; a fresh buffer per call faults them. */
    printf("%s: faults per call %s (%.2f)\n", name,
           perCall <= 2.0 ? "ok" : "TOO MANY", perCall);
  }
  /* Outputs keep their artifact loaded. */
  kiln_run(a, e, in, 4, &out, 1);
  kiln_artifact_free(a);
  printf("after unload: output still readable: %s\n",
         memcmp(kiln_tensor_data(out), kiln_tensor_data(first), bytes) == 0
             ? "yes" : "no");
  kiln_tensor_free(out);
  kiln_tensor_free(first);
  kiln_tensor_free(mine);
  for (int i = 0; i < 4; ++i)
    kiln_tensor_free(in[i]);
  return 0;
}
