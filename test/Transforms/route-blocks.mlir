// kiln-route-blocks (MoBA): marked causal attention becomes block_select
// {top_k} + block-sparse causal attention; unmarked ops stay dense unless
// `all`; `min-seq-len` keeps short sequences dense.
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-route-blocks="block-size=64 top-k=3" | FileCheck %s
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-route-blocks="block-size=64 top-k=3 all=true" \
// RUN:   | FileCheck %s --check-prefix=ALL
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-route-blocks="block-size=64 min-seq-len=2048" \
// RUN:   | FileCheck %s --check-prefix=MIN
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-route-blocks="block-size=64 top-k=3 split-self=true" \
// RUN:   | FileCheck %s --check-prefix=SPLIT

// split-self: own blocks (a list of at most 2) and the routed history
// (counts minus the own blocks) as two attentions with LSE, merged.
// SPLIT-LABEL: func.func @marked
// SPLIT:         %[[SEL:.*]]:2 = kiln.block_select
// SPLIT:         %[[HIST:.*]] = linalg.generic {{.*}} ins(%[[SEL]]#1 : tensor<1x4x16xi32>)
// SPLIT:           arith.maxsi
// SPLIT:         %[[OWN:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x16x2xi32>)
// SPLIT:         %[[OWNC:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x16xi32>)
// SPLIT:         %[[A:.*]]:2 = kiln.attention {{.*}} blocks(%[[OWN]], %[[OWNC]] : {{.*}}) outs({{.*}} : tensor<1x4x1000x32xf32>, tensor<1x4x1000xf32>) {causal
// SPLIT:         %[[B:.*]]:2 = kiln.attention {{.*}} blocks(%[[SEL]]#0, %[[HIST]] : {{.*}}) outs({{.*}} : tensor<1x4x1000x32xf32>, tensor<1x4x1000xf32>) {causal
// SPLIT:         %[[M:.*]]:2 = kiln.attention_merge ins(%[[A]]#0, %[[B]]#0 : {{.*}}) lse(%[[A]]#1, %[[B]]#1 : {{.*}})
// SPLIT:         return %[[M]]#0

// CHECK-LABEL: func.func @marked
// CHECK-SAME:    (%[[Q:.*]]: tensor<1x4x1000x32xf32>, %[[K:.*]]: tensor<1x2x1000x32xf32>, %[[V:[^:]*]]: tensor<1x2x1000x32xf32>
// CHECK:         %[[I0:.*]] = tensor.empty() : tensor<1x4x16x3xi32>
// CHECK:         %[[C0:.*]] = tensor.empty() : tensor<1x4x16xi32>
// CHECK:         %[[SEL:.*]]:2 = kiln.block_select ins(%[[Q]], %[[K]] : {{.*}}) outs(%[[I0]], %[[C0]] : {{.*}}) {causal, k = 3 : i64, kv_block = 64 : i64, mode = #kiln<select_mode top_k>, q_block = 64 : i64, scale = 2.500000e-01 : f32}
// CHECK:         kiln.attention ins(%[[Q]], %[[K]], %[[V]] : {{.*}}) blocks(%[[SEL]]#0, %[[SEL]]#1 : tensor<1x4x16x3xi32>, tensor<1x4x16xi32>) {{.*}} {causal, kv_block = 64 : i64, q_block = 64 : i64, scale = 2.500000e-01 : f32}
// CHECK-NOT:     kiln.route_blocks
// MIN-LABEL: func.func @marked
// MIN-NOT:     kiln.block_select
func.func @marked(%q: tensor<1x4x1000x32xf32>, %k: tensor<1x2x1000x32xf32>,
                  %v: tensor<1x2x1000x32xf32>, %o: tensor<1x4x1000x32xf32>)
    -> tensor<1x4x1000x32xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x4x1000x32xf32>,
         tensor<1x2x1000x32xf32>, tensor<1x2x1000x32xf32>)
       outs(%o : tensor<1x4x1000x32xf32>)
       {causal, scale = 0.25 : f32, kiln.route_blocks}
       -> tensor<1x4x1000x32xf32>
  return %r : tensor<1x4x1000x32xf32>
}

// -----

// Unmarked: dense unless all=true. Dynamic batch and length: the list
// capacity is max(k, 2) and nQ = ceil(Sq / 64) at run time.
// CHECK-LABEL: func.func @unmarked_dynamic
// CHECK-NOT:     kiln.block_select
// ALL-LABEL: func.func @unmarked_dynamic
// ALL:         %[[NQ:.*]] = arith.ceildivui %{{.*}}, %c64
// ALL:         tensor.empty(%{{.*}}, %[[NQ]]) : tensor<?x2x?x3xi32>
// ALL:         kiln.block_select
// ALL:         kiln.attention {{.*}} blocks(
func.func @unmarked_dynamic(%q: tensor<?x2x?x16xf32>, %k: tensor<?x2x?x16xf32>,
                            %v: tensor<?x2x?x16xf32>, %o: tensor<?x2x?x16xf32>)
    -> tensor<?x2x?x16xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<?x2x?x16xf32>,
         tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>)
       outs(%o : tensor<?x2x?x16xf32>) {causal} -> tensor<?x2x?x16xf32>
  return %r : tensor<?x2x?x16xf32>
}

// -----

// Non-causal: VMoBA's relative threshold (capacity: every key block), then
// non-causal block-sparse attention.
// CHECK-LABEL: func.func @vmoba
// SPLIT-LABEL: func.func @vmoba
// SPLIT-NOT:     kiln.attention_merge
// CHECK:         %[[SEL:.*]]:2 = kiln.block_select {{.*}} outs({{.*}} : tensor<1x2x4x4xi32>, tensor<1x2x4xi32>) {kv_block = 64 : i64, mode = #kiln<select_mode relative>, q_block = 64 : i64, threshold = 2.500000e-01 : f32}
// CHECK:         kiln.attention {{.*}} blocks(%[[SEL]]#0, %[[SEL]]#1 : {{.*}}) {{.*}} {kv_block = 64 : i64, q_block = 64 : i64}
func.func @vmoba(%q: tensor<1x2x256x8xf32>, %o: tensor<1x2x256x8xf32>)
    -> tensor<1x2x256x8xf32> {
  %r = kiln.attention ins(%q, %q, %q : tensor<1x2x256x8xf32>,
         tensor<1x2x256x8xf32>, tensor<1x2x256x8xf32>)
       outs(%o : tensor<1x2x256x8xf32>) {kiln.route_blocks}
       -> tensor<1x2x256x8xf32>
  return %r : tensor<1x2x256x8xf32>
}

// -----

// With all=true an op with a window stays dense (no error).
// ALL-LABEL: func.func @all_skips_window
// ALL-NOT:     kiln.block_select
func.func @all_skips_window(%q: tensor<1x1x64x8xf32>,
                            %o: tensor<1x1x64x8xf32>)
    -> tensor<1x1x64x8xf32> {
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x64x8xf32>,
         tensor<1x1x64x8xf32>, tensor<1x1x64x8xf32>)
       outs(%o : tensor<1x1x64x8xf32>) {causal, window_left = 4}
       -> tensor<1x1x64x8xf32>
  return %r : tensor<1x1x64x8xf32>
}
