// kiln-cpu-tile-and-vectorize alone: remainder tiles (257x129x65) are padded
// to full register tiles and vectorized (no matmul generic is left), dynamic
// M works, and the `tiles` option sets Mc, Nc, Kc.
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-cpu-tile-and-vectorize=mcpu=skylake-avx512 | FileCheck %s
// RUN: kiln-opt %s --split-input-file \
// RUN:   --kiln-cpu-tile-and-vectorize="mcpu=skylake-avx512 tiles=16,64,8" \
// RUN:   | FileCheck %s --check-prefix=TILES

// CHECK-LABEL: func.func @odd
// CHECK:         scf.forall
// CHECK:           vector.contract {{.*}} into vector<8x32xf32>
// CHECK:           tensor.pad
// CHECK:           vector.contract {{.*}} into vector<8x32xf32>
// CHECK-NOT:     linalg.matmul
// TILES-LABEL: func.func @odd
// TILES:         scf.forall {{.*}} step (16, 64)
// TILES:           scf.for {{.*}} step %c8
func.func @odd(%a: tensor<257x65xf32>, %b: tensor<65x129xf32>,
               %c: tensor<257x129xf32>) -> tensor<257x129xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<257x65xf32>, tensor<65x129xf32>)
       outs(%c : tensor<257x129xf32>) -> tensor<257x129xf32>
  return %r : tensor<257x129xf32>
}

// -----

// CHECK-LABEL: func.func @dynamic_m
// CHECK:         scf.forall
// CHECK:           vector.contract {{.*}} vector<1x8x1xbf16>, vector<1x1x32xbf16> into vector<1x8x32xf32>
// CHECK:           tensor.pad
// CHECK:           vector.contract {{.*}} into vector<1x8x32xf32>
// CHECK-NOT:     linalg.batch_matmul
func.func @dynamic_m(%a: tensor<?x?x40xbf16>, %b: tensor<?x40x64xbf16>,
                     %c: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<?x?x40xbf16>, tensor<?x40x64xbf16>)
       outs(%c : tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  return %r : tensor<?x?x64xf32>
}
