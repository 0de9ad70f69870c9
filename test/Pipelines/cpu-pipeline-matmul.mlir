// kiln-cpu-pipeline on a 1024^3 kiln.matmul: the tiling pass alone reaches
// vector.contract on an 8x32 (AVX-512) or 6x16 (AVX2) register tile; the whole
// pipeline ends in FMAs on native vectors (<16xf32> AVX-512, <8xf32> AVX2)
// with no scalar multiply-add left.
// RUN: kiln-opt %s --convert-kiln-to-linalg \
// RUN:   --kiln-cpu-tile-and-vectorize=mcpu=sapphirerapids \
// RUN:   | FileCheck %s --check-prefix=TILE512
// RUN: kiln-opt %s --convert-kiln-to-linalg \
// RUN:   --kiln-cpu-tile-and-vectorize=mcpu=x86-64-v3 \
// RUN:   | FileCheck %s --check-prefix=TILE256
// RUN: kiln-opt %s --kiln-cpu-pipeline=mcpu=sapphirerapids \
// RUN:   | FileCheck %s --check-prefix=AVX512
// RUN: kiln-opt %s --kiln-cpu-pipeline=mcpu=x86-64-v3 \
// RUN:   | FileCheck %s --check-prefix=AVX2

func.func @matmul(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>)
    -> tensor<1024x1024xf32> {
  %i = tensor.empty() : tensor<1024x1024xf32>
  %c = kiln.matmul ins(%a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32>)
       outs(%i : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  return %c : tensor<1024x1024xf32>
}

// TILE512-LABEL: func.func @matmul
// TILE512:         scf.forall
// TILE512:           scf.for
// TILE512:             scf.for
// TILE512:               scf.for
// TILE512:                 vector.transfer_read {{.*}} vector<8x32xf32>
// TILE512:                 scf.for {{.*}} -> (vector<8x32xf32>)
// TILE512:                   vector.contract {{.*}} vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// TILE512-NOT:             linalg.generic
// TILE512:                 vector.transfer_write {{.*}} vector<8x32xf32>

// TILE256-LABEL: func.func @matmul
// TILE256:         scf.forall
// TILE256:           vector.contract {{.*}} vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>

// AVX512-LABEL: llvm.func @matmul
// AVX512-SAME:    target_cpu = "sapphirerapids"
// AVX512-SAME:    "+avx512f"
// AVX512:         llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// AVX512-NOT:     llvm.fmul {{.*}} : f32
// AVX512-NOT:     llvm.intr.fmuladd({{.*}}) : (f32, f32, f32)

// M = 1024 is not a multiple of 6 (AVX2): the remainder tiles are padded to
// full 6x16 tiles, so no scalar multiply-add is left either.

// AVX2-LABEL: llvm.func @matmul
// AVX2-SAME:    target_cpu = "x86-64-v3"
// AVX2:         llvm.intr.fmuladd({{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// AVX2-NOT:     llvm.intr.fmuladd({{.*}}) : (vector<16xf32>
// AVX2-NOT:     llvm.fmul {{.*}} : f32
// AVX2-NOT:     llvm.intr.fmuladd({{.*}}) : (f32, f32, f32)
