// RUN: kiln-opt %s --split-input-file --kiln-import-quant-types | FileCheck %s

// Per-tensor i8: qcast -> kiln.quantize with rank-0 scale and zero point.
// CHECK-LABEL: func.func @per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>) -> tensor<4x3xi8>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<3> : tensor<i32>
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<4x3xi8>
// CHECK: %[[Q:.*]] = kiln.quantize %[[X]] scale(%[[S]] : tensor<f32>) zero_point(%[[Z]] : tensor<i32>) : tensor<4x3xf32> outs(%[[E]] : tensor<4x3xi8>) {format = #kiln.qformat<int>}
// CHECK: return %[[Q]] : tensor<4x3xi8>
// CHECK-NOT: quant.
func.func @per_tensor(%x: tensor<4x3xf32>) -> tensor<4x3x!quant.uniform<i8:f32, 0.5:3>> {
  %q = quant.qcast %x : tensor<4x3xf32> to tensor<4x3x!quant.uniform<i8:f32, 0.5:3>>
  return %q : tensor<4x3x!quant.uniform<i8:f32, 0.5:3>>
}

// -----

// Per-axis with a dynamic batch dim: dcast -> kiln.dequantize, [C] constants.
// CHECK-LABEL: func.func @per_axis
// CHECK-SAME: (%[[Q:.*]]: tensor<?x3xi8>) -> tensor<?x3xf32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[1, -2, 0]> : tensor<3xi32>
// CHECK-DAG: %[[D:.*]] = tensor.dim %[[Q]], %{{.*}} : tensor<?x3xi8>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x3xf32>
// CHECK: kiln.dequantize %[[Q]] scale(%[[S]] : tensor<3xf32>) zero_point(%[[Z]] : tensor<3xi32>) : tensor<?x3xi8> outs(%[[E]] : tensor<?x3xf32>) {format = #kiln.qformat<int, axis = 1>}
func.func @per_axis(%q: tensor<?x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25:-2, 2.0}>>) -> tensor<?x3xf32> {
  %x = quant.dcast %q : tensor<?x3x!quant.uniform<i8:f32:1, {0.5:1, 0.25:-2, 2.0}>> to tensor<?x3xf32>
  return %x : tensor<?x3xf32>
}

// -----

// Zero points that are all 0 give no zero-point operand; i4 storage, f16.
// CHECK-LABEL: func.func @i4_per_axis_symmetric
// CHECK-SAME: (%[[Q:.*]]: tensor<2x5xi4>) -> tensor<2x5xf16>
// CHECK: %[[S:.*]] = arith.constant dense<[1.250000e-01, 5.000000e-01]> : tensor<2xf32>
// CHECK: kiln.dequantize %[[Q]] scale(%[[S]] : tensor<2xf32>) : tensor<2x5xi4> outs(%{{.*}} : tensor<2x5xf16>) {format = #kiln.qformat<int, axis = 0>}
func.func @i4_per_axis_symmetric(%q: tensor<2x5x!quant.uniform<i4:f16:0, {0.125, 0.5}>>) -> tensor<2x5xf16> {
  %x = quant.dcast %q : tensor<2x5x!quant.uniform<i4:f16:0, {0.125, 0.5}>> to tensor<2x5xf16>
  return %x : tensor<2x5xf16>
}

// -----

// u8 full range: stored values shift by -128 (top bit flipped), zero point
// 130 -> 2; scast to the signless storage flips the bit back.
// CHECK-LABEL: func.func @u8_shifted
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<2> : tensor<i32>
// CHECK: %[[Q:.*]] = kiln.quantize %{{.*}} zero_point(%[[Z]] : tensor<i32>) : tensor<4xf32> outs(%{{.*}} : tensor<4xi8>) {format = #kiln.qformat<int>}
// CHECK: %[[M:.*]] = arith.constant -128 : i8
// CHECK: %[[SPLAT:.*]] = tensor.splat %[[M]] : tensor<4xi8>
// CHECK: %[[B:.*]] = arith.xori %[[Q]], %[[SPLAT]] : tensor<4xi8>
// CHECK: return %[[B]] : tensor<4xi8>
func.func @u8_shifted(%x: tensor<4xf32>) -> tensor<4xi8> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8:f32, 0.5:130>>
  %s = quant.scast %q : tensor<4x!quant.uniform<u8:f32, 0.5:130>> to tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// u8 restricted to [0, 127] is representable in i8: bits kept, zero point
// kept, and the lower bound 0 is a clamp after kiln.quantize.
// CHECK-LABEL: func.func @u8_representable
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<100> : tensor<i32>
// CHECK: %[[Q:.*]] = kiln.quantize %{{.*}} zero_point(%[[Z]] : tensor<i32>)
// CHECK: %[[LO:.*]] = arith.constant 0 : i8
// CHECK: %[[SPLAT:.*]] = tensor.splat %[[LO]] : tensor<4xi8>
// CHECK: %[[C:.*]] = arith.maxsi %[[Q]], %[[SPLAT]] : tensor<4xi8>
// CHECK-NOT: arith.xori
// CHECK: return %[[C]] : tensor<4xi8>
func.func @u8_representable(%x: tensor<4xf32>) -> tensor<4xi8> {
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<u8<0:127>:f32, 0.5:100>>
  %s = quant.scast %q : tensor<4x!quant.uniform<u8<0:127>:f32, 0.5:100>> to tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// u4 full range: shift by -8, zero point 8 -> 0 (no operand); the storage
// cast from i4 flips the top bit.
// CHECK-LABEL: func.func @u4_from_storage
// CHECK-SAME: (%[[I:.*]]: tensor<6xi4>) -> tensor<6xf32>
// CHECK: %[[M:.*]] = arith.constant -8 : i4
// CHECK: %[[SPLAT:.*]] = tensor.splat %[[M]] : tensor<6xi4>
// CHECK: %[[B:.*]] = arith.xori %[[I]], %[[SPLAT]] : tensor<6xi4>
// CHECK: %[[S:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK: kiln.dequantize %[[B]] scale(%[[S]] : tensor<f32>) : tensor<6xi4>
func.func @u4_from_storage(%i: tensor<6xi4>) -> tensor<6xf32> {
  %q = quant.scast %i : tensor<6xi4> to tensor<6x!quant.uniform<u4:f32, 0.25:8>>
  %x = quant.dcast %q : tensor<6x!quant.uniform<u4:f32, 0.25:8>> to tensor<6xf32>
  return %x : tensor<6xf32>
}

// -----

// Narrow signed range i8<-127:127> with a dynamic dim: kiln.quantize, then
// maxsi with -127 (the upper bound 127 is the storage maximum).
// CHECK-LABEL: func.func @narrow_i8
// CHECK: %[[Q:.*]] = kiln.quantize
// CHECK: %[[LO:.*]] = arith.constant -127 : i8
// CHECK: %[[D:.*]] = tensor.dim %[[Q]], %{{.*}} : tensor<?xi8>
// CHECK: %[[SPLAT:.*]] = tensor.splat %[[LO]][%[[D]]] : tensor<?xi8>
// CHECK: arith.maxsi %[[Q]], %[[SPLAT]] : tensor<?xi8>
// CHECK-NOT: arith.minsi
func.func @narrow_i8(%x: tensor<?xf32>) -> tensor<?x!quant.uniform<i8<-127:127>:f32, 0.5>> {
  %q = quant.qcast %x : tensor<?xf32> to tensor<?x!quant.uniform<i8<-127:127>:f32, 0.5>>
  return %q : tensor<?x!quant.uniform<i8<-127:127>:f32, 0.5>>
}

// -----

// Storage casts between signed storage and quantized types disappear;
// signatures, calls and declarations take the storage type.
// CHECK-LABEL: func.func private @weights() -> tensor<3x4xi8>
// CHECK-LABEL: func.func @calls
// CHECK-SAME: (%[[I:.*]]: tensor<3x4xi8>) -> (tensor<3x4xi8>, tensor<3x4xf32>)
// CHECK: %[[W:.*]] = call @weights() : () -> tensor<3x4xi8>
// CHECK: %[[X:.*]] = kiln.dequantize %[[W]]
// CHECK-NOT: quant.
// CHECK: return %[[I]], %[[X]] : tensor<3x4xi8>, tensor<3x4xf32>
func.func private @weights() -> tensor<3x4x!quant.uniform<i8:f32:1, {1.0, 2.0, 3.0, 4.0}>>
func.func @calls(%i: tensor<3x4xi8>) -> (tensor<3x4x!quant.uniform<i8:f32:1, {1.0, 2.0, 3.0, 4.0}>>, tensor<3x4xf32>) {
  %q = quant.scast %i : tensor<3x4xi8> to tensor<3x4x!quant.uniform<i8:f32:1, {1.0, 2.0, 3.0, 4.0}>>
  %w = call @weights() : () -> tensor<3x4x!quant.uniform<i8:f32:1, {1.0, 2.0, 3.0, 4.0}>>
  %x = quant.dcast %w : tensor<3x4x!quant.uniform<i8:f32:1, {1.0, 2.0, 3.0, 4.0}>> to tensor<3x4xf32>
  return %q, %x : tensor<3x4x!quant.uniform<i8:f32:1, {1.0, 2.0, 3.0, 4.0}>>, tensor<3x4xf32>
}

// -----

// Functions without quantized types are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK-NEXT: return %{{.*}} : tensor<2xf32>
func.func @untouched(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// A quantize-dequantize pair keeps its rounding: upstream's dcast(qcast(x))
// folder is not applied.
// CHECK-LABEL: func.func @fake_quant
// CHECK: %[[Q:.*]] = kiln.quantize %{{.*}} {format = #kiln.qformat<int>}
// CHECK: %[[D:.*]] = kiln.dequantize %[[Q]]
// CHECK: return %[[D]]
func.func @fake_quant(%x: tensor<8xf32>) -> tensor<8xf32> {
  %q = quant.qcast %x : tensor<8xf32> to tensor<8x!quant.uniform<i8:f32, 0.1>>
  %d = quant.dcast %q : tensor<8x!quant.uniform<i8:f32, 0.1>> to tensor<8xf32>
  return %d : tensor<8xf32>
}
