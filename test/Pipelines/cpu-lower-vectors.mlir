// kiln-cpu-lower-vectors: a register-tile vector.contract becomes broadcast
// FMAs unrolled to the native width of mcpu.
// RUN: kiln-opt %s --kiln-cpu-lower-vectors=mcpu=sapphirerapids \
// RUN:   | FileCheck %s --check-prefix=AVX512
// RUN: kiln-opt %s --kiln-cpu-lower-vectors=mcpu=x86-64-v3 \
// RUN:   | FileCheck %s --check-prefix=AVX2
// RUN: kiln-opt %s --kiln-cpu-lower-vectors=mcpu=x86-64-v3 \
// RUN:   | FileCheck %s --check-prefix=MATH

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @tile(%a: vector<4x1xf32>, %b: vector<1x32xf32>,
                %c: vector<4x32xf32>) -> vector<4x32xf32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c],
                        iterator_types = ["parallel", "parallel", "reduction"],
                        kind = #vector.kind<add>}
       %a, %b, %c : vector<4x1xf32>, vector<1x32xf32> into vector<4x32xf32>
  return %r : vector<4x32xf32>
}

// AVX512-LABEL: func.func @tile
// AVX512-NOT:     vector.contract
// AVX512-COUNT-8: vector.fma {{.*}} : vector<16xf32>
// AVX512-NOT:     vector.fma

// AVX2-LABEL: func.func @tile
// AVX2-NOT:     vector.contract
// AVX2-COUNT-16: vector.fma {{.*}} : vector<8xf32>
// AVX2-NOT:     vector.fma


// Vector exp / log become polynomial approximations in registers (no libm
// call per lane); scalar ones are left for the libm lowering.
// MATH-LABEL: func.func @vector_exp_log
// MATH-NOT:      math.exp {{.*}} : vector
// MATH-NOT:      math.log {{.*}} : vector
// MATH:          math.exp %{{.*}} : f32
func.func @vector_exp_log(%x: vector<64xf32>, %s: f32)
    -> (vector<64xf32>, vector<64xf32>, f32) {
  %e = math.exp %x : vector<64xf32>
  %l = math.log %x : vector<64xf32>
  %se = math.exp %s : f32
  return %e, %l, %se : vector<64xf32>, vector<64xf32>, f32
}
