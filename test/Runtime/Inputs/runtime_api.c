/* Loads a Kiln artifact with the C runtime: signatures, runs, error codes
 * (test/Runtime/c-program.mlir). Exits 1 on a wrong number. */
#include "kiln/Runtime/kiln_runtime.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void report(const char *what, kiln_status st) {
  printf("%s: %s: %s\n", what, kiln_status_name(st), kiln_last_error());
}

static kiln_tensor *make(kiln_dtype t, int rank, int64_t d0, int64_t d1,
                         const void *data) {
  int64_t dims[2] = {d0, d1};
  kiln_tensor *x = NULL;
  if (kiln_tensor_create(t, rank, dims, data, &x) != KILN_OK)
    printf("create failed: %s\n", kiln_last_error());
  return x;
}

int main(int argc, char **argv) {
  kiln_artifact *a = NULL;
  if (argc < 2 || kiln_artifact_load(argv[1], &a) != KILN_OK) {
    printf("load failed: %s\n", kiln_last_error());
    return 1;
  }
  int n = kiln_entry_count(a);
  printf("entries %d\n", n);
  for (int e = 0; e < n; ++e)
    printf("%s: %d inputs %d outputs flops %lld\n", kiln_entry_name(a, e),
           kiln_entry_num_inputs(a, e), kiln_entry_num_outputs(a, e),
           (long long)kiln_entry_flops(a, e));

  float av[12], bv[6];
  for (int i = 0; i < 12; ++i)
    av[i] = (float)(i % 5) - 1.5f;
  for (int i = 0; i < 6; ++i)
    bv[i] = 0.25f * (float)i - 0.5f;
  int mm = kiln_entry_find(a, "mm");
  kiln_tensor *in[2] = {make(KILN_F32, 2, 4, 3, av), make(KILN_F32, 2, 3, 2, bv)};
  kiln_tensor *out[2] = {NULL, NULL};
  kiln_status st = kiln_run(a, mm, in, 2, out, 1);
  if (st != KILN_OK) {
    report("mm", st);
    return 1;
  }
  const float *c = kiln_tensor_data(out[0]);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j) {
      float want = 0;
      for (int k = 0; k < 3; ++k)
        want += av[i * 3 + k] * bv[k * 2 + j];
      if (fabsf(c[i * 2 + j] - want) > 1e-5f)
        return 1;
    }
  kiln_tensor_free(out[0]);
  printf("mm ok\n");

  /* Dynamic rows: 2 of the 3 declared-dynamic. */
  int ar = kiln_entry_find(a, "add_relu");
  kiln_tensor *x[2] = {make(KILN_F32, 2, 2, 4, av), make(KILN_F32, 2, 2, 4, av + 4)};
  if ((st = kiln_run(a, ar, x, 2, out, 1)) != KILN_OK) {
    report("add_relu", st);
    return 1;
  }
  if (kiln_tensor_dim(out[0], 0) != 2 || kiln_tensor_dim(out[0], 1) != 4)
    return 1;
  const float *r = kiln_tensor_data(out[0]);
  for (int i = 0; i < 8; ++i) {
    float s = av[i] + av[i + 4];
    if (fabsf(r[i] - (s > 0 ? s : 0)) > 1e-6f)
      return 1;
  }
  kiln_tensor_free(out[0]);
  printf("add_relu ok\n");

  int sp = kiln_entry_find(a, "sum_prod");
  kiln_tensor *v[2] = {make(KILN_F32, 1, 5, 0, av), make(KILN_F32, 1, 5, 0, bv)};
  if ((st = kiln_run(a, sp, v, 2, out, 2)) != KILN_OK) {
    report("sum_prod", st);
    return 1;
  }
  const float *s0 = kiln_tensor_data(out[0]), *s1 = kiln_tensor_data(out[1]);
  for (int i = 0; i < 5; ++i)
    if (s0[i] != av[i] + bv[i] || s1[i] != av[i] * bv[i])
      return 1;
  kiln_tensor_free(out[0]);
  kiln_tensor_free(out[1]);
  printf("sum_prod ok\n");

  int8_t iv[3] = {-128, 5, 127};
  kiln_tensor *it = make(KILN_I8, 1, 3, 0, iv);
  if ((st = kiln_run(a, kiln_entry_find(a, "negate_i8"), &it, 1, out, 1)) != KILN_OK) {
    report("negate_i8", st);
    return 1;
  }
  const int8_t *io = kiln_tensor_data(out[0]);
  if (io[0] != -128 || io[1] != -5 || io[2] != -127)
    return 1;
  kiln_tensor_free(out[0]);
  kiln_tensor_free(it);
  printf("i8 ok\n");

  kiln_artifact *none = NULL;
  report("missing file", kiln_artifact_load("/nonexistent/nope.so", &none));
  report("wrong count", kiln_run(a, mm, in, 1, out, 1));
  kiln_tensor *d = make(KILN_F64, 2, 3, 2, NULL);
  kiln_tensor *wrongType[2] = {in[0], d};
  report("wrong dtype", kiln_run(a, mm, wrongType, 2, out, 1));
  kiln_tensor *w = make(KILN_F32, 2, 4, 5, NULL);
  kiln_tensor *wrongShape[2] = {w, in[1]};
  report("wrong shape", kiln_run(a, mm, wrongShape, 2, out, 1));
  kiln_tensor *r1 = make(KILN_F32, 1, 4, 0, NULL);
  kiln_tensor *wrongRank[2] = {x[0], r1};
  report("wrong rank", kiln_run(a, ar, wrongRank, 2, out, 1));
  printf("no entry: %d\n", kiln_entry_find(a, "nope"));
  kiln_set_num_threads(3);
  printf("threads %d\n", kiln_get_num_threads());

  kiln_tensor *all[] = {in[0], in[1], x[0], x[1], v[0], v[1], d, w, r1};
  for (unsigned i = 0; i < sizeof all / sizeof *all; ++i)
    kiln_tensor_free(all[i]);
  kiln_artifact_free(a);
  return 0;
}
