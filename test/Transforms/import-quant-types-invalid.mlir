// RUN: kiln-opt %s --split-input-file --kiln-import-quant-types --verify-diagnostics
//
// Forms kiln cannot represent are errors naming the value. (Float storage such
// as !quant.uniform<f8E4M3FN:f32, ...> does not parse with upstream quant in
// LLVM 22, so it cannot reach the pass from text.)

// expected-error-re @+1 {{value %arg0 of type 'tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{.*}}>>' uses sub-channel (block-wise) quantization}}
func.func @sub_channel(%q: tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{2.0, 3.0}, {2.0, 3.0}}>>) -> tensor<2x4xf32> {
  %x = quant.dcast %q : tensor<2x4x!quant.uniform<i8:f32:{0:1, 1:2}, {{2.0, 3.0}, {2.0, 3.0}}>> to tensor<2x4xf32>
  return %x : tensor<2x4xf32>
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{value %0 of type 'tensor<*x!quant.uniform<i8:f32, 5.000000e-01>>' uses an unranked tensor of quantized values (kiln needs a ranked tensor)}}
  %q = quant.qcast %x : tensor<*xf32> to tensor<*x!quant.uniform<i8:f32, 0.5>>
  %y = quant.dcast %q : tensor<*x!quant.uniform<i8:f32, 0.5>> to tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

func.func @scalar(%x: f32) -> f32 {
  // expected-error @+1 {{value %0 of type '!quant.uniform<i8:f32, 5.000000e-01>' uses a quantized scalar or vector (kiln needs a ranked tensor)}}
  %q = quant.qcast %x : f32 to !quant.uniform<i8:f32, 0.5>
  %y = quant.dcast %q : !quant.uniform<i8:f32, 0.5> to f32
  return %y : f32
}

// -----

func.func @i16_storage(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{value %0 of type 'tensor<4x!quant.uniform<i16:f32, 5.000000e-01>>' uses i16 storage (kiln stores i8 or i4)}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i16:f32, 0.5>>
  %y = quant.dcast %q : tensor<4x!quant.uniform<i16:f32, 0.5>> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @f64_expressed(%x: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{value %0 of type 'tensor<4x!quant.uniform<i8:f64, 5.000000e-01>>' uses expressed type 'f64' (kiln computes in f32, f16 or bf16)}}
  %q = quant.qcast %x : tensor<4xf64> to tensor<4x!quant.uniform<i8:f64, 0.5>>
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f64, 0.5>> to tensor<4xf64>
  return %y : tensor<4xf64>
}

// -----

// expected-error @+1 {{the signature of 'external' uses an unranked tensor of quantized values}}
func.func private @external(tensor<*x!quant.uniform<i8:f32, 0.5>>)

// -----

// A non-uniform quantized type.
// expected-error @+1 {{value %arg0 of type 'tensor<4x!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>>' uses quantized type '!quant.calibrated<f32<-1.000000e+00:1.000000e+00>>' (only !quant.uniform is imported)}}
func.func @calibrated(%q: tensor<4x!quant.calibrated<f32<-1.0:1.0>>>) {
  return
}
