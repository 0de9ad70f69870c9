/* Links a Kiln artifact directly and calls its entries through the generated
 * header (test/Runtime/c-program.mlir). Exits 1 on a wrong number. */
#include "kernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kiln_memref_r2 desc2(float *p, int64_t m, int64_t n) {
  kiln_memref_r2 d = {p, p, 0, {m, n}, {n, 1}};
  return d;
}

static int near(float a, float b) { return fabsf(a - b) <= 1e-5f * (1 + fabsf(b)); }

int main(void) {
  printf("metadata: %s", kiln_artifact_metadata());
  float a[12], b[6], a0[12];
  for (int i = 0; i < 12; ++i)
    a[i] = a0[i] = (float)(i % 5) - 1.5f;
  for (int i = 0; i < 6; ++i)
    b[i] = 0.25f * (float)i - 0.5f;
  kiln_memref_r2 da = desc2(a, 4, 3), db = desc2(b, 3, 2), dc;
  _mlir_ciface_mm(&dc, &da, &db);
  float *c = (float *)dc.aligned + dc.offset;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j) {
      float want = 0;
      for (int k = 0; k < 3; ++k)
        want += a[i * 3 + k] * b[k * 2 + j];
      float got = c[i * dc.strides[0] + j * dc.strides[1]];
      if (!near(got, want)) {
        printf("mm[%d][%d] = %g, want %g\n", i, j, got, want);
        return 1;
      }
    }
  kiln_artifact_buffer_free(dc.allocated);
  printf("mm ok\n");

  /* add_relu on a dynamic batch of 3 rows. */
  kiln_memref_r2 dx = desc2(a, 3, 4), dy = desc2(a0, 3, 4), dr;
  _mlir_ciface_add_relu(&dr, &dx, &dy);
  if (dr.sizes[0] != 3 || dr.sizes[1] != 4) {
    printf("add_relu shape %lld x %lld\n", (long long)dr.sizes[0],
           (long long)dr.sizes[1]);
    return 1;
  }
  float *r = (float *)dr.aligned + dr.offset;
  for (int i = 0; i < 12; ++i) {
    float want = a[i] + a0[i] > 0 ? a[i] + a0[i] : 0;
    if (!near(r[i], want)) {
      printf("add_relu[%d] = %g, want %g\n", i, r[i], want);
      return 1;
    }
  }
  kiln_artifact_buffer_free(dr.allocated);
  printf("add_relu ok\n");

  sum_prod_results res;
  kiln_memref_r1 s0 = {a, a, 0, {5}, {1}}, s1 = {b, b, 0, {5}, {1}};
  _mlir_ciface_sum_prod(&res, &s0, &s1);
  float *sum = (float *)res.r0.aligned + res.r0.offset;
  float *prod = (float *)res.r1.aligned + res.r1.offset;
  for (int i = 0; i < 5; ++i)
    if (!near(sum[i], a[i] + b[i]) || !near(prod[i], a[i] * b[i])) {
      printf("sum_prod[%d] = %g, %g\n", i, sum[i], prod[i]);
      return 1;
    }
  kiln_artifact_buffer_free(res.r0.allocated);
  kiln_artifact_buffer_free(res.r1.allocated);
  printf("sum_prod ok\n");
  if (memcmp(a, a0, sizeof a) != 0)
    return 1;
  printf("inputs unchanged\n");
  return 0;
}
