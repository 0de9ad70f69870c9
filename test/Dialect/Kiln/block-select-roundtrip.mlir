// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s

// MoBA top-k, causal, one list per query head (H = Hq = Hkv).
// CHECK-LABEL: func.func @moba_top_k
// CHECK: kiln.block_select ins(%{{.*}}, %{{.*}} : tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x4x4x3xi32>, tensor<1x4x4xi32>)
// CHECK-SAME: causal
// CHECK-SAME: k = 3
// CHECK-SAME: kv_block = 128
// CHECK-SAME: mode = #kiln<select_mode top_k>
// CHECK-SAME: q_block = 128
// CHECK-SAME: -> tensor<1x4x4x3xi32>, tensor<1x4x4xi32>
func.func @moba_top_k(%q: tensor<1x4x512x64xf32>, %k: tensor<1x4x512x64xf32>,
    %i0: tensor<1x4x4x3xi32>, %c0: tensor<1x4x4xi32>)
    -> (tensor<1x4x4x3xi32>, tensor<1x4x4xi32>) {
  %idx, %cnt = kiln.block_select ins(%q, %k : tensor<1x4x512x64xf32>,
      tensor<1x4x512x64xf32>) outs(%i0, %c0 : tensor<1x4x4x3xi32>,
      tensor<1x4x4xi32>) {mode = #kiln<select_mode top_k>, k = 3,
      q_block = 128, kv_block = 128, causal}
      -> tensor<1x4x4x3xi32>, tensor<1x4x4xi32>
  return %idx, %cnt : tensor<1x4x4x3xi32>, tensor<1x4x4xi32>
}

// -----

// PBS threshold with permuted keys, segments, sink and an explicit scale;
// GQA with one list per KV head, bf16 inputs.
// CHECK-LABEL: func.func @pbs_threshold
// CHECK: kiln.block_select ins(%{{.*}}, %{{.*}} : tensor<2x8x256x32xbf16>, tensor<2x2x256x32xbf16>)
// CHECK-SAME: positions(%{{.*}} : tensor<2x2x256xi32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<2x2x4x4xi32>, tensor<2x2x4xi32>)
// CHECK-SAME: mode = #kiln<select_mode threshold>
// CHECK-SAME: scale = 2.500000e-01 : f32
// CHECK-SAME: segment = 128
// CHECK-SAME: sink
// CHECK-SAME: threshold = 0.899999976 : f32
func.func @pbs_threshold(%q: tensor<2x8x256x32xbf16>, %k: tensor<2x2x256x32xbf16>,
    %kpos: tensor<2x2x256xi32>, %i0: tensor<2x2x4x4xi32>, %c0: tensor<2x2x4xi32>)
    -> (tensor<2x2x4x4xi32>, tensor<2x2x4xi32>) {
  %idx, %cnt = kiln.block_select ins(%q, %k : tensor<2x8x256x32xbf16>,
      tensor<2x2x256x32xbf16>) positions(%kpos : tensor<2x2x256xi32>)
      outs(%i0, %c0 : tensor<2x2x4x4xi32>, tensor<2x2x4xi32>)
      {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32,
       q_block = 64, kv_block = 64, segment = 128, causal, sink,
       scale = 0.25 : f32}
      -> tensor<2x2x4x4xi32>, tensor<2x2x4xi32>
  return %idx, %cnt : tensor<2x2x4x4xi32>, tensor<2x2x4xi32>
}

// -----

// Dynamic batch and sequence lengths; per query head under GQA.
// CHECK-LABEL: func.func @dynamic_top_k
// CHECK: kiln.block_select ins(%{{.*}}, %{{.*}} : tensor<?x4x?x16xf16>, tensor<?x2x?x16xf16>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<?x4x?x2xi32>, tensor<?x4x?xi32>)
// CHECK-SAME: -> tensor<?x4x?x2xi32>, tensor<?x4x?xi32>
func.func @dynamic_top_k(%q: tensor<?x4x?x16xf16>, %k: tensor<?x2x?x16xf16>,
    %i0: tensor<?x4x?x2xi32>, %c0: tensor<?x4x?xi32>)
    -> (tensor<?x4x?x2xi32>, tensor<?x4x?xi32>) {
  %idx, %cnt = kiln.block_select ins(%q, %k : tensor<?x4x?x16xf16>,
      tensor<?x2x?x16xf16>) outs(%i0, %c0 : tensor<?x4x?x2xi32>,
      tensor<?x4x?xi32>) {mode = #kiln<select_mode top_k>, k = 1,
      q_block = 32, kv_block = 32}
      -> tensor<?x4x?x2xi32>, tensor<?x4x?xi32>
  return %idx, %cnt : tensor<?x4x?x2xi32>, tensor<?x4x?xi32>
}

// -----

// Threshold 1 with a dynamic query length (the key length is static).
// CHECK-LABEL: func.func @threshold_all
// CHECK: kiln.block_select ins(%{{.*}}, %{{.*}} : tensor<1x2x?x8xf32>, tensor<1x2x200x8xf32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x2x?x4xi32>, tensor<1x2x?xi32>)
// CHECK-SAME: threshold = 1.000000e+00 : f32
func.func @threshold_all(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x200x8xf32>,
    %i0: tensor<1x2x?x4xi32>, %c0: tensor<1x2x?xi32>)
    -> (tensor<1x2x?x4xi32>, tensor<1x2x?xi32>) {
  %idx, %cnt = kiln.block_select ins(%q, %k : tensor<1x2x?x8xf32>,
      tensor<1x2x200x8xf32>) outs(%i0, %c0 : tensor<1x2x?x4xi32>,
      tensor<1x2x?xi32>) {mode = #kiln<select_mode threshold>,
      threshold = 1.0 : f32, q_block = 64, kv_block = 64, causal}
      -> tensor<1x2x?x4xi32>, tensor<1x2x?xi32>
  return %idx, %cnt : tensor<1x2x?x4xi32>, tensor<1x2x?xi32>
}

// -----

// VMoBA's relative threshold, non-causal.
// CHECK-LABEL: func.func @relative
// CHECK: kiln.block_select {{.*}} {kv_block = 32 : i64, mode = #kiln<select_mode relative>, q_block = 32 : i64, threshold = 2.500000e-01 : f32}
func.func @relative(%q: tensor<1x2x128x8xf32>, %k: tensor<1x2x128x8xf32>,
    %i0: tensor<1x2x4x4xi32>, %c0: tensor<1x2x4xi32>)
    -> (tensor<1x2x4x4xi32>, tensor<1x2x4xi32>) {
  %idx, %cnt = kiln.block_select ins(%q, %k : tensor<1x2x128x8xf32>,
      tensor<1x2x128x8xf32>) outs(%i0, %c0 : tensor<1x2x4x4xi32>,
      tensor<1x2x4xi32>) {mode = #kiln<select_mode relative>,
      threshold = 0.25 : f32, q_block = 32, kv_block = 32}
      -> tensor<1x2x4x4xi32>, tensor<1x2x4xi32>
  return %idx, %cnt : tensor<1x2x4x4xi32>, tensor<1x2x4xi32>
}
