# RUN: %python %s
# Programs written with upstream quant.qcast / quant.dcast / quant.scast on
# !quant.uniform tensors, imported with kiln-import-quant-types and run
# through the reference pipeline, against numpy: t = x / scale in f32,
# q = clamp(round_half_even(t) + zp, storage min, storage max), value =
# (q - zp) * scale. Exact ties (x = (k + 1/2) * scale, power-of-two scales)
# check half-to-even; values beyond the range check saturation.
#  - per-axis i8 with zero points (qcast -> dcast and scast to the storage);
#  - u8 full range (stored shifted, scast returns the unsigned bits);
#  - narrow i8<-127:127>; i4 and u4 storage; a quantized function argument
#    passed through func.call; scast from u8 storage bits.
import numpy as np
import kiln_testing as kt

PIPELINE = "--pass-pipeline=builtin.module(kiln-import-quant-types,kiln-reference-pipeline)"
rng = np.random.default_rng(53)


def quantize(x, s, zp, lo, hi):
    t = np.asarray(x, np.float32) / np.asarray(s, np.float32)  # f32 division
    return np.clip(np.rint(t.astype(np.float64)) + zp, lo, hi).astype(np.int64)


def with_ties(shape, s, spread=60):
    """Random values plus exact ties and far out-of-range values."""
    x = (rng.standard_normal(shape) * spread * s).astype(np.float32)
    flat = x.reshape(-1)
    ties = (np.arange(-4, 4) + 0.5) * s
    flat[:len(ties)] = ties
    flat[len(ties)] = 1e4 * s
    flat[len(ties) + 1] = -1e4 * s
    return x


def run(func, inputs, types, outputs):
    return kt.run_func(func, "f", inputs, types, outputs, pipeline=PIPELINE)


def roundtrip_func(T, Q, S):
    """@f(%x: T) -> (dcast(qcast x), scast(qcast x)): the values and the
    stored codes (S) of x quantized to Q."""
    return f"""
  func.func @f(%x: {T}) -> ({T}, {S}) {{
    %q = quant.qcast %x : {T} to {Q}
    %d = quant.dcast %q : {Q} to {T}
    %s = quant.scast %q : {Q} to {S}
    return %d, %s : {T}, {S}
  }}"""


# 1. Per-axis i8 (axis 1), zero points; dequantized values and storage.
m, n = 12, 13
scales = [2.0 ** -e for e in rng.integers(2, 6, n)]
zps = list(rng.integers(-10, 10, n))
qt = ("!quant.uniform<i8:f32:1, {" +
      ", ".join(f"{s!r}:{z}" for s, z in zip(scales, zps)) + "}>")
T, Q = f"tensor<{m}x{n}xf32>", f"tensor<{m}x{n}x{qt}>"
f = roundtrip_func(T, Q, f"tensor<{m}x{n}xi8>")
x = np.concatenate([with_ties((m, 1), s) for s in scales], axis=1)
d, q = run(f, [x], ["f32"], [([m, n], "f32"), ([m, n], "i8")])
s_arr, z_arr = np.array(scales, np.float32), np.array(zps)
want_q = quantize(x, s_arr[None, :], z_arr[None, :], -128, 127)
assert (q == want_q).all(), (q, want_q)
kt.assert_close("per-axis i8 qcast/dcast", d, (want_q - z_arr) * s_arr.astype(np.float64))

# 2. u8 per tensor, zero point 130: stored shifted by -128, but scast yields
#    the unsigned code's bits and dcast the same values.
qt = "!quant.uniform<u8:f32, 0.25:130>"
T, Q = "tensor<33xf32>", f"tensor<33x{qt}>"
f = roundtrip_func(T, Q, "tensor<33xi8>")
x = with_ties((33,), 0.25)
d, q = run(f, [x], ["f32"], [([33], "f32"), ([33], "i8")])
want_u = quantize(x, 0.25, 130, 0, 255)
assert (q == want_u.astype(np.uint8).astype(np.int8)).all(), (q, want_u)
kt.assert_close("u8 qcast/dcast", d, (want_u - 130) * 0.25)

# 3. u8 storage bits from outside (scast from i8), dequantized.
bits = np.arange(-128, 128).astype(np.int8)
f = f"""
  func.func @f(%b: tensor<256xi8>) -> tensor<256xf32> {{
    %q = quant.scast %b : tensor<256xi8> to tensor<256x!quant.uniform<u8:f32, 0.5:200>>
    %d = quant.dcast %q : tensor<256x!quant.uniform<u8:f32, 0.5:200>> to tensor<256xf32>
    return %d : tensor<256xf32>
  }}"""
(d,) = run(f, [bits], ["i8"], [([256], "f32")])
kt.assert_close("u8 storage bits -> dcast", d, (bits.view(np.uint8).astype(np.int64) - 200) * 0.5)

# 4. Narrow i8<-127:127>: saturation stops at -127.
qt = "!quant.uniform<i8<-127:127>:f32, 0.125:-3>"
T, Q = "tensor<3x5xf32>", f"tensor<3x5x{qt}>"
f = f"""
  func.func @f(%x: {T}) -> tensor<3x5xi8> {{
    %q = quant.qcast %x : {T} to {Q}
    %s = quant.scast %q : {Q} to tensor<3x5xi8>
    return %s : tensor<3x5xi8>
  }}"""
x = with_ties((3, 5), 0.125)
(q,) = run(f, [x], ["f32"], [([3, 5], "i8")])
want = quantize(x, 0.125, -3, -127, 127)
assert (q == want).all() and (want == -127).any(), (q, want)
print("narrow i8<-127:127>: ok")

# 5. i4 and u4 per tensor: stored codes (u4 as its bits) and values.
for qt, lo, hi, zp in [("!quant.uniform<i4:f32, 0.5:1>", -8, 7, 1),
                       ("!quant.uniform<u4:f32, 0.5:9>", 0, 15, 9)]:
    T, Q = "tensor<2x9xf32>", f"tensor<2x9x{qt}>"
    f = roundtrip_func(T, Q, "tensor<2x9xi4>")
    x = with_ties((2, 9), 0.5, spread=5)
    d, q = run(f, [x], ["f32"], [([2, 9], "f32"), ([2, 9], "i4")])
    want = quantize(x, 0.5, zp, lo, hi)
    assert (q == ((want + 8) % 16) - 8).all(), (qt, q, want)
    kt.assert_close(f"{qt} qcast/dcast", d, (want - zp) * 0.5)

# 6. A quantized function argument and result across func.call.
qt = "!quant.uniform<i8:f32:0, {0.5:3, 0.25:-1}>"
Q = f"tensor<2x6x{qt}>"
f = f"""
  func.func @dq(%q: {Q}) -> tensor<2x6xf32> {{
    %d = quant.dcast %q : {Q} to tensor<2x6xf32>
    return %d : tensor<2x6xf32>
  }}
  func.func @q(%x: tensor<2x6xf32>) -> {Q} {{
    %q = quant.qcast %x : tensor<2x6xf32> to {Q}
    return %q : {Q}
  }}
  func.func @f(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {{
    %q = call @q(%x) : (tensor<2x6xf32>) -> {Q}
    %d = call @dq(%q) : ({Q}) -> tensor<2x6xf32>
    return %d : tensor<2x6xf32>
  }}"""
x = (rng.standard_normal((2, 6)) * 40).astype(np.float32)
(d,) = run(f, [x], ["f32"], [([2, 6], "f32")])
s_arr, z_arr = np.array([0.5, 0.25], np.float32)[:, None], np.array([3, -1])[:, None]
kt.assert_close("per-axis through func.call", d,
                (quantize(x, s_arr, z_arr, -128, 127) - z_arr) * s_arr.astype(np.float64))
