// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Every op of the attention family and every optional operand and attribute
// form survives print and parse.

// CHECK-LABEL: func.func @dense
// CHECK: kiln.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x8x16x32xf32>, tensor<1x2x16x32xf32>, tensor<1x2x16x24xf32>) outs(%{{.*}} : tensor<1x8x16x24xf32>) -> tensor<1x8x16x24xf32>
func.func @dense(%q: tensor<1x8x16x32xf32>, %k: tensor<1x2x16x32xf32>,
                 %v: tensor<1x2x16x24xf32>, %o: tensor<1x8x16x24xf32>)
    -> tensor<1x8x16x24xf32> {
  %r = kiln.attention ins(%q, %k, %v : tensor<1x8x16x32xf32>,
         tensor<1x2x16x32xf32>, tensor<1x2x16x24xf32>)
       outs(%o : tensor<1x8x16x24xf32>) -> tensor<1x8x16x24xf32>
  return %r : tensor<1x8x16x24xf32>
}

// CHECK-LABEL: func.func @causal_window_lse
// CHECK: kiln.attention ins({{.*}}) outs(%{{.*}}, %{{.*}} : tensor<2x4x8x16xbf16>, tensor<2x4x8xf32>)
// CHECK-SAME: causal
// CHECK-SAME: scale = 2.500000e-01 : f32
// CHECK-SAME: window_left = 3 : i64
// CHECK-SAME: window_right = 1 : i64
// CHECK-SAME: -> tensor<2x4x8x16xbf16>, tensor<2x4x8xf32>
func.func @causal_window_lse(%q: tensor<2x4x8x16xbf16>, %k: tensor<2x4x12x16xbf16>,
                             %v: tensor<2x4x12x16xbf16>, %o: tensor<2x4x8x16xbf16>,
                             %l: tensor<2x4x8xf32>)
    -> (tensor<2x4x8x16xbf16>, tensor<2x4x8xf32>) {
  %r:2 = kiln.attention ins(%q, %k, %v : tensor<2x4x8x16xbf16>,
           tensor<2x4x12x16xbf16>, tensor<2x4x12x16xbf16>)
         outs(%o, %l : tensor<2x4x8x16xbf16>, tensor<2x4x8xf32>)
         {causal, scale = 0.25 : f32, window_left = 3, window_right = 1}
         -> tensor<2x4x8x16xbf16>, tensor<2x4x8xf32>
  return %r#0, %r#1 : tensor<2x4x8x16xbf16>, tensor<2x4x8xf32>
}

// CHECK-LABEL: func.func @all_operands
// CHECK: kiln.attention ins({{.*}}) mask(%{{.*}} : tensor<1x1x?x?xf16>) blocks(%{{.*}}, %{{.*}} : tensor<?x2x?x3xi32>, tensor<?x2x?xi32>) positions(%{{.*}}, %{{.*}} : tensor<?x4x?xi32>, tensor<?x2x?xi32>) outs(%{{.*}} : tensor<?x4x?x8xf16>)
// CHECK-SAME: kv_block = 16 : i64
// CHECK-SAME: q_block = 32 : i64
// CHECK-SAME: -> tensor<?x4x?x8xf16>
func.func @all_operands(%q: tensor<?x4x?x8xf16>, %k: tensor<?x2x?x8xf16>,
                        %v: tensor<?x2x?x8xf16>, %m: tensor<1x1x?x?xf16>,
                        %bi: tensor<?x2x?x3xi32>, %bc: tensor<?x2x?xi32>,
                        %qp: tensor<?x4x?xi32>, %kp: tensor<?x2x?xi32>,
                        %o: tensor<?x4x?x8xf16>) -> tensor<?x4x?x8xf16> {
  %r = kiln.attention ins(%q, %k, %v : tensor<?x4x?x8xf16>, tensor<?x2x?x8xf16>,
         tensor<?x2x?x8xf16>)
       mask(%m : tensor<1x1x?x?xf16>)
       blocks(%bi, %bc : tensor<?x2x?x3xi32>, tensor<?x2x?xi32>)
       positions(%qp, %kp : tensor<?x4x?xi32>, tensor<?x2x?xi32>)
       outs(%o : tensor<?x4x?x8xf16>) {causal, q_block = 32, kv_block = 16}
       -> tensor<?x4x?x8xf16>
  return %r : tensor<?x4x?x8xf16>
}

// CHECK-LABEL: func.func @online
// CHECK: = kiln.online_attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x64x32xf16>, tensor<2x16x32xf16>, tensor<2x16x8xf16>) mask(%{{.*}} : tensor<2x64x16xf32>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>) {scale = 1.250000e-01 : f32} -> tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>
// CHECK: kiln.online_attention ins({{.*}}) outs({{.*}}) {scale = 1.250000e-01 : f32} -> tensor<2x64x8xf32>
func.func @online(%q: tensor<2x64x32xf16>, %k: tensor<2x16x32xf16>,
                  %v: tensor<2x16x8xf16>, %m: tensor<2x64x16xf32>,
                  %acc: tensor<2x64x8xf32>, %mx: tensor<2x64xf32>,
                  %l: tensor<2x64xf32>) -> tensor<2x64x8xf32> {
  %a:3 = kiln.online_attention ins(%q, %k, %v : tensor<2x64x32xf16>,
           tensor<2x16x32xf16>, tensor<2x16x8xf16>)
         mask(%m : tensor<2x64x16xf32>)
         outs(%acc, %mx, %l : tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>)
         {scale = 0.125 : f32} -> tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>
  %b:3 = kiln.online_attention ins(%q, %k, %v : tensor<2x64x32xf16>,
           tensor<2x16x32xf16>, tensor<2x16x8xf16>)
         outs(%a#0, %a#1, %a#2 : tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>)
         {scale = 0.125 : f32} -> tensor<2x64x8xf32>, tensor<2x64xf32>, tensor<2x64xf32>
  return %b#0 : tensor<2x64x8xf32>
}

// CHECK-LABEL: func.func @merge
// CHECK: kiln.attention_merge ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x?x32xf32>, tensor<1x4x?x32xbf16>, tensor<1x4x?x32xf32>) lse(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x?xf32>, tensor<1x4x?xf32>, tensor<1x4x?xf32>) outs(%{{.*}}, %{{.*}} : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>) -> tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
func.func @merge(%o0: tensor<1x4x?x32xf32>, %o1: tensor<1x4x?x32xbf16>,
                 %o2: tensor<1x4x?x32xf32>, %l0: tensor<1x4x?xf32>,
                 %l1: tensor<1x4x?xf32>, %l2: tensor<1x4x?xf32>,
                 %oi: tensor<1x4x?x32xf16>, %li: tensor<1x4x?xf32>)
    -> (tensor<1x4x?x32xf16>, tensor<1x4x?xf32>) {
  %o, %l = kiln.attention_merge
      ins(%o0, %o1, %o2 : tensor<1x4x?x32xf32>, tensor<1x4x?x32xbf16>, tensor<1x4x?x32xf32>)
      lse(%l0, %l1, %l2 : tensor<1x4x?xf32>, tensor<1x4x?xf32>, tensor<1x4x?xf32>)
      outs(%oi, %li : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>)
      -> tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
  return %o, %l : tensor<1x4x?x32xf16>, tensor<1x4x?xf32>
}

// CHECK-LABEL: func.func @single_merge
// CHECK: kiln.attention_merge ins(%{{.*}} : tensor<1x1x4x2xf32>) lse(%{{.*}} : tensor<1x1x4xf32>)
func.func @single_merge(%o0: tensor<1x1x4x2xf32>, %l0: tensor<1x1x4xf32>)
    -> (tensor<1x1x4x2xf32>, tensor<1x1x4xf32>) {
  %o, %l = kiln.attention_merge ins(%o0 : tensor<1x1x4x2xf32>)
      lse(%l0 : tensor<1x1x4xf32>) outs(%o0, %l0 : tensor<1x1x4x2xf32>, tensor<1x1x4xf32>)
      -> tensor<1x1x4x2xf32>, tensor<1x1x4xf32>
  return %o, %l : tensor<1x1x4x2xf32>, tensor<1x1x4xf32>
}

// CHECK-LABEL: func.func @permute
// CHECK: kiln.permute %{{.*}} by %{{.*}} : tensor<1x2x256x64xf32>, tensor<1x2x256xi32> outs(%{{.*}} : tensor<1x2x256x64xf32>) -> tensor<1x2x256x64xf32>
// CHECK: kiln.unpermute %{{.*}} by %{{.*}} : tensor<?x2x?x64xbf16>, tensor<?x2x?xi64> outs(%{{.*}} : tensor<?x2x?x64xbf16>) -> tensor<?x2x?x64xbf16>
// CHECK: kiln.permute %{{.*}} by %{{.*}} : tensor<3x2x5xi32>, tensor<3x2x5xi32>
func.func @permute(%k: tensor<1x2x256x64xf32>, %idx: tensor<1x2x256xi32>,
                   %x: tensor<?x2x?x64xbf16>, %idx2: tensor<?x2x?xi64>,
                   %p: tensor<3x2x5xi32>, %ip: tensor<3x2x5xi32>)
    -> (tensor<1x2x256x64xf32>, tensor<?x2x?x64xbf16>, tensor<3x2x5xi32>) {
  %a = kiln.permute %k by %idx : tensor<1x2x256x64xf32>, tensor<1x2x256xi32>
       outs(%k : tensor<1x2x256x64xf32>) -> tensor<1x2x256x64xf32>
  %b = kiln.unpermute %x by %idx2 : tensor<?x2x?x64xbf16>, tensor<?x2x?xi64>
       outs(%x : tensor<?x2x?x64xbf16>) -> tensor<?x2x?x64xbf16>
  %c = kiln.permute %p by %ip : tensor<3x2x5xi32>, tensor<3x2x5xi32>
       outs(%p : tensor<3x2x5xi32>) -> tensor<3x2x5xi32>
  return %a, %b, %c : tensor<1x2x256x64xf32>, tensor<?x2x?x64xbf16>, tensor<3x2x5xi32>
}
