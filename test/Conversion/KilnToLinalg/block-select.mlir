// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg --verify-diagnostics | FileCheck %s

// MoBA top-k, odd key length: 200 keys in blocks of 64 are zero-padded to 256
// and pooled as [B, H, group, nK, 64, D] over the valid count; the selection
// ranks candidates with a 5-loop (b, h, I, J, J2) reduction; the outs are
// zero-filled and written by reductions. No softmax.
// CHECK-LABEL: func.func @top_k_odd
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x200x8xf32>, %[[K:.*]]: tensor<1x2x200x8xf32>, %[[I0:.*]]: tensor<1x2x4x2xi32>, %[[C0:.*]]: tensor<1x2x4xi32>)
// CHECK: %[[QP:.*]] = tensor.pad %[[Q]] low[0, 0, 0, 0] high[0, 0, 56, 0]
// CHECK: tensor.expand_shape %[[QP]] {{\[\[}}0], [1, 2], [3, 4], [5]] output_shape [1, 2, 1, 4, 64, 8]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.divf
// CHECK: %[[KP:.*]] = tensor.pad %[[K]] low[0, 0, 0, 0] high[0, 0, 56, 0]
// CHECK: tensor.expand_shape %[[KP]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x4x4xf32>)
// CHECK: arith.cmpf uno
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x4x4xi32>)
// CHECK: arith.cmpf ogt
// CHECK: %[[CNT_INIT:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%[[C0]] : tensor<1x2x4xi32>)
// CHECK: %[[CNT:.*]] = linalg.generic {{.*}} outs(%[[CNT_INIT]] : tensor<1x2x4xi32>)
// CHECK: %[[IDX_INIT:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%[[I0]] : tensor<1x2x4x2xi32>)
// CHECK: %[[IDX:.*]] = linalg.generic {{.*}} outs(%[[IDX_INIT]] : tensor<1x2x4x2xi32>)
// CHECK: return %[[IDX]], %[[CNT]]
// CHECK-NOT: math.exp
// CHECK-NOT: kiln.block_select
func.func @top_k_odd(%q: tensor<1x2x200x8xf32>, %k: tensor<1x2x200x8xf32>,
    %i0: tensor<1x2x4x2xi32>, %c0: tensor<1x2x4xi32>)
    -> (tensor<1x2x4x2xi32>, tensor<1x2x4xi32>) {
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x2x200x8xf32>,
      tensor<1x2x200x8xf32>) outs(%i0, %c0 : tensor<1x2x4x2xi32>,
      tensor<1x2x4xi32>) {mode = #kiln<select_mode top_k>, k = 2,
      q_block = 64, kv_block = 64, causal}
      -> tensor<1x2x4x2xi32>, tensor<1x2x4xi32>
  return %r#0, %r#1 : tensor<1x2x4x2xi32>, tensor<1x2x4xi32>
}

// -----

// PBS threshold, per KV head under GQA (8 query heads over 2 KV heads): the
// query pool groups 4 heads; the sink is the first key with position 0 (an
// i64 min-reduction over k_positions); the block softmax uses math.exp and
// the "mass before" comparison is unordered-or-less-than.
// CHECK-LABEL: func.func @threshold_gqa_positions
// CHECK-SAME: %[[P:[a-z0-9]+]]: tensor<1x2x128xi32>
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 2, 4, 4, 32, 16] : tensor<1x8x128x16xbf16> into tensor<1x2x4x4x32x16xbf16>
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[P]] : tensor<1x2x128xi32>) outs(%{{.*}} : tensor<1x2xi64>)
// CHECK: arith.minsi
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.cmpf ult
// CHECK: return
func.func @threshold_gqa_positions(%q: tensor<1x8x128x16xbf16>,
    %k: tensor<1x2x128x16xbf16>, %p: tensor<1x2x128xi32>,
    %i0: tensor<1x2x4x4xi32>, %c0: tensor<1x2x4xi32>)
    -> (tensor<1x2x4x4xi32>, tensor<1x2x4xi32>) {
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x8x128x16xbf16>,
      tensor<1x2x128x16xbf16>) positions(%p : tensor<1x2x128xi32>)
      outs(%i0, %c0 : tensor<1x2x4x4xi32>, tensor<1x2x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32,
       q_block = 32, kv_block = 32, segment = 64, causal, sink}
      -> tensor<1x2x4x4xi32>, tensor<1x2x4xi32>
  return %r#0, %r#1 : tensor<1x2x4x4xi32>, tensor<1x2x4xi32>
}

// -----

// Threshold 1 keeps every candidate: no softmax is built.
// CHECK-LABEL: func.func @threshold_all
// CHECK-NOT: math.exp
// CHECK: return
func.func @threshold_all(%q: tensor<1x1x64x8xf32>, %k: tensor<1x1x64x8xf32>,
    %i0: tensor<1x1x4x4xi32>, %c0: tensor<1x1x4xi32>)
    -> (tensor<1x1x4x4xi32>, tensor<1x1x4xi32>) {
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x1x64x8xf32>,
      tensor<1x1x64x8xf32>) outs(%i0, %c0 : tensor<1x1x4x4xi32>,
      tensor<1x1x4xi32>) {mode = #kiln<select_mode threshold>,
      threshold = 1.0 : f32, q_block = 16, kv_block = 16, segment = 32, causal}
      -> tensor<1x1x4x4xi32>, tensor<1x1x4xi32>
  return %r#0, %r#1 : tensor<1x1x4x4xi32>, tensor<1x1x4xi32>
}

// -----

// Dynamic batch and sequence dims: lengths from tensor.dim, a dynamic pad and
// a dynamic expand_shape.
// CHECK-LABEL: func.func @top_k_dynamic
// CHECK: tensor.dim %{{.*}}, %c0
// CHECK: %[[SQ:.*]] = tensor.dim %{{.*}}, %c2
// CHECK: %[[S1:.*]] = arith.addi %[[SQ]]
// CHECK: %[[NQ:.*]] = arith.divui %[[S1]]
// CHECK: tensor.pad %{{.*}} high[0, 0, %{{.*}}, 0]
// CHECK: tensor.expand_shape {{.*}} output_shape [%{{.*}}, 4, 1, %[[NQ]], 16, 8] : tensor<?x4x?x8xf16> into tensor<?x4x1x?x16x8xf16>
// CHECK: return
func.func @top_k_dynamic(%q: tensor<?x4x?x8xf16>, %k: tensor<?x2x?x8xf16>,
    %i0: tensor<?x4x?x2xi32>, %c0: tensor<?x4x?xi32>)
    -> (tensor<?x4x?x2xi32>, tensor<?x4x?xi32>) {
  %r:2 = kiln.block_select ins(%q, %k : tensor<?x4x?x8xf16>,
      tensor<?x2x?x8xf16>) outs(%i0, %c0 : tensor<?x4x?x2xi32>,
      tensor<?x4x?xi32>) {mode = #kiln<select_mode top_k>, k = 1,
      q_block = 16, kv_block = 16, causal}
      -> tensor<?x4x?x2xi32>, tensor<?x4x?xi32>
  return %r#0, %r#1 : tensor<?x4x?x2xi32>, tensor<?x4x?xi32>
}

// -----

// Threshold mode with a dynamic key length cannot be lowered: the capacity
// cannot be proven to hold all KV blocks.
func.func @threshold_dynamic_keys(%q: tensor<1x1x?x8xf32>,
    %k: tensor<1x1x?x8xf32>, %i0: tensor<1x1x?x4xi32>, %c0: tensor<1x1x?xi32>)
    -> (tensor<1x1x?x4xi32>, tensor<1x1x?xi32>) {
  // expected-error @+2 {{reference lowering: mode threshold needs a static key length}}
  // expected-error @+1 {{failed to legalize operation 'kiln.block_select'}}
  %r:2 = kiln.block_select ins(%q, %k : tensor<1x1x?x8xf32>,
      tensor<1x1x?x8xf32>) outs(%i0, %c0 : tensor<1x1x?x4xi32>,
      tensor<1x1x?xi32>) {mode = #kiln<select_mode threshold>,
      threshold = 0.9 : f32, q_block = 16, kv_block = 16, causal}
      -> tensor<1x1x?x4xi32>, tensor<1x1x?xi32>
  return %r#0, %r#1 : tensor<1x1x?x4xi32>, tensor<1x1x?xi32>
}
