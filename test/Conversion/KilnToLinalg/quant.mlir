// RUN: kiln-opt %s --split-input-file --convert-kiln-to-linalg | FileCheck %s

// Blocked MX dequantize: the scale is read at (d0, d1 floordiv 32); FP4 and
// E8M0 are expanded with integer ops (no arith.extf on the narrow types).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[BLK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 32)>
// CHECK-LABEL: func.func @mx_dequantize
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BLK]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<7x45xf4E2M1FN>, tensor<7x2xf8E8M0FNU>)
// CHECK: ^bb0(%[[Q:.*]]: f4E2M1FN, %[[S:.*]]: f8E8M0FNU, %{{.*}}: f32):
// CHECK-DAG: arith.bitcast %[[S]] : f8E8M0FNU to i8
// CHECK-DAG: arith.bitcast %[[Q]] : f4E2M1FN to i4
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.mulf
// CHECK: linalg.yield %{{.*}} : f32
// CHECK-NOT: arith.extf
// CHECK-NOT: kiln.dequantize
func.func @mx_dequantize(%q: tensor<7x45xf4E2M1FN>, %s: tensor<7x2xf8E8M0FNU>, %y0: tensor<7x45xf32>) -> tensor<7x45xf32> {
  %y = kiln.dequantize %q scale(%s : tensor<7x2xf8E8M0FNU>) : tensor<7x45xf4E2M1FN>
       outs(%y0 : tensor<7x45xf32>) {format = #kiln.qformat<mx, axis = 1, block = 32>} -> tensor<7x45xf32>
  return %y : tensor<7x45xf32>
}

// -----

// FP8 encode: RNE + saturation built on the f32 bits, then a bitcast.
// CHECK-DAG: #[[TEN:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @fp8_quantize
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TEN]], #{{.*}}]
// CHECK: arith.divf
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.minui
// CHECK: %[[B:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK: %[[F:.*]] = arith.bitcast %[[B]] : i8 to f8E4M3FN
// CHECK: linalg.yield %[[F]] : f8E4M3FN
// CHECK-NOT: arith.truncf
func.func @fp8_quantize(%x: tensor<13xf32>, %s: tensor<f32>, %q0: tensor<13xf8E4M3FN>) -> tensor<13xf8E4M3FN> {
  %q = kiln.quantize %x scale(%s : tensor<f32>) : tensor<13xf32>
       outs(%q0 : tensor<13xf8E4M3FN>) {format = #kiln.qformat<float>} -> tensor<13xf8E4M3FN>
  return %q : tensor<13xf8E4M3FN>
}

// -----

// Int per axis with a zero point (same map as the scale), bf16 input:
// round half to even, add zp in i64, clamp to the i4 range.
// CHECK-DAG: #[[AX:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @int4_quantize
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AX]], #[[AX]], #{{.*}}]
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.divf
// CHECK: arith.fptosi %{{.*}} : f32 to i64
// CHECK: arith.addi
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.trunci %{{.*}} : i64 to i4
func.func @int4_quantize(%x: tensor<?x13xbf16>, %s: tensor<13xf32>, %zp: tensor<13xi32>, %q0: tensor<?x13xi4>) -> tensor<?x13xi4> {
  %q = kiln.quantize %x scale(%s : tensor<13xf32>) zero_point(%zp : tensor<13xi32>) : tensor<?x13xbf16>
       outs(%q0 : tensor<?x13xi4>) {format = #kiln.qformat<int, axis = 1>} -> tensor<?x13xi4>
  return %q : tensor<?x13xi4>
}

// -----

// Codebook: a constant 256-entry table, looked up by the unsigned index on
// dequantize and searched (midpoints in f64) on quantize.
// CHECK-LABEL: func.func @codebook
// CHECK: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<256xf32>
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: tensor.extract %[[T]]
// CHECK: arith.cmpf olt
// CHECK: %[[T2:.*]] = arith.constant dense<{{.*}}> : tensor<256xf32>
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.index_cast
// CHECK: tensor.extract %[[T2]]
func.func @codebook(%x: tensor<7x45xf32>, %s: tensor<7x2xf32>, %q0: tensor<7x45xi8>) -> tensor<7x45xf32> {
  %q = kiln.quantize %x scale(%s : tensor<7x2xf32>) : tensor<7x45xf32> outs(%q0 : tensor<7x45xi8>)
       {format = #kiln.qformat<codebook, axis = 1, block = 32, codebook = dynamic_signed>} -> tensor<7x45xi8>
  %y = kiln.dequantize %q scale(%s : tensor<7x2xf32>) : tensor<7x45xi8> outs(%x : tensor<7x45xf32>)
       {format = #kiln.qformat<codebook, axis = 1, block = 32, codebook = dynamic_signed>} -> tensor<7x45xf32>
  return %y : tensor<7x45xf32>
}

// -----

// BFP dequantize: i8 mantissa times the decoded E8M0 exponent, f16 result.
// CHECK-LABEL: func.func @bfp_dequantize
// CHECK: linalg.generic
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.mulf
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @bfp_dequantize(%q: tensor<13x5xi8>, %s: tensor<4x5xf8E8M0FNU>, %y0: tensor<13x5xf16>) -> tensor<13x5xf16> {
  %y = kiln.dequantize %q scale(%s : tensor<4x5xf8E8M0FNU>) : tensor<13x5xi8> outs(%y0 : tensor<13x5xf16>)
       {format = #kiln.qformat<bfp, axis = 0, block = 4, bits = 4>} -> tensor<13x5xf16>
  return %y : tensor<13x5xf16>
}
