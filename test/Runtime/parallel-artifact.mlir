// A parallel matmul artifact: Kiln's thread pool is linked in with hidden
// symbols (no undefined __kmpc_/omp_ symbol, no OpenMP library needed, only
// kiln_artifact_set_num_threads exported); the C runtime's
// kiln_set_num_threads drives it (results, worker threads, unload, fork),
// also with libgomp or libomp already loaded globally in the process; the pool's
// entry points pass a direct stress test.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --mcpu=x86-64-v3 --emit=shared -o %t/mm.so
// RUN: llvm-nm -u %t/mm.so | FileCheck %s --check-prefix=UNDEF
// RUN: llvm-nm -D --defined-only %t/mm.so | FileCheck %s --check-prefix=EXPORTS
// RUN: llvm-readelf -d %t/mm.so | FileCheck %s --check-prefix=NEEDED
// RUN: FileCheck %s --check-prefix=HEADER < %t/mm.h
// RUN: %cc -std=c99 -Wall -Werror -I %kiln_runtime_include %S/parallel-inputs/threads_api.c -L %kiln_runtime_lib -lkiln_runtime -ldl -lm -Wl,-rpath,%kiln_runtime_lib -o %t/api
// RUN: %t/api %t/mm.so | FileCheck %s --check-prefix=API
// RUN: if [ -e /usr/lib/x86_64-linux-gnu/libgomp.so.1 ]; then %t/api %t/mm.so libgomp.so.1; else echo all ok; fi | FileCheck %s --check-prefix=FOREIGN
// RUN: if [ -e /usr/lib/x86_64-linux-gnu/libomp.so.5 ]; then %t/api %t/mm.so libomp.so.5; else echo all ok; fi | FileCheck %s --check-prefix=FOREIGN
// RUN: %cc -std=c11 -O2 -Wall -Werror %S/parallel-inputs/pool_stress.c %kiln_obj_root/lib/libKilnParallel.a -lpthread -o %t/stress
// RUN: %t/stress | FileCheck %s --check-prefix=POOL

// UNDEF-NOT: __kmpc
// UNDEF-NOT: omp_
// UNDEF-NOT: gomp

// EXPORTS-NOT: __kmpc
// EXPORTS: T _mlir_ciface_mm
// EXPORTS: T kiln_artifact_metadata
// EXPORTS: T kiln_artifact_set_num_threads
// EXPORTS-NOT: __kmpc

// NEEDED-NOT: omp
// NEEDED: Shared library: [libc.so.6]
// NEEDED-NOT: omp

// HEADER: void kiln_artifact_set_num_threads(int threads);

// API: threads 1 (get 1): ok, 1 tasks
// API: threads 3 (get 3): ok, 3 tasks
// API: threads 2 (get 2): ok, 3 tasks
// API: threads 2 (get 2): ok, 2 tasks
// API: fork child: ok
// API: threads 0 (get 0): ok
// API: after free: 0 extra tasks
// API: all ok

// FOREIGN: all ok

// POOL: pool ok

func.func @mm(%a: tensor<301x67xf32>, %b: tensor<67x523xf32>)
    -> tensor<301x523xf32> {
  %i = tensor.empty() : tensor<301x523xf32>
  %c = kiln.matmul ins(%a, %b : tensor<301x67xf32>, tensor<67x523xf32>)
       outs(%i : tensor<301x523xf32>) -> tensor<301x523xf32>
  return %c : tensor<301x523xf32>
}
