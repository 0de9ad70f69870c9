// An artifact linked directly from C through its generated header, and the
// same artifact loaded through the Kiln runtime (libkiln_runtime.so).
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --emit=shared -o %t/kernels.so
// RUN: FileCheck %s --check-prefix=HEADER < %t/kernels.h
// RUN: %cc -std=c99 -Wall -Werror -I %t %S/Inputs/direct.c %t/kernels.so -Wl,-rpath,%t -o %t/direct
// RUN: %t/direct | FileCheck %s --check-prefix=DIRECT
// RUN: %cc -std=c99 -Wall -Werror -I %kiln_runtime_include %S/Inputs/runtime_api.c -L %kiln_runtime_lib -lkiln_runtime -Wl,-rpath,%kiln_runtime_lib -o %t/api
// RUN: %t/api %t/kernels.so | FileCheck %s --check-prefix=API

// HEADER: #ifndef KILN_ARTIFACT_KERNELS_H
// HEADER: typedef struct kiln_memref_r2 {
// HEADER-NEXT:   void *allocated;
// HEADER-NEXT:   void *aligned;
// HEADER-NEXT:   int64_t offset;
// HEADER-NEXT:   int64_t sizes[2];
// HEADER-NEXT:   int64_t strides[2];
// HEADER-NEXT: } kiln_memref_r2;
// HEADER: /* mm(f32[4x3], f32[3x2]) -> (f32[4x2]) */
// HEADER-NEXT: void _mlir_ciface_mm(kiln_memref_r2 *result, kiln_memref_r2 *in0, kiln_memref_r2 *in1);
// HEADER: /* add_relu(f32[?x4], f32[?x4]) -> (f32[?x4]) */
// HEADER: /* sum_prod(f32[5], f32[5]) -> (f32[5], f32[5]) */
// HEADER-NEXT: typedef struct sum_prod_results {
// HEADER-NEXT:   kiln_memref_r1 r0; /* f32[5] */
// HEADER-NEXT:   kiln_memref_r1 r1; /* f32[5] */
// HEADER-NEXT: } sum_prod_results;
// HEADER-NEXT: void _mlir_ciface_sum_prod(sum_prod_results *results, kiln_memref_r1 *in0, kiln_memref_r1 *in1);
// HEADER: const char *kiln_artifact_metadata(void);
// HEADER: void kiln_artifact_buffer_free(void *allocated);

// DIRECT: metadata: kiln-artifact 1
// DIRECT: mm ok
// DIRECT: add_relu ok
// DIRECT: sum_prod ok
// DIRECT: inputs unchanged

// API: entries 4
// API: mm: 2 inputs 1 outputs flops 48
// API: add_relu: 2 inputs 1 outputs flops -1
// API: mm ok
// API: add_relu ok
// API: sum_prod ok
// API: i8 ok
// API: missing file: file error: {{.*}}nope.so: No such file or directory
// API: wrong count: wrong signature: entry 'mm' takes 2 inputs and 1 outputs, got 1 and 1
// API: wrong dtype: dtype mismatch: entry 'mm' input 1: expected f32, got f64
// API: wrong shape: shape mismatch: entry 'mm' input 0: dim 1 is 5, expected 3 (shape [4x5] vs [4x3])
// API: wrong rank: shape mismatch: entry 'add_relu' input 1: expected rank 2 [?x4], got rank 1 [4]
// API: no entry: -1
// API: threads 3

func.func @mm(%a: tensor<4x3xf32>, %b: tensor<3x2xf32>) -> tensor<4x2xf32> {
  %init = tensor.empty() : tensor<4x2xf32>
  %c = kiln.matmul ins(%a, %b : tensor<4x3xf32>, tensor<3x2xf32>)
       outs(%init : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %c : tensor<4x2xf32>
}

func.func @add_relu(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x4xf32>
  %init = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                        affine_map<(i, j) -> (i, j)>,
                                        affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<?x4xf32>, tensor<?x4xf32>) outs(%init : tensor<?x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

func.func @sum_prod(%a: tensor<5xf32>, %b: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>) {
  %s = arith.addf %a, %b : tensor<5xf32>
  %p = arith.mulf %a, %b : tensor<5xf32>
  return %s, %p : tensor<5xf32>, tensor<5xf32>
}

func.func @negate_i8(%a: tensor<3xi8>) -> tensor<3xi8> {
  %z = arith.constant dense<0> : tensor<3xi8>
  %r = arith.subi %z, %a : tensor<3xi8>
  return %r : tensor<3xi8>
}

// Private helpers are not entry points.
func.func private @helper(%a: tensor<5xf32>) -> tensor<5xf32> {
  return %a : tensor<5xf32>
}
