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

// -----

// B panels are packed once per cache block into [Nc/nr][Kc][nr], in a buffer
// carried by the Kc loop; the register tiles read B from it. The fill of C
// is fused into the parallel tiles and written one vector row at a time.
// (Single-iteration foralls fold away here; the buffer is sized for the
// block, 200 columns in 7 panels.)
// CHECK-LABEL: func.func @packed_b
// CHECK:           scf.for
// CHECK:             vector.transfer_write {{.*}} : vector<1x200xf32>, tensor<1x200xf32>
// CHECK:           %[[PANEL:.*]] = tensor.empty() : tensor<7x96x32xf32>
// CHECK:           scf.for {{.*}} iter_args({{.*}}, %[[CARRIED:.*]] = %[[PANEL]])
// CHECK:             %[[PACKED:.*]] = scf.for {{.*}} iter_args(%[[P:.*]] = %[[CARRIED]])
// CHECK:               scf.for
// CHECK:                 vector.transfer_read {{.*}} {in_bounds = [true, false]} : tensor<?x200xf32>, vector<1x32xf32>
// CHECK:                 vector.transfer_write {{.*}} : vector<1x32xf32>, tensor<7x96x32xf32>
// CHECK:             tensor.extract_slice %[[PACKED]]{{.*}} : tensor<7x96x32xf32> to tensor<?x32xf32>
// CHECK:             vector.contract {{.*}} into vector<8x32xf32>
// CHECK:             scf.yield {{.*}}, %[[PACKED]]
func.func @packed_b(%a: tensor<64x300xf32>, %b: tensor<300x200xf32>)
    -> tensor<64x200xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x200xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<64x200xf32>)
       -> tensor<64x200xf32>
  %r = linalg.matmul ins(%a, %b : tensor<64x300xf32>, tensor<300x200xf32>)
       outs(%c : tensor<64x200xf32>) -> tensor<64x200xf32>
  return %r : tensor<64x200xf32>
}

// -----

// A transposed B (N x K) is packed by 16 x nr reads along its contiguous K
// (K rounded up to 16 in the panel), and the register tile reads it as K x N.
// CHECK-LABEL: func.func @packed_transposed_b
// CHECK:         tensor.empty() : tensor<2x64x32xf32>
// CHECK:         scf.for {{.*}} step %c16
// CHECK:           vector.transfer_read {{.*}} : tensor<33x50xf32>, vector<32x16xf32>
// CHECK:           vector.transpose {{.*}} : vector<32x16xf32> to vector<16x32xf32>
// CHECK:         vector.contract {{.*}} into vector<8x32xf32>
#mA = affine_map<(m, n, k) -> (m, k)>
#mBt = affine_map<(m, n, k) -> (n, k)>
#mC = affine_map<(m, n, k) -> (m, n)>
func.func @packed_transposed_b(%a: tensor<40x50xf32>, %b: tensor<33x50xf32>,
                               %c: tensor<40x33xf32>) -> tensor<40x33xf32> {
  %r = linalg.generic {indexing_maps = [#mA, #mBt, #mC],
                       iterator_types = ["parallel", "parallel", "reduction"]}
       ins(%a, %b : tensor<40x50xf32>, tensor<33x50xf32>)
       outs(%c : tensor<40x33xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<40x33xf32>
  return %r : tensor<40x33xf32>
}

// -----

// With M below 4 register tiles, each B row is read about once: no packing.
// CHECK-LABEL: func.func @small_m_unpacked
// CHECK-NOT:     tensor.empty() : tensor<{{.*}}x32xf32>
// CHECK:         vector.contract {{.*}} into vector<8x32xf32>
func.func @small_m_unpacked(%a: tensor<8x64xf32>, %b: tensor<64x64xf32>,
                            %c: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x64xf32>)
       outs(%c : tensor<8x64xf32>) -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// A constant B (weights) is packed at compile time into every cache block
// ([N/Nc][K/Kc][Nc/nr][Kc][nr], zero-padded: 40 columns make two panels of
// 32), even for a small M; the tiles read their block by slicing it, and no
// packing loop or buffer is left.
// CHECK-LABEL: func.func @prepacked_constant_b
// CHECK:         %[[P:.*]] = arith.constant dense_resource<prepacked_b> : tensor<1x1x2x64x32xf32>
// CHECK-NOT:     vector.transfer_write {{.*}} : vector<1x32xf32>, tensor<2x64x32xf32>
// CHECK:         tensor.extract_slice %[[P]][0, 0, 0, 0, 0] [1, 1, 2, 64, 32] [1, 1, 1, 1, 1] : tensor<1x1x2x64x32xf32> to tensor<2x64x32xf32>
// CHECK:         vector.contract {{.*}} into vector<8x32xf32>
func.func @prepacked_constant_b(%a: tensor<8x64xf32>,
                                %c: tensor<8x40xf32>) -> tensor<8x40xf32> {
  %b = arith.constant dense<0.5> : tensor<64x40xf32>
  %r = linalg.matmul ins(%a, %b : tensor<8x64xf32>, tensor<64x40xf32>)
       outs(%c : tensor<8x40xf32>) -> tensor<8x40xf32>
  return %r : tensor<8x40xf32>
}

// -----

// Elementwise maps and innermost reductions (the softmax steps of a flash
// tile) are tiled to rows of 4 vectors and vectorized with masks, so a
// dynamic row length needs no scalar remainder.
// CHECK-LABEL: func.func @softmax_rows
// CHECK:         scf.for {{.*}} step %c1
// CHECK:           scf.for {{.*}} step %c64
// CHECK:             vector.create_mask {{.*}} : vector<1x64xi1>
// CHECK:             vector.transfer_read {{.*}} : tensor<1x?xf32>, vector<1x64xf32>
// CHECK:             vector.multi_reduction <maximumf>
// CHECK:         scf.for {{.*}} step %c1
// CHECK:           scf.for {{.*}} step %c64
// CHECK:             math.exp {{.*}} : vector<1x64xf32>
// CHECK:             vector.transfer_write {{.*}} : vector<1x64xf32>, tensor<1x?xf32>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @softmax_rows(%s: tensor<?x?xf32>, %m: tensor<?xf32>)
    -> tensor<?x?xf32> {
  %mx = linalg.generic {indexing_maps = [#id, #row],
                        iterator_types = ["parallel", "reduction"]}
        ins(%s : tensor<?x?xf32>) outs(%m : tensor<?xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<?xf32>
  %p = linalg.generic {indexing_maps = [#row, #id],
                       iterator_types = ["parallel", "parallel"]}
       ins(%mx : tensor<?xf32>) outs(%s : tensor<?x?xf32>) {
  ^bb0(%mv: f32, %x: f32):
    %d = arith.subf %x, %mv : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<?x?xf32>
  return %p : tensor<?x?xf32>
}
