// !quant.uniform values inside a function go through both pipelines
// (kiln-import-quant-types runs first in each); they failed to bufferize.
// RUN: rm -rf %t && mkdir -p %t
// RUN: kiln-opt %s --kiln-cpu-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: kiln-opt %s --kiln-reference-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: %python -c "import numpy as np; x = np.array([0.2, 0.25, -0.75, 1.3, 100.0, -100.0, 0.0, 2.74], np.float32); np.save('%t/x.npy', x); np.save('%t/y.npy', (np.clip(np.round(x / np.float32(0.5)), -128, 127) * 0.5).astype(np.float32))"
// RUN: kiln-run %s --input %t/x.npy --check %t/y.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=EXEC
// RUN: kiln-run %s -O0 --input %t/x.npy --check %t/y.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=EXEC

// LLVM-LABEL: llvm.func @qdq
// LLVM-NOT: quant.
// EXEC: check output 0: max abs error 0{{.*}}: ok

func.func @qdq(%x: tensor<8xf32>) -> tensor<8xf32> {
  %q = quant.qcast %x : tensor<8xf32> to tensor<8x!quant.uniform<i8:f32, 0.5>>
  %d = quant.dcast %q : tensor<8x!quant.uniform<i8:f32, 0.5>> to tensor<8xf32>
  return %d : tensor<8xf32>
}
