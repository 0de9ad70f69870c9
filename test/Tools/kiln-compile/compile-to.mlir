// --compile-to stops after a phase and prints MLIR; the pass-manager options
// of mlir-opt work.
// RUN: kiln-compile %s --compile-to=input | FileCheck %s --check-prefix=INPUT
// RUN: kiln-compile %s --compile-to=graph | FileCheck %s --check-prefix=GRAPH
// RUN: kiln-compile %s --compile-to=graph --graph-fusion=false | FileCheck %s --check-prefix=NOFUSE
// kiln-cpu-pipeline's option itself: the graph passes run, or do not.
// RUN: kiln-opt %s --kiln-cpu-pipeline="lower-to-llvm=false" --mlir-print-ir-after=kiln-fuse-attention 2>&1 | FileCheck %s --check-prefix=PIPE-FUSE
// RUN: kiln-opt %s --kiln-cpu-pipeline="graph-fusion=false lower-to-llvm=false" --mlir-print-ir-after=kiln-fuse-attention --mlir-print-ir-after=kiln-fold-conv-bn 2>&1 | FileCheck %s --check-prefix=PIPE-NOFUSE
// RUN: kiln-compile %s --compile-to=loops -O0 | FileCheck %s --check-prefix=LOOPS
// RUN: kiln-compile %s --compile-to=llvm-dialect -O0 | FileCheck %s --check-prefix=LLVMD
// RUN: kiln-compile %s --compile-to=loops -O0 --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=PRINT
// RUN: kiln-compile %s --compile-to=loops -O0 --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: not kiln-compile %s --compile-to=loops --emit=obj 2>&1 | FileCheck %s --check-prefix=CONFLICT
// RUN: not kiln-compile %s --compile-to=tiles 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// INPUT: func.func @add(%{{.*}}: tensor<4xf32> {bufferization.writable = false}, %{{.*}}: tensor<4xf32> {bufferization.writable = false}) -> tensor<4xf32> attributes {llvm.emit_c_interface}
// INPUT: arith.addf {{.*}} : tensor<4xf32>
// GRAPH: func.func @add
// GRAPH: arith.addf {{.*}} : tensor<4xf32>
// GRAPH: func.func @attn
// GRAPH: kiln.attention {{.*}} {causal, scale = 1.250000e-01 : f32}
// PIPE-FUSE: IR Dump After KilnFuseAttention
// PIPE-FUSE: kiln.attention
// PIPE-NOFUSE-NOT: IR Dump After KilnFuseAttention
// PIPE-NOFUSE-NOT: IR Dump After KilnFoldConvBN
// PIPE-NOFUSE: func.func @attn
// NOFUSE-LABEL: func.func @attn
// NOFUSE-NOT: kiln.attention
// NOFUSE: kiln.softmax
// LOOPS: func.func @add(%{{.*}}: memref<4xf32>
// LOOPS: scf.for
// LOOPS-NOT: llvm.func
// LLVMD: llvm.func @_mlir_ciface_add
// LLVMD: llvm.func @kiln_artifact_metadata
// PRINT: IR Dump After
// TIMING: Execution time report
// CONFLICT: kiln-compile: error: --compile-to prints MLIR; it takes no --emit=obj
// UNKNOWN: kiln-compile: error: unknown --compile-to 'tiles' (expected input, graph, loops or llvm-dialect)

func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %r = arith.addf %a, %b : tensor<4xf32>
  return %r : tensor<4xf32>
}

// --compile-to=graph runs only the graph rewrites: this decomposed causal
// attention becomes kiln.attention, still on tensors.
func.func @attn(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %s = kiln.matmul ins(%q, %k : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
       outs(%e : tensor<1x2x4x4xf32>) {transpose_b} -> tensor<1x2x4x4xf32>
  %c = arith.constant dense<0.125> : tensor<1x2x4x4xf32>
  %t = arith.mulf %s, %c : tensor<1x2x4x4xf32>
  %m = arith.constant dense<[[0.0, -3.4e38, -3.4e38, -3.4e38], [0.0, 0.0, -3.4e38, -3.4e38],
                             [0.0, 0.0, 0.0, -3.4e38], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %eb = tensor.empty() : tensor<1x2x4x4xf32>
  %mb = linalg.broadcast ins(%m : tensor<4x4xf32>) outs(%eb : tensor<1x2x4x4xf32>) dimensions = [0, 1]
  %u = arith.addf %t, %mb : tensor<1x2x4x4xf32>
  %p0 = tensor.empty() : tensor<1x2x4x4xf32>
  %p = kiln.softmax %u : tensor<1x2x4x4xf32> outs(%p0 : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %o0 = tensor.empty() : tensor<1x2x4x8xf32>
  %o = kiln.matmul ins(%p, %v : tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>)
       outs(%o0 : tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
