# RUN: %python %s
# kiln.quantize / kiln.dequantize, int kind (i8 and i4 storage), per tensor,
# per axis and blocked ([7, 45] with block 32: a partial last block), with
# zero points, against numpy: round half to even (np.rint), saturation, a
# zero scale (encodes the value 0: q = zp), NaN (value 0), bf16 input,
# f16 output, and a dynamic leading dim.
import numpy as np
import kiln_testing as kt
from kiln_cases import ty
import quant_ref as qr

rng = np.random.default_rng(99)
RANGE = {"i8": (-128, 127), "i4": (-8, 7)}


def ref_quantize(x, s, zp, storage):
    lo, hi = RANGE[storage]
    t = qr.safe_div(x, s)
    t = np.where(np.isnan(t), np.float32(0), t).astype(np.float64)
    t = np.clip(np.rint(t), -2.0 ** 40, 2.0 ** 40)
    return np.clip(t.astype(np.int64) + zp, lo, hi)


def ref_dequantize(q, s, zp):
    n = np.asarray(q, np.int64) - zp
    return (n.astype(np.float32) * np.asarray(s, np.float32)).astype(np.float32)


def codec_func(storage, shape, s_shape, fmt, in_elt="f32", out_elt="f32",
               dyn=False):
    """@f(x, s, zp) -> (q, bits of dequantize(q) in out_elt, as f32 bits)."""
    dshape = ["?"] + list(shape[1:]) if dyn else shape
    x, q = ty(shape, in_elt), ty(shape, storage)
    xd, qd, yd = ty(dshape, in_elt), ty(dshape, storage), ty(dshape, out_elt)
    s, z = ty(s_shape, "f32"), ty(s_shape, "i32")
    y32, yi = ty(shape, "f32"), ty(shape, "i32")
    cast_in = f"%xd = tensor.cast %x : {x} to {xd}" if dyn else \
        "%xd = tensor.cast %x : {0} to {0}".format(x)
    ext = (f"%y32 = arith.extf %yc : {ty(shape, out_elt)} to {y32}"
           if out_elt != "f32" else "%y32 = tensor.cast %yc : {0} to {0}".format(y32))
    return f"""
  func.func @f(%x: {x}, %s: {s}, %zp: {z}) -> ({q}, {yi}) {{
    {cast_in}
    %c0 = arith.constant 0 : index
    %d0 = tensor.dim %xd, %c0 : {xd}
    %eq = tensor.empty(%d0) : {qd}
    %ey = tensor.empty(%d0) : {yd}
    %q = kiln.quantize %xd scale(%s : {s}) zero_point(%zp : {z}) : {xd}
         outs(%eq : {qd}) {{format = {fmt}}} -> {qd}
    %y = kiln.dequantize %q scale(%s : {s}) zero_point(%zp : {z}) : {qd}
         outs(%ey : {yd}) {{format = {fmt}}} -> {yd}
    %qc = tensor.cast %q : {qd} to {q}
    %yc = tensor.cast %y : {yd} to {ty(shape, out_elt)}
    {ext}
    %b = arith.bitcast %y32 : {y32} to {yi}
    return %qc, %b : {q}, {yi}
  }}""".replace("tensor.empty(%d0)", "tensor.empty(%d0)" if dyn else
                "tensor.empty()")


def run(storage, x, s, zp, fmt, s_full, zp_full, in_elt="f32", out_elt="f32",
        dyn=False, name=""):
    shape = list(x.shape)
    xin = kt.bf16_bits(x) if in_elt == "bf16" else x
    xval = kt.bf16_to_f32(xin) if in_elt == "bf16" else x
    q, yb = kt.run_func(codec_func(storage, shape, list(s.shape), fmt, in_elt,
                                   out_elt, dyn), "f", [xin, s, zp],
                        [in_elt, "f32", "i32"],
                        [(shape, storage), (shape, "i32")])
    want_q = ref_quantize(xval, s_full, zp_full, storage)
    qr.check_equal(f"quantize {name}", q, want_q)
    want_y = ref_dequantize(want_q, s_full, zp_full)
    if out_elt == "f16":
        want_y = want_y.astype(np.float16).astype(np.float32)
    qr.check_equal(f"dequantize {name}", yb, qr.f32_bits(want_y))


# Ties and saturation, per tensor: x / s lands exactly on k + 0.5.
for storage in ("i8", "i4"):
    lo, hi = RANGE[storage]
    k = np.arange(lo - 3, hi + 3)
    x = np.concatenate([k + 0.5, k - 0.5, k + 0.49, k + 0.51, [1e9, -1e9,
                        np.inf, -np.inf, np.nan, 0.0, -0.0]]).astype(np.float32)
    x = (x * np.float32(0.25)).astype(np.float32)  # exact, scale 0.25
    s = np.array(0.25, np.float32)
    for z in (0, 3, -5):
        zp = np.array(z, np.int32)
        run(storage, x.reshape(1, -1), s, zp, "#kiln.qformat<int>", s, zp,
            name=f"{storage} ties/saturation zp={z}")

# Per axis (axis 1) with a zero scale column and random zero points.
for storage in ("i8", "i4"):
    lo, hi = RANGE[storage]
    x = (rng.standard_normal((7, 13)) * 3).astype(np.float32)
    s = (np.abs(rng.standard_normal(13)) * 0.2 + 0.05).astype(np.float32)
    s[5] = 0.0
    zp = rng.integers(lo // 2, hi // 2 + 1, 13).astype(np.int32)
    run(storage, x, s, zp, "#kiln.qformat<int, axis = 1>", s.reshape(1, 13),
        zp.reshape(1, 13), name=f"{storage} per axis [7, 13]")

# Blocked [7, 45], block 32 along axis 1, bf16 input, f16 output; and the
# same along axis 0 (block 4 -> 2 blocks, partial) with a dynamic dim.
for storage in ("i8", "i4"):
    lo, hi = RANGE[storage]
    x = (rng.standard_normal((7, 45)) * 2).astype(np.float32)
    s = (np.abs(rng.standard_normal((7, 2))) * 0.1 + 0.02).astype(np.float32)
    zp = rng.integers(lo, hi + 1, (7, 2)).astype(np.int32)
    run(storage, x, s, zp, "#kiln.qformat<int, axis = 1, block = 32>",
        qr.block_expand(s, (7, 45), 1, 32),
        qr.block_expand(zp, (7, 45), 1, 32), in_elt="bf16", out_elt="f16",
        name=f"{storage} blocked axis 1 [7, 45] bf16 -> f16")
    s0 = (np.abs(rng.standard_normal((2, 45))) * 0.1 + 0.02).astype(np.float32)
    zp0 = rng.integers(lo, hi + 1, (2, 45)).astype(np.int32)
    run(storage, x, s0, zp0, "#kiln.qformat<int, axis = 0, block = 4>",
        qr.block_expand(s0, (7, 45), 0, 4), qr.block_expand(zp0, (7, 45), 0, 4),
        dyn=True, name=f"{storage} blocked axis 0 [?x45] (7 rows)")
