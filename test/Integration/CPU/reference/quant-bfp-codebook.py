# RUN: %python %s
# kiln.quantize / kiln.dequantize for block floating point (bits 2, 4, 8;
# E8M0 shared exponents from the block absmax) and the bitsandbytes dynamic
# codebooks (signed / unsigned, block absmax scales incl. an all-zero block,
# entries, midpoints and their neighbours, NaN), on odd sizes with partial
# blocks, against numpy; codes compared bit-exactly, values by their bits.
import numpy as np
import kiln_testing as kt
from kiln_cases import ty
import quant_ref as qr

rng = np.random.default_rng(2024)


def codec_func(shape, s_shape, s_elt, fmt):
    """@f(x, s) -> (q : i8, bits of dequantize(q) : i32)."""
    x, q, s = ty(shape, "f32"), ty(shape, "i8"), ty(s_shape, s_elt)
    yi = ty(shape, "i32")
    return f"""
  func.func @f(%x: {x}, %s: {s}) -> ({q}, {yi}) {{
    %eq = tensor.empty() : {q}
    %ey = tensor.empty() : {x}
    %q = kiln.quantize %x scale(%s : {s}) : {x} outs(%eq : {q})
         {{format = {fmt}}} -> {q}
    %y = kiln.dequantize %q scale(%s : {s}) : {q} outs(%ey : {x})
         {{format = {fmt}}} -> {x}
    %b = arith.bitcast %y : {x} to {yi}
    return %q, %b : {q}, {yi}
  }}"""


def block_absmax(x, axis, block):
    n = x.shape[axis]
    parts = [np.abs(np.take(x, range(i, min(i + block, n)), axis=axis)).max(
        axis=axis, keepdims=True) for i in range(0, n, block)]
    return np.concatenate(parts, axis=axis).astype(np.float32)


# Block floating point.
for bits in (2, 4, 8):
    for shape, axis, block in (((7, 45), 1, 32), ((13, 5), 0, 4)):
        x = (rng.standard_normal(shape) *
             np.exp2(rng.integers(-8, 8, shape))).astype(np.float32)
        x[0, :] = 0.0  # zero block(s): code 0
        x[1, 1] = -np.abs(x).max() * 1.9  # an outlier sets a block exponent
        amax = block_absmax(x, axis, block)
        sc = qr.bfp_scale_codes(amax, bits)
        scale = qr.block_expand(qr.e8m0_value(sc), shape, axis, block)
        lim = 2 ** (bits - 1) - 1
        want_q = np.clip(np.rint(x / scale), -lim, lim).astype(np.int64)
        fmt = f"#kiln.qformat<bfp, axis = {axis}, block = {block}, bits = {bits}>"
        q, yb = kt.run_func(codec_func(shape, sc.shape, "f8E8M0FNU", fmt), "f",
                            [x, sc], ["f32", "f8E8M0FNU"],
                            [(list(shape), "i8"), (list(shape), "i32")])
        name = f"bfp{bits} {list(shape)} axis {axis} block {block}"
        qr.check_equal(f"quantize {name}", q, want_q)
        want_y = (want_q.astype(np.float32) * scale).astype(np.float32)
        qr.check_equal(f"dequantize {name}", yb, qr.f32_bits(want_y))
        err = np.abs(want_y - x)
        assert (err <= scale).all(), "BFP error bound (one step) violated"

# Codebooks.
for name, signed in (("dynamic_signed", True), ("dynamic_unsigned", False)):
    code = qr.dynamic_map(signed)
    assert code.size == 256 and (np.diff(code) > 0).all()
    # Per tensor (absmax 1): every entry, the f32 nearest every midpoint and
    # its neighbours, out-of-range values, NaN.
    mids = ((code[:-1].astype(np.float64) + code[1:]) / 2).astype(np.float32)
    x = np.concatenate([code, mids, np.nextafter(mids, np.float32(-2)),
                        np.nextafter(mids, np.float32(2)),
                        [1.5, -1.5, 1e-9, -1e-9, np.nan]]).astype(np.float32)
    s = np.array(1.0, np.float32)
    fmt = f"#kiln.qformat<codebook, codebook = {name}>"
    q, yb = kt.run_func(codec_func(x.shape, [], "f32", fmt), "f", [x, s],
                        ["f32", "f32"], [(list(x.shape), "i8"),
                                         (list(x.shape), "i32")])
    xs = np.where(np.isnan(x), np.float32(0), x)
    want_q = qr.codebook_encode(code, xs)
    assert (want_q[:256] == np.arange(256)).all()
    qr.check_equal(f"quantize {name} entries/midpoints", q & 0xFF, want_q)
    qr.check_equal(f"dequantize {name} entries/midpoints", yb,
                   qr.f32_bits(code[want_q]))
    # Blocked absmax (bitsandbytes style) on [7, 45], block 32 along axis 1,
    # with an all-zero block (absmax 0 encodes the entry nearest 0).
    shape = (7, 45)
    x = rng.standard_normal(shape).astype(np.float32)
    if not signed:
        x = np.abs(x)
    x[2, 32:] = 0.0
    x[4, :32] = 0.0
    amax = block_absmax(x, 1, 32)
    fmt = f"#kiln.qformat<codebook, axis = 1, block = 32, codebook = {name}>"
    q, yb = kt.run_func(codec_func(shape, amax.shape, "f32", fmt), "f",
                        [x, amax], ["f32", "f32"],
                        [(list(shape), "i8"), (list(shape), "i32")])
    scale = qr.block_expand(amax, shape, 1, 32)
    want_q = qr.codebook_encode(code, qr.safe_div(x, scale))
    zero_idx = int(np.argmin(np.abs(code)))
    assert (want_q[2, 32:] == zero_idx).all() and (want_q[4, :32] == zero_idx).all()
    qr.check_equal(f"quantize {name} blocked [7, 45]", q & 0xFF, want_q)
    want_y = (code[want_q] * scale).astype(np.float32)
    qr.check_equal(f"dequantize {name} blocked [7, 45]", yb,
                   qr.f32_bits(want_y))
    # Idempotence: re-encoding the decoded values gives the same indices.
    again = qr.codebook_encode(code, qr.safe_div(want_y, scale))
    assert (again == want_q).all(), "codebook encode not idempotent"
