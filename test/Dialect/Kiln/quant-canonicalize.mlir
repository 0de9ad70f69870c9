// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s

// quantize(dequantize(q, s, zp), s, zp) folds to q only for the int format
// with a constant, all-normal scale (and constant small zero points).

// CHECK-LABEL: func.func @fold_per_axis
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: tensor<3x5xi8>
// CHECK-NOT: kiln.quantize
// CHECK-NOT: kiln.dequantize
// CHECK: return %[[Q]]
func.func @fold_per_axis(%q: tensor<3x5xi8>, %y0: tensor<3x5xf32>, %q0: tensor<3x5xi8>) -> tensor<3x5xi8> {
  %s = arith.constant dense<[0.5, 0.1, 3.0e+10]> : tensor<3xf32>
  %zp = arith.constant dense<[0, -7, 1000]> : tensor<3xi32>
  %y = kiln.dequantize %q scale(%s : tensor<3xf32>) zero_point(%zp : tensor<3xi32>) : tensor<3x5xi8>
       outs(%y0 : tensor<3x5xf32>) {format = #kiln.qformat<int, axis = 0>} -> tensor<3x5xf32>
  %r = kiln.quantize %y scale(%s : tensor<3xf32>) zero_point(%zp : tensor<3xi32>) : tensor<3x5xf32>
       outs(%q0 : tensor<3x5xi8>) {format = #kiln.qformat<int, axis = 0>} -> tensor<3x5xi8>
  return %r : tensor<3x5xi8>
}

// -----

// CHECK-LABEL: func.func @fold_per_tensor_i4
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: tensor<7xi4>
// CHECK: return %[[Q]]
func.func @fold_per_tensor_i4(%q: tensor<7xi4>, %y0: tensor<7xf32>, %q0: tensor<7xi4>) -> tensor<7xi4> {
  %s = arith.constant dense<-0.037> : tensor<f32>
  %y = kiln.dequantize %q scale(%s : tensor<f32>) : tensor<7xi4>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<int>} -> tensor<7xf32>
  %r = kiln.quantize %y scale(%s : tensor<f32>) : tensor<7xf32>
       outs(%q0 : tensor<7xi4>) {format = #kiln.qformat<int>} -> tensor<7xi4>
  return %r : tensor<7xi4>
}

// -----

// Scale not a constant: no fold.
// CHECK-LABEL: func.func @no_fold_dynamic_scale
// CHECK: kiln.dequantize
// CHECK: %[[R:.*]] = kiln.quantize
// CHECK: return %[[R]]
func.func @no_fold_dynamic_scale(%q: tensor<7xi8>, %s: tensor<f32>, %y0: tensor<7xf32>, %q0: tensor<7xi8>) -> tensor<7xi8> {
  %y = kiln.dequantize %q scale(%s : tensor<f32>) : tensor<7xi8>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<int>} -> tensor<7xf32>
  %r = kiln.quantize %y scale(%s : tensor<f32>) : tensor<7xf32>
       outs(%q0 : tensor<7xi8>) {format = #kiln.qformat<int>} -> tensor<7xi8>
  return %r : tensor<7xi8>
}

// -----

// A zero scale (dequantize gives 0, quantize gives zp): no fold.
// CHECK-LABEL: func.func @no_fold_zero_scale
// CHECK: %[[R:.*]] = kiln.quantize
// CHECK: return %[[R]]
func.func @no_fold_zero_scale(%q: tensor<2x7xi8>, %y0: tensor<2x7xf32>, %q0: tensor<2x7xi8>) -> tensor<2x7xi8> {
  %s = arith.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %y = kiln.dequantize %q scale(%s : tensor<2xf32>) : tensor<2x7xi8>
       outs(%y0 : tensor<2x7xf32>) {format = #kiln.qformat<int, axis = 0>} -> tensor<2x7xf32>
  %r = kiln.quantize %y scale(%s : tensor<2xf32>) : tensor<2x7xf32>
       outs(%q0 : tensor<2x7xi8>) {format = #kiln.qformat<int, axis = 0>} -> tensor<2x7xi8>
  return %r : tensor<2x7xi8>
}

// -----

// A subnormal scale: no fold.
// CHECK-LABEL: func.func @no_fold_subnormal_scale
// CHECK: %[[R:.*]] = kiln.quantize
// CHECK: return %[[R]]
func.func @no_fold_subnormal_scale(%q: tensor<7xi8>, %y0: tensor<7xf32>, %q0: tensor<7xi8>) -> tensor<7xi8> {
  %s = arith.constant dense<1.0e-40> : tensor<f32>
  %y = kiln.dequantize %q scale(%s : tensor<f32>) : tensor<7xi8>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<int>} -> tensor<7xf32>
  %r = kiln.quantize %y scale(%s : tensor<f32>) : tensor<7xf32>
       outs(%q0 : tensor<7xi8>) {format = #kiln.qformat<int>} -> tensor<7xi8>
  return %r : tensor<7xi8>
}

// -----

// Through an f16 intermediate (rounded): no fold.
// CHECK-LABEL: func.func @no_fold_f16
// CHECK: %[[R:.*]] = kiln.quantize
// CHECK: return %[[R]]
func.func @no_fold_f16(%q: tensor<7xi8>, %y0: tensor<7xf16>, %q0: tensor<7xi8>) -> tensor<7xi8> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %y = kiln.dequantize %q scale(%s : tensor<f32>) : tensor<7xi8>
       outs(%y0 : tensor<7xf16>) {format = #kiln.qformat<int>} -> tensor<7xf16>
  %r = kiln.quantize %y scale(%s : tensor<f32>) : tensor<7xf16>
       outs(%q0 : tensor<7xi8>) {format = #kiln.qformat<int>} -> tensor<7xi8>
  return %r : tensor<7xi8>
}

// -----

// Different scale operands, a non-constant zero point, a zero point too
// large for the argument, a float format: no fold.
// CHECK-LABEL: func.func @no_fold_mismatch
// CHECK-COUNT-4: kiln.quantize
func.func @no_fold_mismatch(%q: tensor<7xi8>, %y0: tensor<7xf32>, %q0: tensor<7xi8>,
                            %zpd: tensor<i32>, %f: tensor<7xf8E4M3FN>, %f0: tensor<7xf8E4M3FN>)
    -> (tensor<7xi8>, tensor<7xi8>, tensor<7xi8>, tensor<7xf8E4M3FN>) {
  %s = arith.constant dense<0.5> : tensor<f32>
  %s2 = arith.constant dense<0.25> : tensor<f32>
  %big = arith.constant dense<2000000> : tensor<i32>
  %y = kiln.dequantize %q scale(%s : tensor<f32>) : tensor<7xi8>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<int>} -> tensor<7xf32>
  %r0 = kiln.quantize %y scale(%s2 : tensor<f32>) : tensor<7xf32>
       outs(%q0 : tensor<7xi8>) {format = #kiln.qformat<int>} -> tensor<7xi8>
  %yz = kiln.dequantize %q scale(%s : tensor<f32>) zero_point(%zpd : tensor<i32>) : tensor<7xi8>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<int>} -> tensor<7xf32>
  %r1 = kiln.quantize %yz scale(%s : tensor<f32>) zero_point(%zpd : tensor<i32>) : tensor<7xf32>
       outs(%q0 : tensor<7xi8>) {format = #kiln.qformat<int>} -> tensor<7xi8>
  %yb = kiln.dequantize %q scale(%s : tensor<f32>) zero_point(%big : tensor<i32>) : tensor<7xi8>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<int>} -> tensor<7xf32>
  %r2 = kiln.quantize %yb scale(%s : tensor<f32>) zero_point(%big : tensor<i32>) : tensor<7xf32>
       outs(%q0 : tensor<7xi8>) {format = #kiln.qformat<int>} -> tensor<7xi8>
  %yf = kiln.dequantize %f scale(%s : tensor<f32>) : tensor<7xf8E4M3FN>
       outs(%y0 : tensor<7xf32>) {format = #kiln.qformat<float>} -> tensor<7xf32>
  %r3 = kiln.quantize %yf scale(%s : tensor<f32>) : tensor<7xf32>
       outs(%f0 : tensor<7xf8E4M3FN>) {format = #kiln.qformat<float>} -> tensor<7xf8E4M3FN>
  return %r0, %r1, %r2, %r3 : tensor<7xi8>, tensor<7xi8>, tensor<7xi8>, tensor<7xf8E4M3FN>
}
