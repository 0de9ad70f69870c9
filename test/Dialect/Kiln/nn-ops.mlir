// RUN: kiln-opt %s --split-input-file | kiln-opt --split-input-file | FileCheck %s
// Round trip of kiln.matmul, kiln.layer_norm, kiln.rms_norm, kiln.softmax.

// CHECK-LABEL: func.func @matmul
// CHECK: kiln.matmul ins(%{{.*}}, %{{.*}} : tensor<4x7x5xf32>, tensor<4x5x3xf32>) outs(%{{.*}} : tensor<4x7x3xf32>) -> tensor<4x7x3xf32>
// CHECK: kiln.matmul ins(%{{.*}}, %{{.*}} : tensor<?x7x5xbf16>, tensor<?x3x5xbf16>) outs(%{{.*}} : tensor<?x7x3xf32>) {transpose_b} -> tensor<?x7x3xf32>
func.func @matmul(%a: tensor<4x7x5xf32>, %b: tensor<4x5x3xf32>, %i: tensor<4x7x3xf32>,
                  %a2: tensor<?x7x5xbf16>, %b2: tensor<?x3x5xbf16>, %i2: tensor<?x7x3xf32>)
    -> (tensor<4x7x3xf32>, tensor<?x7x3xf32>) {
  %c = kiln.matmul ins(%a, %b : tensor<4x7x5xf32>, tensor<4x5x3xf32>)
       outs(%i : tensor<4x7x3xf32>) -> tensor<4x7x3xf32>
  %c2 = kiln.matmul ins(%a2, %b2 : tensor<?x7x5xbf16>, tensor<?x3x5xbf16>)
        outs(%i2 : tensor<?x7x3xf32>) {transpose_b} -> tensor<?x7x3xf32>
  return %c, %c2 : tensor<4x7x3xf32>, tensor<?x7x3xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm
// CHECK: kiln.layer_norm %{{.*}} scale(%{{.*}} : tensor<768xf32>) bias(%{{.*}} : tensor<768xf32>) : tensor<2x16x768xf32> outs(%{{.*}} : tensor<2x16x768xf32>) -> tensor<2x16x768xf32>
// CHECK: kiln.layer_norm %{{.*}} : tensor<2x16x768xf16> outs(%{{.*}} : tensor<2x16x768xf16>) {axis = 1 : i64, epsilon = 9.99999997E-7 : f32} -> tensor<2x16x768xf16>
func.func @layer_norm(%x: tensor<2x16x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>,
                      %i: tensor<2x16x768xf32>, %h: tensor<2x16x768xf16>,
                      %ih: tensor<2x16x768xf16>) -> (tensor<2x16x768xf32>, tensor<2x16x768xf16>) {
  %y = kiln.layer_norm %x scale(%g : tensor<768xf32>) bias(%b : tensor<768xf32>)
       : tensor<2x16x768xf32> outs(%i : tensor<2x16x768xf32>) -> tensor<2x16x768xf32>
  %z = kiln.layer_norm %h : tensor<2x16x768xf16> outs(%ih : tensor<2x16x768xf16>)
       {axis = 1 : i64, epsilon = 1.0e-6 : f32} -> tensor<2x16x768xf16>
  return %y, %z : tensor<2x16x768xf32>, tensor<2x16x768xf16>
}

// -----

// CHECK-LABEL: func.func @rms_norm
// CHECK: kiln.rms_norm %{{.*}} scale(%{{.*}} : tensor<4096xf32>) : tensor<?x4096xf32> outs(%{{.*}} : tensor<?x4096xf32>) {epsilon = 9.99999997E-7 : f32} -> tensor<?x4096xf32>
func.func @rms_norm(%x: tensor<?x4096xf32>, %g: tensor<4096xf32>,
                    %i: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %y = kiln.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<?x4096xf32>
       outs(%i : tensor<?x4096xf32>) {epsilon = 1.0e-6 : f32} -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: kiln.softmax %{{.*}} : tensor<2x128xf32> outs(%{{.*}} : tensor<2x128xf32>) -> tensor<2x128xf32>
// CHECK: kiln.softmax %{{.*}} : tensor<2x128xf32> outs(%{{.*}} : tensor<2x128xf32>) {dimension = 0 : i64} -> tensor<2x128xf32>
func.func @softmax(%x: tensor<2x128xf32>, %i: tensor<2x128xf32>) -> (tensor<2x128xf32>, tensor<2x128xf32>) {
  %y = kiln.softmax %x : tensor<2x128xf32> outs(%i : tensor<2x128xf32>) -> tensor<2x128xf32>
  %z = kiln.softmax %x : tensor<2x128xf32> outs(%i : tensor<2x128xf32>)
       {dimension = 0 : i64} -> tensor<2x128xf32>
  return %y, %z : tensor<2x128xf32>, tensor<2x128xf32>
}
