// Both pipelines start with the attention rewrites ops ask for: a
// `kiln.route_blocks` op is routed (MoBA defaults: 128-token blocks,
// top-8), an unmarked op is left dense.
// RUN: kiln-opt %s --kiln-cpu-pipeline="lower-to-llvm=false" \
// RUN:   --mlir-print-ir-after=kiln-route-blocks 2>&1 | FileCheck %s
// RUN: kiln-opt %s --kiln-reference-pipeline="lower-to-llvm=false" \
// RUN:   --mlir-print-ir-after=kiln-route-blocks 2>&1 | FileCheck %s

// CHECK-LABEL: IR Dump After KilnRouteBlocks
// CHECK-LABEL: func.func @marked
// CHECK:         kiln.block_select {{.*}} {causal, k = 8 : i64, kv_block = 128 : i64, mode = #kiln<select_mode top_k>, q_block = 128 : i64}
// CHECK:         kiln.attention {{.*}} blocks(
// CHECK-LABEL: func.func @unmarked
// CHECK-NOT:     kiln.block_select
func.func @marked(%q: tensor<1x1x512x8xf32>, %o: tensor<1x1x512x8xf32>)
    -> tensor<1x1x512x8xf32> {
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x512x8xf32>,
         tensor<1x1x512x8xf32>, tensor<1x1x512x8xf32>)
       outs(%o : tensor<1x1x512x8xf32>) {causal, kiln.route_blocks}
       -> tensor<1x1x512x8xf32>
  return %r : tensor<1x1x512x8xf32>
}
func.func @unmarked(%q: tensor<1x1x512x8xf32>, %o: tensor<1x1x512x8xf32>)
    -> tensor<1x1x512x8xf32> {
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x512x8xf32>,
         tensor<1x1x512x8xf32>, tensor<1x1x512x8xf32>)
       outs(%o : tensor<1x1x512x8xf32>) {causal} -> tensor<1x1x512x8xf32>
  return %r : tensor<1x1x512x8xf32>
}
