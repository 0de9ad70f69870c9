// RUN: kiln-opt %s --split-input-file --kiln-test-tiling-interface="tile-sizes=1,8,4,5" | FileCheck %s


// Conv tiles (N, C_out, OH, OW) of the output; a padded conv slices a window
// of the zero-padded input and the tiled op has no padding of its own.
// CHECK-LABEL: func @conv_padded
// CHECK: scf.forall (%[[N:.*]], %[[C:.*]], %[[OH:.*]], %[[OW:.*]]) = (0, 0, 0, 0) to (1, 16, 9, 10) step (1, 8, 4, 5)
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 1, 1]
// CHECK: %[[IH:.*]] = affine.apply #{{.*}}(%[[OH]])
// CHECK: %[[IW:.*]] = affine.apply #{{.*}}(%[[OW]])
// CHECK: tensor.extract_slice %[[PAD]][%[[N]], 0, %[[IH]], %[[IW]]] [1, 3, %{{.*}}, 11]
// CHECK: tensor.extract_slice %{{.*}}[%[[C]], 0, 0, 0] [8, 3, 3, 3]
// CHECK: tensor.extract_slice %{{.*}}[%[[C]]] [8]
// CHECK: kiln.conv
// CHECK-NOT: pad_low
// CHECK-SAME: epilogue = [#kiln.step<bias>, #kiln.step<relu>]
func.func @conv_padded(%x: tensor<1x3x17x19xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>, %i: tensor<1x16x9x10xf32>) -> tensor<1x16x9x10xf32> {
  %y = kiln.conv ins(%x, %w : tensor<1x3x17x19xf32>, tensor<16x3x3x3xf32>) epilogue_operands(%b : tensor<16xf32>) outs(%i : tensor<1x16x9x10xf32>) {strides = array<i64: 2, 2>, pad_low = array<i64: 1, 2>, pad_high = array<i64: 1, 1>, epilogue = [#kiln.step<bias>, #kiln.step<relu>]} -> tensor<1x16x9x10xf32>
  return %y : tensor<1x16x9x10xf32>
}
