// A select whose condition is a boolean tensor (a masked_fill that was not
// fused): memrefs of i1 hold a byte per element, while LLVM loads a vector
// of i1 as packed bits, so the row-wise vectorizer must not read i1
// tensors (it once did, and the select ignored most of the mask at -O3).
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-compile %s --compile-to=loops -o - | FileCheck %s
// RUN: %python -c "import numpy as np; x = np.arange(111, dtype=np.float32).reshape(3, 37); row = np.array([1, 0, 1, 1, 0, 0, 0, 1] * 5, bool)[:37]; np.save('%t/x.npy', x); np.save('%t/y.npy', np.where(row, np.float32(-np.inf), x).astype(np.float32))"
// RUN: kiln-run %s --input %t/x.npy --check %t/y.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=EXEC
// RUN: kiln-run %s -O0 --input %t/x.npy --check %t/y.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=EXEC

// CHECK-LABEL: func.func @sel
// CHECK-NOT: vector.transfer_read {{.*}} vector<{{[0-9x]*}}xi1>
// CHECK: memref.load {{.*}} : memref<3x37xi1>
// EXEC: check output 0: max abs error 0, {{.*}}: ok

func.func @sel(%x: tensor<3x37xf32>) -> tensor<3x37xf32> {
  %m = arith.constant dense<[
    [true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false],
    [true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false],
    [true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false, false, false, true, true, false, true, true, false]]> : tensor<3x37xi1>
  %n = arith.constant dense<0xFF800000> : tensor<3x37xf32>
  %r = arith.select %m, %n, %x : tensor<3x37xi1>, tensor<3x37xf32>
  return %r : tensor<3x37xf32>
}
