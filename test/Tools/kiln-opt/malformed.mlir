// Malformed input gets a located diagnostic and exit code 1, never a crash.
// RUN: not kiln-opt %s --split-input-file 2>&1 | FileCheck %s
// RUN: kiln-opt %s --split-input-file 2>/dev/null; test $? -eq 1

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: custom op 'kiln.attenshun' is unknown
func.func @unknown_op(%q: tensor<1x1x4x4xf32>) {
  %r = kiln.attenshun %q : tensor<1x1x4x4xf32>
  return
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: custom op 'kiln.attention' expected 'ins'
func.func @missing_ins(%q: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %r = kiln.attention (%q, %q, %q : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) outs(%q : tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: expected '<'
func.func @bad_step(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32> {
  %y = kiln.conv ins(%x, %w : tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) outs(%x : tensor<1x1x4x4xf32>) {epilogue = [#kiln.step]} -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: expected ::mlir::kiln::QuantKind to be one of: int, float, mx, bfp, codebook
func.func @bad_format(%x: tensor<4xf32>, %s: tensor<f32>, %i: tensor<4xi8>) -> tensor<4xi8> {
  %q = kiln.quantize %x scale(%s : tensor<f32>) : tensor<4xf32> outs(%i : tensor<4xi8>) {format = #kiln.qformat<int8>} -> tensor<4xi8>
  return %q : tensor<4xi8>
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: expected ','
func.func @truncated(%q: tensor<1x1x4x4xf32>) {
  %r = kiln.attention ins(%q, %q, %q : tensor<1x1x4x4xf32>
