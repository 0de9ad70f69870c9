# RUN: %python %s
# Every TilingInterface implementation computes exactly what the untiled op
# computes: each op is tiled with kiln-test-tiling-interface (odd tile sizes
# that do not divide the dims), both forms go through the reference
# lowering, and the results must be bit-identical (a tile computes each
# output element with the same operations in the same order).
import numpy as np
import kiln_testing as kt

rng = np.random.default_rng(11)
REF = "--kiln-reference-pipeline"


def check(name, func, fname, inputs, types, outputs, tiles):
    want = kt.run_func(func, fname, inputs, types, outputs, pipeline=REF)
    tiled = kt.run_func(func, fname, inputs, types, outputs, pipeline=[
        f"--kiln-test-tiling-interface=tile-sizes={tiles}", REF])
    for i, (w, t) in enumerate(zip(want, tiled)):
        if not np.array_equal(w, t, equal_nan=True):
            raise AssertionError(f"{name} result {i}: tiled differs, max "
                                 f"{np.nanmax(np.abs(w - t))}")
    print(f"{name} (tiles {tiles}): ok")


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def ty(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


# Attention: causal with Sq < Skv (the tile needs explicit positions), GQA
# with head tiles equal to and dividing the group, window, LSE.
def attention(b, hq, hkv, sq, skv, d, attrs, lse=True):
    q, k, v = [b, hq, sq, d], [b, hkv, skv, d], [b, hkv, skv, d]
    o, l = [b, hq, sq, d], [b, hq, sq]
    outs = f"%o, %l : {ty(o)}, {ty(l)}" if lse else f"%o : {ty(o)}"
    res = f"{ty(o)}, {ty(l)}" if lse else ty(o)
    body = f"""
  func.func @att(%q: {ty(q)}, %k: {ty(k)}, %v: {ty(v)}) -> ({res}) {{
    %o = tensor.empty() : {ty(o)}
    %l = tensor.empty() : {ty(l)}
    %r{':2' if lse else ''} = kiln.attention ins(%q, %k, %v : {ty(q)}, {ty(k)}, {ty(v)})
        outs({outs}) {{{attrs}}} -> {res}
    return {'%r#0, %r#1' if lse else '%r'} : {res}
  }}"""
    outputs = [(o, "f32"), (l, "f32")] if lse else [(o, "f32")]
    return body, [r(*q), r(*k), r(*v)], ["f32"] * 3, outputs


for attrs, tiles in [("causal", "1,2,4,3"), ("causal", "1,1,5,0"),
                     ("causal, window_left = 3 : i64", "1,2,3,2"),
                     ("window_left = 2 : i64, window_right = 1 : i64", "1,4,6,0"),
                     ("", "1,2,7,4")]:
    f, ins, tys, outs = attention(2, 4, 2, 13, 21, 5, attrs)
    check(f"attention {{{attrs}}}", f, "att", ins, tys, outs, tiles)

# Block-sparse attention: query tiles of 8 cover two query blocks of 4.
b, hq, hkv, sq, skv, d = 1, 2, 2, 16, 20, 3
nq, cap = 4, 3
idx = np.sort(rng.choice(5, size=(b, hq, nq, cap), replace=True), axis=-1)
idx = np.array([[[sorted(set(row)) + [0] * (cap - len(set(row))) for row in h]
                 for h in bb] for bb in idx], np.int32)
cnt = np.array([[[len(set(row[row > 0])) + (0 in row) for row in h] for h in bb]
                for bb in idx], np.int32).clip(1, cap)
sparse = f"""
  func.func @att(%q: {ty([b,hq,sq,d])}, %k: {ty([b,hkv,skv,d])}, %v: {ty([b,hkv,skv,d])},
                 %i: tensor<{b}x{hq}x{nq}x{cap}xi32>, %c: tensor<{b}x{hq}x{nq}xi32>)
      -> {ty([b,hq,sq,d])} {{
    %o = tensor.empty() : {ty([b,hq,sq,d])}
    %r = kiln.attention ins(%q, %k, %v : {ty([b,hq,sq,d])}, {ty([b,hkv,skv,d])}, {ty([b,hkv,skv,d])})
        blocks(%i, %c : tensor<{b}x{hq}x{nq}x{cap}xi32>, tensor<{b}x{hq}x{nq}xi32>)
        outs(%o : {ty([b,hq,sq,d])}) {{q_block = 4 : i64, kv_block = 4 : i64, causal}}
        -> {ty([b,hq,sq,d])}
    return %r : {ty([b,hq,sq,d])}
  }}"""
check("block-sparse attention", sparse, "att",
      [r(b, hq, sq, d), r(b, hkv, skv, d), r(b, hkv, skv, d), idx, cnt],
      ["f32", "f32", "f32", "i32", "i32"], [([b, hq, sq, d], "f32")], "1,1,8,0")

# Conv: padded, strided, dilated, NCHW/OIHW and NHWC/HWIO, with epilogues.
conv = """
  func.func @conv(%x: tensor<2x5x11x13xf32>, %w: tensor<7x5x3x3xf32>, %bias: tensor<7xf32>,
                  %res: tensor<2x7x5x6xf32>) -> tensor<2x7x5x6xf32> {
    %i = tensor.empty() : tensor<2x7x5x6xf32>
    %y = kiln.conv ins(%x, %w : tensor<2x5x11x13xf32>, tensor<7x5x3x3xf32>)
        epilogue_operands(%bias, %res : tensor<7xf32>, tensor<2x7x5x6xf32>)
        outs(%i : tensor<2x7x5x6xf32>)
        {strides = array<i64: 2, 2>, pad_low = array<i64: 1, 0>, pad_high = array<i64: 0, 2>,
         dilations = array<i64: 1, 2>,
         epilogue = [#kiln.step<bias>, #kiln.step<residual_add>, #kiln.step<relu>]}
        -> tensor<2x7x5x6xf32>
    return %y : tensor<2x7x5x6xf32>
  }"""
check("conv nchw", conv, "conv", [r(2, 5, 11, 13), r(7, 5, 3, 3), r(7), r(2, 7, 5, 6)],
      ["f32"] * 4, [([2, 7, 5, 6], "f32")], "1,3,4,5")
conv_nhwc = """
  func.func @conv(%x: tensor<1x9x8x4xf32>, %w: tensor<3x3x4x6xf32>) -> tensor<1x9x8x6xf32> {
    %i = tensor.empty() : tensor<1x9x8x6xf32>
    %y = kiln.conv ins(%x, %w : tensor<1x9x8x4xf32>, tensor<3x3x4x6xf32>)
        outs(%i : tensor<1x9x8x6xf32>)
        {data_layout = #kiln<data_layout nhwc>, filter_layout = #kiln<filter_layout hwio>,
         pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>,
         epilogue = [#kiln.step<hardswish>]} -> tensor<1x9x8x6xf32>
    return %y : tensor<1x9x8x6xf32>
  }"""
check("conv nhwc", conv_nhwc, "conv", [r(1, 9, 8, 4), r(3, 3, 4, 6)], ["f32"] * 2,
      [([1, 9, 8, 6], "f32")], "1,4,3,5")
depthwise = """
  func.func @conv(%x: tensor<1x6x7x7xf32>, %w: tensor<12x1x3x3xf32>) -> tensor<1x12x5x5xf32> {
    %i = tensor.empty() : tensor<1x12x5x5xf32>
    %y = kiln.conv ins(%x, %w : tensor<1x6x7x7xf32>, tensor<12x1x3x3xf32>)
        outs(%i : tensor<1x12x5x5xf32>) {groups = 6 : i64} -> tensor<1x12x5x5xf32>
    return %y : tensor<1x12x5x5xf32>
  }"""
check("depthwise conv", depthwise, "conv", [r(1, 6, 7, 7), r(12, 1, 3, 3)], ["f32"] * 2,
      [([1, 12, 5, 5], "f32")], "1,0,2,3")

# Matmul with transpose_b.
mm = """
  func.func @mm(%a: tensor<3x13x7xf32>, %b: tensor<3x11x7xf32>) -> tensor<3x13x11xf32> {
    %i = tensor.empty() : tensor<3x13x11xf32>
    %c = kiln.matmul ins(%a, %b : tensor<3x13x7xf32>, tensor<3x11x7xf32>)
        outs(%i : tensor<3x13x11xf32>) {transpose_b} -> tensor<3x13x11xf32>
    return %c : tensor<3x13x11xf32>
  }"""
check("matmul", mm, "mm", [r(3, 13, 7), r(3, 11, 7)], ["f32"] * 2,
      [([3, 13, 11], "f32")], "2,5,4")

# Quantized: per-channel scales and zero points follow the N / C_out tiles;
# a blocked scale along K stays whole.
w8 = rng.integers(-128, 128, size=(11, 70)).astype(np.int8)
s8 = (rng.random(11).astype(np.float32) + 0.5) / 64
z8 = rng.integers(-5, 6, size=11).astype(np.int32)
qmm = """
  func.func @mm(%a: tensor<9x70xf32>, %w: tensor<11x70xi8>, %s: tensor<11xf32>,
                %z: tensor<11xi32>) -> tensor<9x11xf32> {
    %i = tensor.empty() : tensor<9x11xf32>
    %c = kiln.qmatmul ins(%a, %w : tensor<9x70xf32>, tensor<11x70xi8>)
        rhs_scale(%s : tensor<11xf32>) rhs_zero_point(%z : tensor<11xi32>)
        outs(%i : tensor<9x11xf32>)
        {transpose_b, rhs_format = #kiln.qformat<int, axis = 0>} -> tensor<9x11xf32>
    return %c : tensor<9x11xf32>
  }"""
check("qmatmul per-channel", qmm, "mm", [r(9, 70), w8, s8, z8],
      ["f32", "i8", "f32", "i32"], [([9, 11], "f32")], "4,3")
w4 = rng.integers(-8, 8, size=(70, 6))
s4 = (rng.random((3, 6)).astype(np.float32) + 0.5) / 8
qmm4 = """
  func.func @mm(%a: tensor<5x70xf32>, %w: tensor<70x6xi4>, %s: tensor<3x6xf32>) -> tensor<5x6xf32> {
    %i = tensor.empty() : tensor<5x6xf32>
    %c = kiln.qmatmul ins(%a, %w : tensor<5x70xf32>, tensor<70x6xi4>)
        rhs_scale(%s : tensor<3x6xf32>) outs(%i : tensor<5x6xf32>)
        {rhs_format = #kiln.qformat<int, axis = 0, block = 32>} -> tensor<5x6xf32>
    return %c : tensor<5x6xf32>
  }"""
check("qmatmul int4 blocked along K", qmm4, "mm", [r(5, 70), w4, s4],
      ["f32", "i4", "f32"], [([5, 6], "f32")], "2,4")
qconv = """
  func.func @conv(%x: tensor<1x3x9x9xf32>, %w: tensor<10x3x3x3xi8>, %s: tensor<10xf32>,
                  %b: tensor<10xf32>) -> tensor<1x10x9x9xf32> {
    %i = tensor.empty() : tensor<1x10x9x9xf32>
    %y = kiln.qconv ins(%x, %w : tensor<1x3x9x9xf32>, tensor<10x3x3x3xi8>)
        filter_scale(%s : tensor<10xf32>) epilogue_operands(%b : tensor<10xf32>)
        outs(%i : tensor<1x10x9x9xf32>)
        {filter_format = #kiln.qformat<int, axis = 0>, pad_low = array<i64: 1, 1>,
         pad_high = array<i64: 1, 1>, epilogue = [#kiln.step<bias>, #kiln.step<silu>]}
        -> tensor<1x10x9x9xf32>
    return %y : tensor<1x10x9x9xf32>
  }"""
check("qconv per-channel", qconv, "conv",
      [r(1, 3, 9, 9), rng.integers(-128, 128, size=(10, 3, 3, 3)).astype(np.int8),
       (rng.random(10).astype(np.float32) + 0.5) / 64, r(10)],
      ["f32", "i8", "f32", "f32"], [([1, 10, 9, 9], "f32")], "1,4,5,2")
