// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK-LABEL: func.func @int_per_tensor
// CHECK: kiln.quantize %{{.*}} scale(%{{.*}} : tensor<f32>) : tensor<7x13xf32> outs(%{{.*}} : tensor<7x13xi8>) {format = #kiln.qformat<int>} -> tensor<7x13xi8>
// CHECK: kiln.dequantize %{{.*}} scale(%{{.*}} : tensor<f32>) : tensor<7x13xi8> outs(%{{.*}} : tensor<7x13xf32>) {format = #kiln.qformat<int>} -> tensor<7x13xf32>
func.func @int_per_tensor(%x: tensor<7x13xf32>, %s: tensor<f32>, %q0: tensor<7x13xi8>,
                          %y0: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %q = kiln.quantize %x scale(%s : tensor<f32>) : tensor<7x13xf32>
       outs(%q0 : tensor<7x13xi8>) {format = #kiln.qformat<int>} -> tensor<7x13xi8>
  %y = kiln.dequantize %q scale(%s : tensor<f32>) : tensor<7x13xi8>
       outs(%y0 : tensor<7x13xf32>) {format = #kiln.qformat<int>} -> tensor<7x13xf32>
  return %y : tensor<7x13xf32>
}

// CHECK-LABEL: func.func @int4_per_axis_zero_point
// CHECK: kiln.quantize %{{.*}} scale(%{{.*}} : tensor<13xf32>) zero_point(%{{.*}} : tensor<13xi32>) : tensor<7x13xbf16> outs(%{{.*}} : tensor<7x13xi4>) {format = #kiln.qformat<int, axis = 1>} -> tensor<7x13xi4>
func.func @int4_per_axis_zero_point(%x: tensor<7x13xbf16>, %s: tensor<13xf32>, %zp: tensor<13xi32>,
                                    %q0: tensor<7x13xi4>) -> tensor<7x13xi4> {
  %q = kiln.quantize %x scale(%s : tensor<13xf32>) zero_point(%zp : tensor<13xi32>)
       : tensor<7x13xbf16> outs(%q0 : tensor<7x13xi4>) {format = #kiln.qformat<int, axis = 1>}
       -> tensor<7x13xi4>
  return %q : tensor<7x13xi4>
}

// CHECK-LABEL: func.func @int_blocked_dynamic
// CHECK: kiln.dequantize %{{.*}} scale(%{{.*}} : tensor<?x2xf32>) zero_point(%{{.*}} : tensor<?x2xi32>) : tensor<?x45xi8> outs(%{{.*}} : tensor<?x45xf16>) {format = #kiln.qformat<int, axis = 1, block = 32>} -> tensor<?x45xf16>
func.func @int_blocked_dynamic(%q: tensor<?x45xi8>, %s: tensor<?x2xf32>, %zp: tensor<?x2xi32>,
                               %y0: tensor<?x45xf16>) -> tensor<?x45xf16> {
  %y = kiln.dequantize %q scale(%s : tensor<?x2xf32>) zero_point(%zp : tensor<?x2xi32>)
       : tensor<?x45xi8> outs(%y0 : tensor<?x45xf16>)
       {format = #kiln.qformat<int, axis = 1, block = 32>} -> tensor<?x45xf16>
  return %y : tensor<?x45xf16>
}

// CHECK-LABEL: func.func @float_formats
// CHECK: {format = #kiln.qformat<float>} -> tensor<16xf8E4M3FN>
// CHECK: {format = #kiln.qformat<float, axis = 0>} -> tensor<16xf8E5M2>
// CHECK: {format = #kiln.qformat<float>} -> tensor<16xf4E2M1FN>
func.func @float_formats(%x: tensor<16xf32>, %s: tensor<f32>, %s16: tensor<16xf32>,
                         %a: tensor<16xf8E4M3FN>, %b: tensor<16xf8E5M2>, %c: tensor<16xf4E2M1FN>)
    -> (tensor<16xf8E4M3FN>, tensor<16xf8E5M2>, tensor<16xf4E2M1FN>) {
  %0 = kiln.quantize %x scale(%s : tensor<f32>) : tensor<16xf32> outs(%a : tensor<16xf8E4M3FN>)
       {format = #kiln.qformat<float>} -> tensor<16xf8E4M3FN>
  %1 = kiln.quantize %x scale(%s16 : tensor<16xf32>) : tensor<16xf32> outs(%b : tensor<16xf8E5M2>)
       {format = #kiln.qformat<float, axis = 0>} -> tensor<16xf8E5M2>
  %2 = kiln.quantize %x scale(%s : tensor<f32>) : tensor<16xf32> outs(%c : tensor<16xf4E2M1FN>)
       {format = #kiln.qformat<float>} -> tensor<16xf4E2M1FN>
  return %0, %1, %2 : tensor<16xf8E4M3FN>, tensor<16xf8E5M2>, tensor<16xf4E2M1FN>
}

// CHECK-LABEL: func.func @mx_bfp_codebook
// CHECK: kiln.dequantize %{{.*}} scale(%{{.*}} : tensor<64x4xf8E8M0FNU>) : tensor<64x128xf4E2M1FN> outs(%{{.*}} : tensor<64x128xf32>) {format = #kiln.qformat<mx, axis = 1, block = 32>}
// CHECK: kiln.quantize %{{.*}} scale(%{{.*}} : tensor<2x128xf8E8M0FNU>) : tensor<64x128xf32> outs(%{{.*}} : tensor<64x128xi8>) {format = #kiln.qformat<bfp, axis = 0, block = 32, bits = 4>}
// CHECK: kiln.quantize %{{.*}} scale(%{{.*}} : tensor<64x2xf32>) : tensor<64x128xf32> outs(%{{.*}} : tensor<64x128xi8>) {format = #kiln.qformat<codebook, axis = 1, block = 64, codebook = dynamic_signed>}
// CHECK: kiln.dequantize %{{.*}} {format = #kiln.qformat<codebook, axis = 1, block = 64, codebook = dynamic_unsigned>}
func.func @mx_bfp_codebook(%q: tensor<64x128xf4E2M1FN>, %e: tensor<64x4xf8E8M0FNU>,
                           %x: tensor<64x128xf32>, %eb: tensor<2x128xf8E8M0FNU>,
                           %i8: tensor<64x128xi8>, %am: tensor<64x2xf32>)
    -> (tensor<64x128xf32>, tensor<64x128xi8>, tensor<64x128xi8>, tensor<64x128xf32>) {
  %0 = kiln.dequantize %q scale(%e : tensor<64x4xf8E8M0FNU>) : tensor<64x128xf4E2M1FN>
       outs(%x : tensor<64x128xf32>) {format = #kiln.qformat<mx, axis = 1, block = 32>}
       -> tensor<64x128xf32>
  %1 = kiln.quantize %x scale(%eb : tensor<2x128xf8E8M0FNU>) : tensor<64x128xf32>
       outs(%i8 : tensor<64x128xi8>) {format = #kiln.qformat<bfp, axis = 0, block = 32, bits = 4>}
       -> tensor<64x128xi8>
  %2 = kiln.quantize %x scale(%am : tensor<64x2xf32>) : tensor<64x128xf32>
       outs(%i8 : tensor<64x128xi8>)
       {format = #kiln.qformat<codebook, axis = 1, block = 64, codebook = dynamic_signed>}
       -> tensor<64x128xi8>
  %3 = kiln.dequantize %2 scale(%am : tensor<64x2xf32>) : tensor<64x128xi8>
       outs(%x : tensor<64x128xf32>)
       {format = #kiln.qformat<codebook, axis = 1, block = 64, codebook = dynamic_unsigned>}
       -> tensor<64x128xf32>
  return %0, %1, %2, %3 : tensor<64x128xf32>, tensor<64x128xi8>, tensor<64x128xi8>, tensor<64x128xf32>
}
