/* A parallel matmul artifact through the Kiln runtime with
 * kiln_set_num_threads 1, 3, 2 and 0 (all cores): results against a double
 * reference, and the pool's worker threads counted in /proc/self/task (none
 * for 1 thread, 2 for 3; kept at 2 when 2 are asked; joined when the
 * artifact is freed; a fork()ed child starts its own workers). argv[2], if given, is an OpenMP runtime (libgomp,
 * libomp) dlopen'ed RTLD_GLOBAL first: the artifact must not use it.
 * Usage: threads_api ARTIFACT.so [OPENMP_RUNTIME.so]; exit 1 on failure. */
#include "kiln/Runtime/kiln_runtime.h"
#include <dirent.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

enum { M = 301, K = 67, N = 523 };

static int tasks(void) {
  DIR *d = opendir("/proc/self/task");
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));)
    n += e->d_name[0] != '.';
  if (d)
    closedir(d);
  return n;
}

static int run(kiln_artifact *a, const float *av, const float *bv,
               const double *want, int threads) {
  kiln_set_num_threads(threads);
  int64_t ad[2] = {M, K}, bd[2] = {K, N};
  kiln_tensor *in[2] = {NULL, NULL}, *out = NULL;
  kiln_tensor_create(KILN_F32, 2, ad, av, &in[0]);
  kiln_tensor_create(KILN_F32, 2, bd, bv, &in[1]);
  int bad = 0;
  for (int rep = 0; rep < 3 && !bad; ++rep) {
    if (kiln_run(a, 0, in, 2, &out, 1) != KILN_OK) {
      printf("run failed: %s\n", kiln_last_error());
      return 1;
    }
    const float *c = kiln_tensor_data(out);
    for (int i = 0; i < M * N; ++i)
      if (!(fabs(c[i] - want[i]) <= 1e-4 + 1e-4 * fabs(want[i]))) {
        printf("threads %d: c[%d] = %g, want %g\n", threads, i, c[i],
               want[i]);
        bad = 1;
        break;
      }
    kiln_tensor_free(out);
  }
  kiln_tensor_free(in[0]);
  kiln_tensor_free(in[1]);
  printf("threads %d (get %d): %s, %d tasks\n", threads,
         kiln_get_num_threads(), bad ? "MISMATCH" : "ok", tasks());
  return bad;
}

int main(int argc, char **argv) {
  if (argc > 2 && !dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL)) {
    printf("cannot load %s: %s\n", argv[2], dlerror());
    return 1;
  }
  static float av[M * K], bv[K * N];
  static double want[M * N];
  for (int i = 0; i < M * K; ++i)
    av[i] = (float)((i * 7919) % 17) / 8.0f - 1.0f;
  for (int i = 0; i < K * N; ++i)
    bv[i] = (float)((i * 104729) % 13) / 6.0f - 1.0f;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int k = 0; k < K; ++k)
        s += (double)av[i * K + k] * bv[k * N + j];
      want[i * N + j] = s;
    }
  int before = tasks();
  kiln_set_num_threads(1);
  kiln_artifact *a = NULL;
  if (kiln_artifact_load(argv[1], &a) != KILN_OK) {
    printf("load failed: %s\n", kiln_last_error());
    return 1;
  }
  int bad = run(a, av, bv, want, 1);
  bad |= tasks() != before;
  bad |= run(a, av, bv, want, 3);
  bad |= tasks() != before + 2;
  bad |= run(a, av, bv, want, 2);
  bad |= tasks() != before + 2;
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) { /* only this thread exists here */
    int r = run(a, av, bv, want, 2) || tasks() != before + 1;
    fflush(stdout);
    _exit(r);
  }
  int status = 1;
  waitpid(child, &status, 0);
  printf("fork child: %s\n", status == 0 ? "ok" : "FAILED");
  bad |= status != 0;
  bad |= run(a, av, bv, want, 0);
  kiln_artifact_free(a);
  printf("after free: %d extra tasks\n", tasks() - before);
  bad |= tasks() != before;
  printf("%s\n", bad ? "FAILED" : "all ok");
  return bad;
}
