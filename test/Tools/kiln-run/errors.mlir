// Bad inputs to kiln-run: a clear message and exit code 1, never a crash.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/make_npy.py %t
// RUN: kiln-compile %s --emit=shared -o %t/k.so
// RUN: kiln-compile %s --emit=shared --test-required-isa=avx512f,avx9000 -o %t/future.so
// RUN: head -c 2000 %t/k.so > %t/truncated.so
// RUN: printf 'garbage' > %t/garbage.so
// RUN: cp %t/k.so %t/copy.so && printf 'x' | dd of=%t/copy.so bs=1 seek=1 conv=notrunc 2>/dev/null
// RUN: not kiln-run %t/copy.so --list 2>&1 | FileCheck %s --check-prefix=GARBAGE-SO
// RUN: not kiln-run %t/k.so --entry=nope 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not kiln-run %t/k.so --input %t/a_f64.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not kiln-run %t/k.so --input %t/a_shape.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not kiln-run %t/k.so --input %t/a_rank.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not kiln-run %t/k.so --input %t/a.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not kiln-run %t/k.so --input %t/missing.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=MISSING-NPY
// RUN: not kiln-run %t/k.so --input %t/a_truncated.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=TRUNC-NPY
// RUN: not kiln-run %t/k.so --input %t/a_header.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=TRUNC-HEADER
// RUN: not kiln-run %t/k.so --input %t/not.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=NOT-NPY
// RUN: not kiln-run %t/k.so --input %t/a_fortran.npy --input %t/b.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// RUN: not kiln-run %t/k.so --check %t/a.npy 2>&1 | FileCheck %s --check-prefix=CHECK-SHAPE
// RUN: not kiln-run %t/k.so --check %t/missing.npy 2>&1 | FileCheck %s --check-prefix=CHECK-MISSING
// RUN: not kiln-run %t/k.so --output %t/nodir/out.npy 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// RUN: not kiln-run %t/missing.so 2>&1 | FileCheck %s --check-prefix=MISSING-SO
// RUN: not kiln-run %t/truncated.so 2>&1 | FileCheck %s --check-prefix=TRUNC-SO
// RUN: not kiln-run %t/garbage.so 2>&1 | FileCheck %s --check-prefix=GARBAGE-SO
// RUN: not kiln-run %kiln_runtime_lib/libkiln_runtime.so --list 2>&1 | FileCheck %s --check-prefix=FOREIGN-SO
// RUN: not kiln-run %t/future.so --list 2>&1 | FileCheck %s --check-prefix=ISA
// RUN: kiln-run %t/future.so --list 2>/dev/null; test $? -eq 1
// RUN: env KILN_UNSAFE_TEST_HOST_ISA=sse2 not kiln-run %t/k.so --list 2>&1 | FileCheck %s --check-prefix=HOST-ISA
// RUN: not kiln-run %S/../kiln-compile/Inputs/malformed.mlir 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: not kiln-run %t/missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING-MLIR

// ENTRY: kiln-run: error: no entry point 'nope' (the artifact has: mm)
// DTYPE: kiln-run: error: input 0 ({{.*}}a_f64.npy) of 'mm': dtype <f8 does not hold f32 (expected <f4)
// SHAPE: kiln-run: error: entry 'mm' input 0: dim 1 is 12, expected 13 (shape [7x12] vs [7x13])
// RANK: kiln-run: error: entry 'mm' input 0: expected rank 2 [7x13], got rank 1 [91]
// COUNT: kiln-run: error: entry 'mm' takes 2 inputs, got 1 --input files
// MISSING-NPY: kiln-run: error: {{.*}}missing.npy: No such file or directory
// TRUNC-NPY: kiln-run: error: {{.*}}a_truncated.npy: truncated .npy data: the header promises 364 bytes, the file holds 354
// TRUNC-HEADER: kiln-run: error: {{.*}}a_header.npy: truncated .npy header
// NOT-NPY: kiln-run: error: {{.*}}not.npy: not a .npy file (bad magic)
// FORTRAN: kiln-run: error: {{.*}}a_fortran.npy: Fortran-order .npy arrays are not supported (save C order)
// CHECK-SHAPE: kiln-run: error: --check {{.*}}a.npy: shape f32[7x13] does not match output 0 f32[7x5]
// CHECK-MISSING: kiln-run: error: --check: {{.*}}missing.npy: No such file or directory
// UNWRITABLE: kiln-run: error: {{.*}}nodir/out.npy: cannot write: No such file or directory
// MISSING-SO: kiln-run: error: {{.*}}missing.so: No such file or directory
// TRUNC-SO: kiln-run: error: {{.*}}truncated.so: truncated: its ELF headers describe {{[0-9]+}} bytes, the file has 2000
// GARBAGE-SO: kiln-run: error: {{.*}}{{garbage|copy}}.so: not an ELF shared library
// FOREIGN-SO: kiln-run: error: {{.*}}libkiln_runtime.so: not a Kiln artifact (no kiln_artifact_metadata symbol)
// ISA: kiln-run: error: {{.*}}future.so: the host CPU lacks avx9000, which the artifact was compiled for (isa avx512f,avx9000); recompile with a lower --mcpu
// HOST-ISA: kiln-run: error: {{.*}}k.so: the host CPU lacks {{.*}}avx2
// MALFORMED: malformed.mlir:5:8: error: custom op 'kiln.matmull' is unknown
// MISSING-MLIR: kiln-run: error: cannot open input file '{{.*}}missing.mlir': No such file or directory

func.func @mm(%a: tensor<7x13xf32>, %b: tensor<13x5xf32>) -> tensor<7x5xf32> {
  %e = tensor.empty() : tensor<7x5xf32>
  %c = kiln.matmul ins(%a, %b : tensor<7x13xf32>, tensor<13x5xf32>)
       outs(%e : tensor<7x5xf32>) -> tensor<7x5xf32>
  return %c : tensor<7x5xf32>
}
