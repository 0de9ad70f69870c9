/* run-time-checks.mlir from C: a dim mismatch is KILN_ERROR_SHAPE before
 * the call, a bad permutation KILN_ERROR_DATA after it, and the artifact
 * keeps working afterwards. */
#include "kiln/Runtime/kiln_runtime.h"
#include <stdio.h>

static kiln_tensor *filled(kiln_dtype dtype, int rank, const int64_t *dims,
                           const void *data) {
  kiln_tensor *t = NULL;
  if (kiln_tensor_create(dtype, rank, dims, data, &t) != KILN_OK)
    printf("create: %s\n", kiln_last_error());
  return t;
}

static void report(const char *what, kiln_status st) {
  if (st == KILN_OK)
    printf("%s ok\n", what);
  else
    printf("%s: status %d (%s): %s\n", what, (int)st, kiln_status_name(st),
           kiln_last_error());
}

int main(int argc, char **argv) {
  kiln_artifact *a = NULL;
  if (argc < 2 || kiln_artifact_load(argv[1], &a) != KILN_OK) {
    printf("load: %s\n", kiln_last_error());
    return 1;
  }
  float av[30] = {0}, bv[42] = {0}, b2v[14] = {0}, xv[30] = {0};
  int64_t ad[2] = {5, 6}, bd[2] = {6, 7}, b2d[2] = {2, 7};
  kiln_tensor *out[1] = {NULL};
  kiln_tensor *ok[2] = {filled(KILN_F32, 2, ad, av), filled(KILN_F32, 2, bd, bv)};
  int mm = kiln_entry_find(a, "mm");
  report("mm", kiln_run(a, mm, ok, 2, out, 1));
  kiln_tensor_free(out[0]);
  kiln_tensor *bad[2] = {ok[0], filled(KILN_F32, 2, b2d, b2v)};
  out[0] = NULL;
  report("mm shape", kiln_run(a, mm, bad, 2, out, 1));
  if (out[0])
    printf("an output despite the error\n");

  int gt = kiln_entry_find(a, "gather_tokens");
  int64_t xd[4] = {1, 2, 5, 3}, id[3] = {1, 2, 5};
  int32_t perm[10] = {4, 3, 2, 1, 0, 0, 1, 2, 3, 4};
  int32_t repeat[10] = {4, 3, 2, 1, 0, 0, 1, 2, 2, 4};
  kiln_tensor *good[2] = {filled(KILN_F32, 4, xd, xv), filled(KILN_I32, 3, id, perm)};
  report("gather_tokens", kiln_run(a, gt, good, 2, out, 1));
  kiln_tensor_free(out[0]);
  out[0] = NULL;
  kiln_tensor *rep[2] = {good[0], filled(KILN_I32, 3, id, repeat)};
  report("gather_tokens data", kiln_run(a, gt, rep, 2, out, 1));
  if (out[0])
    printf("an output despite the error\n");
  report("gather_tokens after the failure", kiln_run(a, gt, good, 2, out, 1));
  kiln_tensor_free(out[0]);
  kiln_tensor_free(ok[0]);
  kiln_tensor_free(ok[1]);
  kiln_tensor_free(bad[1]);
  kiln_tensor_free(good[0]);
  kiln_tensor_free(good[1]);
  kiln_tensor_free(rep[1]);
  kiln_artifact_free(a);
  return 0;
}
