// Every --emit kind.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --emit=mlir -O0 | FileCheck %s --check-prefix=MLIR
// RUN: kiln-compile %s --emit=llvm -o %t/k.ll && FileCheck %s --check-prefix=LLVM < %t/k.ll
// RUN: kiln-compile %s --emit=asm -o %t/k.s && FileCheck %s --check-prefix=ASM < %t/k.s
// RUN: kiln-compile %s --emit=obj -o %t/k.o && llvm-nm %t/k.o | FileCheck %s --check-prefix=SYMS
// RUN: kiln-compile %s --emit=shared -o %t/k.so && llvm-nm -D --defined-only %t/k.so | FileCheck %s --check-prefix=SYMS
// RUN: llvm-readelf -h %t/k.so | FileCheck %s --check-prefix=ELF
// RUN: FileCheck %s --check-prefix=HEADER < %t/k.h
// The default output is shared, which needs a file.
// RUN: not kiln-compile %s 2>&1 | FileCheck %s --check-prefix=NEEDS-O

// MLIR: llvm.func @scale(
// MLIR: llvm.func @_mlir_ciface_scale(
// MLIR: llvm.func @_mlir_ciface_mm(
// MLIR: llvm.mlir.global internal constant @kiln_artifact_metadata_text("kiln-artifact 1\0Aisa {{.*}}\0Aentry scale 1 1\0Ain f32 2 -1 8\0Aout f32 2 -1 8\0Aentry mm 2 1\0Aflops 1536\0Ain f32 2 8 16\0Ain f32 2 16 6\0Aout f32 2 8 6\0A\00")
// MLIR: llvm.func @kiln_artifact_metadata() -> !llvm.ptr

// LLVM: @kiln_artifact_metadata_text = internal constant
// LLVM: define {{.*}}void @_mlir_ciface_scale(ptr
// LLVM: define {{.*}}ptr @kiln_artifact_metadata()
// ASM: _mlir_ciface_mm:
// ASM: kiln_artifact_metadata:
// SYMS-DAG: T _mlir_ciface_mm
// SYMS-DAG: T _mlir_ciface_scale
// SYMS-DAG: T kiln_artifact_metadata
// ELF: Type: DYN (Shared object file)
// HEADER: /* scale(f32[?x8]) -> (f32[?x8]) */
// HEADER-NEXT: void _mlir_ciface_scale(kiln_memref_r2 *result, kiln_memref_r2 *in0);
// HEADER: /* mm(f32[8x16], f32[16x6]) -> (f32[8x6]) */
// NEEDS-O: error: --emit=shared needs -o FILE.so

func.func @scale(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %r = arith.addf %a, %a : tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

func.func @mm(%a: tensor<8x16xf32>, %b: tensor<16x6xf32>) -> tensor<8x6xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x6xf32>
  %i = linalg.fill ins(%z : f32) outs(%e : tensor<8x6xf32>) -> tensor<8x6xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x6xf32>)
                     outs(%i : tensor<8x6xf32>) -> tensor<8x6xf32>
  return %c : tensor<8x6xf32>
}
