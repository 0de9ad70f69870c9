// --compile-to stops after a phase and prints MLIR; the pass-manager options
// of mlir-opt work.
// RUN: kiln-compile %s --compile-to=input | FileCheck %s --check-prefix=INPUT
// RUN: kiln-compile %s --compile-to=loops -O0 | FileCheck %s --check-prefix=LOOPS
// RUN: kiln-compile %s --compile-to=llvm-dialect -O0 | FileCheck %s --check-prefix=LLVMD
// RUN: kiln-compile %s --compile-to=loops -O0 --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PRINT
// RUN: kiln-compile %s --compile-to=loops -O0 --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: not kiln-compile %s --compile-to=loops --emit=obj 2>&1 | FileCheck %s --check-prefix=CONFLICT
// RUN: not kiln-compile %s --compile-to=tiles 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// INPUT: func.func @add(%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: tensor<4xf32> {bufferization.writable = false}) -> tensor<4xf32> attributes {llvm.emit_c_interface}
// INPUT: arith.addf {{.*}} : tensor<4xf32>
// LOOPS: func.func @add(%{{.*}}: memref<4xf32>
// LOOPS: scf.for
// LOOPS-NOT: llvm.func
// LLVMD: llvm.func @_mlir_ciface_add
// LLVMD: llvm.func @kiln_artifact_metadata
// PRINT: IR Dump After
// TIMING: Execution time report
// CONFLICT: kiln-compile: error: --compile-to prints MLIR; it takes no --emit=obj
// UNKNOWN: kiln-compile: error: unknown --compile-to 'tiles' (expected input, loops or llvm-dialect)

func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %r = arith.addf %a, %b : tensor<4xf32>
  return %r : tensor<4xf32>
}
