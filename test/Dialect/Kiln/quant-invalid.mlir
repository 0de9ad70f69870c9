// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// One case per diagnostic of kiln.quantize / kiln.dequantize and of the
// #kiln.qformat attribute.

func.func @int_storage(%x: tensor<7x45xf32>, %s: tensor<f32>, %o: tensor<7x45xf8E4M3FN>) -> tensor<7x45xf8E4M3FN> {
  // expected-error @+1 {{'init' element type must be i8 or i4 for the int format, got 'f8E4M3FN'}}
  %r = kiln.quantize %x scale(%s : tensor<f32>) : tensor<7x45xf32> outs(%o : tensor<7x45xf8E4M3FN>) {format = #kiln.qformat<int>} -> tensor<7x45xf8E4M3FN>
  return %r : tensor<7x45xf8E4M3FN>
}

// -----

func.func @float_storage(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'input' element type must be f8E4M3FN, f8E5M2 or f4E2M1FN for the float format, got 'i8'}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<float>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @mx_storage(%x: tensor<7x45xf32>, %s: tensor<7x2xf8E8M0FNU>, %o: tensor<7x45xi4>) -> tensor<7x45xi4> {
  // expected-error @+1 {{'init' element type must be f8E4M3FN, f8E5M2 or f4E2M1FN for the mx format, got 'i4'}}
  %r = kiln.quantize %x scale(%s : tensor<7x2xf8E8M0FNU>) : tensor<7x45xf32> outs(%o : tensor<7x45xi4>) {format = #kiln.qformat<mx, axis = 1, block = 32>} -> tensor<7x45xi4>
  return %r : tensor<7x45xi4>
}

// -----

func.func @bfp_storage(%x: tensor<7x45xi4>, %s: tensor<7x2xf8E8M0FNU>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'input' element type must be i8 for the bfp format, got 'i4'}}
  %r = kiln.dequantize %x scale(%s : tensor<7x2xf8E8M0FNU>) : tensor<7x45xi4> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<bfp, axis = 1, block = 32, bits = 4>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @codebook_storage(%x: tensor<7x45xf32>, %s: tensor<f32>, %o: tensor<7x45xf8E5M2>) -> tensor<7x45xf8E5M2> {
  // expected-error @+1 {{'init' element type must be i8 for the codebook format, got 'f8E5M2'}}
  %r = kiln.quantize %x scale(%s : tensor<f32>) : tensor<7x45xf32> outs(%o : tensor<7x45xf8E5M2>) {format = #kiln.qformat<codebook, codebook = dynamic_signed>} -> tensor<7x45xf8E5M2>
  return %r : tensor<7x45xf8E5M2>
}

// -----

func.func @int_scale_type(%x: tensor<7x45xf32>, %s: tensor<f8E8M0FNU>, %o: tensor<7x45xi8>) -> tensor<7x45xi8> {
  // expected-error @+1 {{'scale' element type must be f32 for the int format, got 'f8E8M0FNU'}}
  %r = kiln.quantize %x scale(%s : tensor<f8E8M0FNU>) : tensor<7x45xf32> outs(%o : tensor<7x45xi8>) {format = #kiln.qformat<int>} -> tensor<7x45xi8>
  return %r : tensor<7x45xi8>
}

// -----

func.func @mx_scale_type(%x: tensor<7x45xf4E2M1FN>, %s: tensor<7x2xf32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'scale' element type must be f8E8M0FNU for the mx format, got 'f32'}}
  %r = kiln.dequantize %x scale(%s : tensor<7x2xf32>) : tensor<7x45xf4E2M1FN> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<mx, axis = 1, block = 32>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @axis_range(%x: tensor<7x45xi8>, %s: tensor<45xf32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{format axis 2 is out of range for rank-2 'input'}}
  %r = kiln.dequantize %x scale(%s : tensor<45xf32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 2>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @per_tensor_rank(%x: tensor<7x45xf32>, %s: tensor<1xf32>, %o: tensor<7x45xi8>) -> tensor<7x45xi8> {
  // expected-error @+1 {{'scale' must be rank 0 for a per-tensor format, got rank 1}}
  %r = kiln.quantize %x scale(%s : tensor<1xf32>) : tensor<7x45xf32> outs(%o : tensor<7x45xi8>) {format = #kiln.qformat<int>} -> tensor<7x45xi8>
  return %r : tensor<7x45xi8>
}

// -----

func.func @per_axis_rank(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'scale' must be rank 1 for a per-axis format, got rank 0}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 1>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @per_axis_dim(%x: tensor<7x45xi8>, %s: tensor<5xf32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'scale' dim 0 is 5, expected 45 (dim 1 of 'input')}}
  %r = kiln.dequantize %x scale(%s : tensor<5xf32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 1>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @blocked_rank(%x: tensor<7x45xi8>, %s: tensor<2xf32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'scale' must be rank 2 (the rank of 'input') for a blocked format, got rank 1}}
  %r = kiln.dequantize %x scale(%s : tensor<2xf32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 1, block = 32>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @blocked_axis_dim(%x: tensor<7x45xi8>, %s: tensor<7x1xf32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'scale' dim 1 is 1, expected 2 (ceil(45 / 32) blocks along axis 1 of 'input')}}
  %r = kiln.dequantize %x scale(%s : tensor<7x1xf32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 1, block = 32>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @blocked_other_dim(%x: tensor<7x45xi8>, %s: tensor<6x2xf32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{'scale' dim 0 is 6, expected 7 (dim 0 of 'input')}}
  %r = kiln.dequantize %x scale(%s : tensor<6x2xf32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 1, block = 32>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @zero_point_kind(%x: tensor<7x45xf32>, %s: tensor<f32>, %o: tensor<7x45xf8E4M3FN>, %zp: tensor<i32>) -> tensor<7x45xf8E4M3FN> {
  // expected-error @+1 {{'zero_point' is only allowed with the int format, not float}}
  %r = kiln.quantize %x scale(%s : tensor<f32>) zero_point(%zp : tensor<i32>) : tensor<7x45xf32> outs(%o : tensor<7x45xf8E4M3FN>) {format = #kiln.qformat<float>} -> tensor<7x45xf8E4M3FN>
  return %r : tensor<7x45xf8E4M3FN>
}

// -----

func.func @zero_point_shape(%x: tensor<7x45xf32>, %s: tensor<7xf32>, %o: tensor<7x45xi8>, %zp: tensor<3xi32>) -> tensor<7x45xi8> {
  // expected-error @+1 {{'zero_point' type 'tensor<3xi32>' must have the shape of 'scale' ('tensor<7xf32>')}}
  %r = kiln.quantize %x scale(%s : tensor<7xf32>) zero_point(%zp : tensor<3xi32>) : tensor<7x45xf32> outs(%o : tensor<7x45xi8>) {format = #kiln.qformat<int, axis = 0>} -> tensor<7x45xi8>
  return %r : tensor<7x45xi8>
}

// -----

func.func @init_shape(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x44xf32>) -> tensor<7x44xf32> {
  // expected-error @+1 {{'init' type 'tensor<7x44xf32>' must have the shape of 'input' ('tensor<7x45xi8>')}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x44xf32>) {format = #kiln.qformat<int>} -> tensor<7x44xf32>
  return %r : tensor<7x44xf32>
}

// -----

func.func @attr_axis(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{qformat axis must be -1 (per tensor) or >= 0, got -2}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = -2>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_block_negative(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{qformat block must be >= 0, got -1}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, axis = 0, block = -1>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_block_no_axis(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{qformat block size needs an axis}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, block = 32>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_mx_block(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{mx format needs an axis and block = 32}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<mx, axis = 1, block = 16>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_bfp_block(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{bfp format needs an axis and a block size}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<bfp, axis = 1, bits = 4>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_bfp_bits(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{bfp format needs bits in [2, 8], got 9}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<bfp, axis = 1, block = 32, bits = 9>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_bits_other(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{only the bfp format takes 'bits'}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, bits = 4>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_codebook_missing(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{codebook format needs a codebook}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<codebook>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}

// -----

func.func @attr_codebook_other(%x: tensor<7x45xi8>, %s: tensor<f32>, %o: tensor<7x45xf32>) -> tensor<7x45xf32> {
  // expected-error @+1 {{only the codebook format takes a codebook}}
  %r = kiln.dequantize %x scale(%s : tensor<f32>) : tensor<7x45xi8> outs(%o : tensor<7x45xf32>) {format = #kiln.qformat<int, codebook = dynamic_signed>} -> tensor<7x45xf32>
  return %r : tensor<7x45xf32>
}
