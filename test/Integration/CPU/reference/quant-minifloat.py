# RUN: %python %s
# kiln.quantize / kiln.dequantize with minifloat storage (float and mx kinds)
# through the reference pipeline, bit-exact against quant_ref (numpy):
# every f8E4M3FN / f8E5M2 / f4E2M1FN / f8E8M0FNU code decoded, encodes at
# and around every midpoint (ties to even), saturation, inf, NaN, signed
# zeros, zero scales, and MXFP4 / MXFP8 on [7, 45] with a partial block.
import numpy as np
import kiln_testing as kt
from kiln_cases import ty
import quant_ref as qr

rng = np.random.default_rng(1234)


def deq_func(storage, shape, scale_shape, scale_elt, fmt):
    """@f(q, s) -> bits of dequantize(q, s) as i32."""
    q, s, y = ty(shape, storage), ty(scale_shape, scale_elt), ty(shape, "f32")
    yi = ty(shape, "i32")
    return f"""
  func.func @f(%q: {q}, %s: {s}) -> {yi} {{
    %e = tensor.empty() : {y}
    %y = kiln.dequantize %q scale(%s : {s}) : {q} outs(%e : {y})
         {{format = {fmt}}} -> {y}
    %b = arith.bitcast %y : {y} to {yi}
    return %b : {yi}
  }}"""


def q_func(storage, shape, scale_shape, scale_elt, fmt):
    x, s, q = ty(shape, "f32"), ty(scale_shape, scale_elt), ty(shape, storage)
    return f"""
  func.func @f(%x: {x}, %s: {s}) -> {q} {{
    %e = tensor.empty() : {q}
    %q = kiln.quantize %x scale(%s : {s}) : {x} outs(%e : {q})
         {{format = {fmt}}} -> {q}
    return %q : {q}
  }}"""


# 1. Every minifloat code decodes exactly (scale 1 and 0.375, float kind).
for fmt in qr.FORMATS:
    codes = np.arange(qr.ncodes(fmt))
    for scale in (1.0, 0.375):
        s = np.array(scale, np.float32)
        (got,) = kt.run_func(deq_func(fmt, codes.shape, [], "f32",
                                      "#kiln.qformat<float>"), "f",
                             [codes, s], [fmt, "f32"],
                             [(list(codes.shape), "i32")])
        want = qr.decode(fmt, codes) * s
        qr.check_equal(f"dequantize every {fmt} code, scale {scale}", got,
                       qr.f32_bits(want))

# 2. Every E8M0 code as an MX block scale of the element 1.0 (and -1.5).
e8 = np.arange(256)
for elem_code, elem in ((0x38, 1.0), (0xBC, -1.5)):
    q = np.full((256, 32), elem_code)
    assert qr.decode("f8E4M3FN", [elem_code])[0] == elem
    (got,) = kt.run_func(
        deq_func("f8E4M3FN", [256, 32], [256, 1], "f8E8M0FNU",
                 "#kiln.qformat<mx, axis = 1, block = 32>"), "f",
        [q, e8.reshape(256, 1)], ["f8E4M3FN", "f8E8M0FNU"],
        [([256, 32], "i32")])
    want = np.float32(elem) * qr.e8m0_value(e8).reshape(256, 1) * np.ones(
        (1, 32), np.float32)
    qr.check_equal(f"every E8M0 code scaling {elem}", got, qr.f32_bits(want))

# 3. Encode at and one ulp around every midpoint, plus the edge cases.
for fmt in qr.FORMATS:
    codes, vals = qr.positive_finite(fmt)
    mids = ((vals[:-1] + vals[1:]) / 2).astype(np.float32)
    assert (mids.astype(np.float64) == (vals[:-1] + vals[1:]) / 2).all()
    around = np.concatenate([mids, np.nextafter(mids, np.float32(0)),
                             np.nextafter(mids, np.float32(np.inf)),
                             vals.astype(np.float32)])
    mx = np.float32(vals[-1])
    edge = np.array([mx * 1.01, mx * 1.2, 1e30, np.inf, np.nan, 0.0,
                     1e-40, 2.0 ** -10, 2.0 ** -17, 2.0 ** -3, 2.0 ** -2,
                     2.0 ** -1.5, 3e-39], np.float32)
    x = np.concatenate([around, -around, edge, -edge]).astype(np.float32)
    s = np.array(1.0, np.float32)
    (got,) = kt.run_func(q_func(fmt, x.shape, [], "f32",
                                "#kiln.qformat<float>"), "f", [x, s],
                         ["f32", "f32"], [(list(x.shape), fmt)])
    qr.check_equal(f"encode {fmt} around every midpoint ({x.size} values)",
                   got, qr.encode(fmt, x))

# 4. Per-axis scales with a zero scale row; random data.
for fmt in qr.FORMATS:
    x = (rng.standard_normal((7, 13)) * 40).astype(np.float32)
    x[2, 3] = np.nan
    s = np.abs(rng.standard_normal(7)).astype(np.float32) + 0.1
    s[4] = 0.0
    (got,) = kt.run_func(q_func(fmt, x.shape, [7], "f32",
                                "#kiln.qformat<float, axis = 0>"), "f",
                         [x, s], ["f32", "f32"], [([7, 13], fmt)])
    want = qr.encode(fmt, qr.safe_div(x, s.reshape(7, 1)))
    assert (want[4] == 0).all()
    qr.check_equal(f"quantize {fmt} per axis with a zero scale", got, want)

# 5. MXFP4 / MXFP8 on [7, 45], block 32 along axis 1 (partial last block):
#    OCP scales from the block absmax, quantize, then dequantize the codes.
for fmt in qr.FORMATS:
    x = (rng.standard_normal((7, 45)) *
         np.exp2(rng.integers(-6, 6, (7, 1)))).astype(np.float32)
    x[3, 32:] = 0.0  # an all-zero (partial) block: scale code 0
    amax = np.stack([np.abs(x[:, :32]).max(1), np.abs(x[:, 32:]).max(1)], 1)
    sc = qr.mx_scale_codes(amax, fmt)
    fmtattr = "#kiln.qformat<mx, axis = 1, block = 32>"
    (got,) = kt.run_func(q_func(fmt, [7, 45], [7, 2], "f8E8M0FNU", fmtattr),
                         "f", [x, sc], ["f32", "f8E8M0FNU"], [([7, 45], fmt)])
    scale = qr.block_expand(qr.e8m0_value(sc), (7, 45), 1, 32)
    want = qr.encode(fmt, (x / scale).astype(np.float32))
    qr.check_equal(f"MX quantize {fmt} [7, 45]", got, want)
    (back,) = kt.run_func(deq_func(fmt, [7, 45], [7, 2], "f8E8M0FNU",
                                   fmtattr), "f", [want, sc],
                          [fmt, "f8E8M0FNU"], [([7, 45], "i32")])
    qr.check_equal(f"MX dequantize {fmt} [7, 45]", back,
                   qr.f32_bits(qr.decode(fmt, want) * scale))
