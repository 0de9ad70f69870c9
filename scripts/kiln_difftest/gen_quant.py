"""ONNX cases: quantization ops.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .gen_basic import *  # noqa: F401,F403
from .gen_conv import *  # noqa: F401,F403
from .gen_shape import *  # noqa: F401,F403

# =================================================== ONNX: quantization ops

QRANGE = {np.dtype(np.int8): (-128, 127), np.dtype(np.uint8): (0, 255)}


def along(v, axis, rank):
    sh = [1] * rank
    sh[axis] = -1
    return np.asarray(v).reshape(sh)


def qscale(r, n=None, pow2=None):
    """Positive f32 scales: powers of two (every product exact, ties
    decided by half-to-even) or arbitrary."""
    size = () if n is None else (n,)
    if pow2:
        return np.asarray(2.0 ** r.integers(-6, 0, size), np.float32)
    return np.asarray(r.random(size) * 0.1 + 0.005, np.float32)


def qgrid(r, s, scale, zp, dtype, pow2):
    """x with x / scale = k + f: f in quarters (ties included) for
    power-of-two scales, else |f| <= 0.4 (no ties); k reaches past the
    storage range now and then (saturation)."""
    lo, hi = QRANGE[np.dtype(dtype)]
    k = r.integers(lo - 8, hi + 9, s) - np.asarray(zp, np.int64)
    f = r.integers(-2, 2, s) / 4 if pow2 else r.uniform(-0.4, 0.4, s)
    return ((k + f) * np.asarray(scale, np.float64)).astype(np.float32)


def quantize(t, zp, dtype):
    """round half to even, add the zero point, saturate."""
    lo, hi = QRANGE[np.dtype(dtype)]
    return np.clip(np.rint(t) + zp, lo, hi)


def near_tie(t, slack=1e-4):
    """Elements whose real quotient t may round either way in f32."""
    frac = np.abs(t - np.floor(t) - 0.5)
    return frac < slack * (1 + np.abs(t))


def q_node(g, x, s, z, dtype, axis=None, rank=None):
    """QuantizeLinear x -> dtype with scale s, zero point z (names)."""
    sv, zv = g.val[s], g.val[z] if z else 0
    attrs = {} if axis is None else {"axis": axis}

    def fn(xv, *_):
        sc = sv if axis is None else along(sv, axis, xv.ndim)
        zz = zv if axis is None else along(zv, axis, xv.ndim)
        # x / scale in f32, as the op computes it
        t = (xv.astype(np.float32) / np.asarray(sc, np.float32)).astype(np.float64)
        return quantize(t, zz, dtype)
    return g.op("QuantizeLinear", [x, s] + ([z] if z else []), fn, dtype=dtype,
                **attrs)


def dq_node(g, q, s, z, axis=None, block=None):
    sv, zv = g.val[s], g.val[z] if z else 0
    attrs = {} if axis is None else {"axis": axis}
    if block:
        attrs["block_size"] = block

    def fn(qv, *_):
        sc, zz = sv, zv
        if block:
            sc = np.repeat(sv, block, axis=axis).take(range(qv.shape[axis]), axis=axis)
            zz = np.repeat(zv, block, axis=axis).take(range(qv.shape[axis]), axis=axis) \
                if z else 0
        elif axis is not None:
            sc, zz = along(sv, axis, qv.ndim), along(zv, axis, qv.ndim) if z else 0
        return (qv - zz) * sc
    return g.op("DequantizeLinear", [q, s] + ([z] if z else []), fn,
                dtype=np.float32, **attrs)


def qparams(g, r, dtype, n=None, pow2=None, zero=False):
    """(scale name, zero point name or "") of a quantizer; per axis when n."""
    lo, hi = QRANGE[np.dtype(dtype)]
    mid = (lo + hi + 1) // 2
    s = g.const(qscale(r, n, pow2))
    size = () if n is None else (n,)
    if zero or r.random() < 0.25:  # zero point 0; left out: uint8 (the default)
        if dtype == np.uint8 and r.random() < 0.5:
            return s, ""
        return s, g.const(np.zeros(size, dtype))
    return s, g.const(r.integers(mid - 12, mid + 12, size).astype(dtype))


def gen_quant(r):
    kind = pick(r, ["q", "qdq", "dq", "mmi", "qlmm", "convint", "qlconv"])
    g = Graph(r, 17)
    pow2 = r.random() < 0.5
    if kind in ("q", "qdq"):
        dtype = np.int8 if kind == "q" or r.random() < 0.5 else np.uint8
        s = shape(r, int(r.integers(1, 4)))
        axis = int(r.integers(-len(s), len(s))) if r.random() < 0.4 else None
        n = None if axis is None else s[axis]
        sc, zp = qparams(g, r, dtype, n, pow2)
        scv = g.val[sc] if axis is None else along(g.val[sc], axis, len(s))
        zv = (g.val[zp] if zp else 0) if axis is None else \
            (along(g.val[zp], axis, len(s)) if zp else 0)
        x = g.inp(qgrid(r, s, scv, zv, dtype, pow2))
        q = q_node(g, x, sc, zp, dtype, axis)
        if kind == "q":
            g.out(q, EXACT)
        else:
            g.out(dq_node(g, q, sc, zp, axis), Check(1e-6, 0))
        return g.case("quant", f"{kind} {np.dtype(dtype).name} {s} axis {axis} "
                      f"pow2 {pow2} zp {bool(zp)}")
    if kind == "dq":
        form = pick(r, ["tensor", "axis", "block", "int32"])
        s = shape(r, int(r.integers(1, 4)))
        if form == "int32":
            q = g.inp(r.integers(-100000, 100000, s).astype(np.int32))
            y = dq_node(g, q, g.const(qscale(r, None, pow2)), "")
        elif form == "block":
            g.opset = 21
            axis = int(r.integers(len(s)))
            block = int(r.integers(1, 6))
            ss = list(s)
            ss[axis] = -(-s[axis] // block)
            sc = g.const((r.random(ss) * 0.1 + 0.01).astype(np.float32))
            zp = g.const(r.integers(-8, 8, ss).astype(np.int8)) if r.random() < 0.5 else ""
            q = g.inp(r.integers(-128, 128, s).astype(np.int8))
            y = dq_node(g, q, sc, zp, axis, block)
        else:
            axis = int(r.integers(len(s))) if form == "axis" else None
            sc, zp = qparams(g, r, np.int8, None if axis is None else s[axis], pow2)
            q = g.inp(r.integers(-128, 128, s).astype(np.int8))
            y = dq_node(g, q, sc, zp, axis)
        g.out(y, Check(1e-6, 0))
        return g.case("quant", f"dq {form} {s}")
    if kind in ("mmi", "qlmm"):
        m, n, k = dim(r), dim(r), dim(r)
        a = g.inp(r.integers(-128, 128, [m, k]).astype(np.int8))
        b = operand(g, r, r.integers(-128, 128, [k, n]).astype(np.int8))
        if kind == "mmi":
            az = g.const(np.array(int(r.integers(-5, 6)), np.int8)) if r.random() < 0.5 else ""
            bz = g.const(r.integers(-5, 6, pick(r, [[], [n]])).astype(np.int8)) \
                if r.random() < 0.5 else ""
            ins = [a, b] + ([az, bz] if bz else [az] if az else [])

            def mmi(av, bv, azv=0, bzv=0):
                return (av - (0 if azv is None else azv)) @ (bv - (0 if bzv is None else bzv))
            y = g.op("MatMulInteger", ins, mmi, dtype=np.int32)
            g.out(y, EXACT)
            return g.case("quant", f"MatMulInteger {m}x{n}x{k} zps {bool(az)} {bool(bz)}")
        p = [qscale(r, None, pow2) for _ in range(3)]
        zs = [np.array(int(r.integers(-6, 7)), np.int8) for _ in range(3)]
        names = [g.const(v) for pair in zip(p, zs) for v in pair]
        ins = [a, names[0], names[1], b, names[2], names[3], names[4], names[5]]
        real = ((g.val[a] - zs[0]) @ (g.val[b] - zs[1])) * \
            (float(p[0]) * float(p[1]) / float(p[2]))
        y = g.op("QLinearMatMul", ins, lambda *_: quantize(real, int(zs[2]), np.int8),
                 dtype=np.int8)
        g.out(y, Check(near=None if pow2 else near_tie(real), quantum=1))
        return g.case("quant", f"QLinearMatMul {m}x{n}x{k} pow2 {pow2}")
    # ConvInteger / QLinearConv (2-D)
    xs, ws, st, lo, hi, dl, groups = conv_geometry(r, 2)
    x = g.inp(r.integers(-60, 60, xs).astype(np.int8))
    w = g.const(r.integers(-60, 60, ws).astype(np.int8))
    xz = int(r.integers(-4, 5))
    attrs = dict(strides=st, pads=lo + hi, dilations=dl, group=groups)
    acc = ke.conv_ref(g.val[x] - xz, g.val[w], st, lo, hi, dl, groups, "nchw", "oihw")
    if kind == "convint":
        y = g.op("ConvInteger", [x, w, g.const(np.array(xz, np.int8))],
                 lambda *_: acc, dtype=np.int32, **attrs)
        g.out(y, EXACT)
        return g.case("quant", f"ConvInteger x{xs} w{ws} s{st} g{groups}")
    xs_, ys_ = qscale(r, None, pow2), qscale(r, None, pow2)
    wsc = qscale(r, ws[0], pow2)
    yz = int(r.integers(-6, 7))
    bias = r.integers(-2000, 2000, ws[0]).astype(np.int32)
    real = (acc + bias.reshape(1, -1, 1, 1)) * (float(xs_) * wsc.astype(np.float64)
                                                 .reshape(1, -1, 1, 1) / float(ys_))
    ins = [x, g.const(xs_), g.const(np.array(xz, np.int8)), w, g.const(wsc),
           g.const(np.zeros(ws[0], np.int8)), g.const(ys_),
           g.const(np.array(yz, np.int8)), g.const(bias)]
    y = g.op("QLinearConv", ins, lambda *_: quantize(real, yz, np.int8),
             dtype=np.int8, **attrs)
    g.out(y, Check(near=None if pow2 else near_tie(real), quantum=1))
    return g.case("quant", f"QLinearConv x{xs} w{ws} s{st} g{groups} pow2 {pow2}")
