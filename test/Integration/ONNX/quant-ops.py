# RUN: %python %s
# ONNX quantization ops through kiln-compile + kiln-run against numpy:
# QuantizeLinear (per-tensor and per-axis; int8 and uint8; with and without a
# zero point; saturation; ties rounded half to even), DequantizeLinear
# (per-tensor, per-axis, int32 bias, and blocked DequantizeLinear-21 with
# block_size, including a partial last block), MatMulInteger, QLinearMatMul,
# QLinearConv (per-channel weights, bias, depthwise) and ConvInteger.
# Integer outputs are exact. Scales are powers of two where a case checks
# ties (every product is then exact in f32); with other scales an element
# within 1e-4 of a rounding tie may land on either side. uint8 is quantized
# data inside the graph only (Kiln's graph I/O is float or signed int), so
# uint8 cases enter through QuantizeLinear and leave through DequantizeLinear.
import numpy as np

from onnx_testing import Suite, assert_close, check_model, node, rng, run_nodes

suite = Suite("onnx-quant-ops")
R = rng(13)
f32, i8, u8, i32 = np.float32, np.int8, np.uint8, np.int32
LIMITS = {np.dtype(i8): (-128, 127), np.dtype(u8): (0, 255)}


def requant(real, zp, dtype):
    """saturate(round_half_even(real) + zp) and the near-tie alternatives."""
    lo, hi = LIMITS[np.dtype(dtype)]
    sat = lambda v: np.clip(v + zp, lo, hi)
    near = np.abs(np.abs(real - np.floor(real)) - 0.5) < 1e-4
    return sat(np.rint(real)).astype(dtype), near, sat(np.floor(real)), sat(np.ceil(real))


def check_quant(name, got, real, zp, dtype, exact_ties=True):
    want, near, down, up = requant(real, zp, dtype)
    if exact_ties:
        return assert_close(name, got, want)
    if got.shape != want.shape or got.dtype != want.dtype:
        raise AssertionError(f"{name}: {got.dtype}{got.shape} != {want.dtype}{want.shape}")
    bad = (got != want) & ~(near & ((got == down) | (got == up)))
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        raise AssertionError(f"{name}: {int(bad.sum())} elements differ; at {i}: "
                             f"{got[i]} != {want[i]} (real {real[i]})")
    return 0.0


def qx(shape, scale, quarters=600):
    """Floats on a grid of scale / 4: x / scale has fractions .0 .25 .5 .75."""
    return (R.integers(-quarters, quarters, shape) * (scale / 4)).astype(f32)


def along(v, axis, ndim):
    shape = [1] * ndim
    shape[axis] = -1
    return np.asarray(v).reshape(shape)


@suite.case
def quantize_int8():
    x = qx((3, 5, 7), 0.125)
    s, z = np.array(0.125, f32), np.array(-3, i8)
    got, = run_nodes("q_tensor", [node("QuantizeLinear", ["x", "s", "z"], ["y"])],
                     {"x": x}, {"y": (i8, x.shape)}, {"s": s, "z": z})
    check_quant("q_tensor_ties", got, x / 0.125, -3, i8)
    xs = (R.standard_normal((13, 7)) * 4).astype(f32)
    s2, z2 = np.array(0.0371, f32), np.array(5, i8)
    got, = run_nodes("q_any_scale", [node("QuantizeLinear", ["x", "s", "z"], ["y"])],
                     {"x": xs}, {"y": (i8, xs.shape)}, {"s": s2, "z": z2})
    check_quant("q_any_scale", got, xs.astype(np.float64) / np.float64(s2), 5, i8, False)
    for axis in (1, 0, -1):
        n = x.shape[axis]
        sc = (2.0 ** R.integers(-4, 2, n)).astype(f32)
        zp = R.integers(-20, 20, n).astype(i8)
        xa = qx((3, 5, 7), 0.0625)
        got, = run_nodes(f"q_axis{axis}", [node("QuantizeLinear", ["x", "s", "z"], ["y"],
                                                axis=axis)],
                         {"x": xa}, {"y": (i8, xa.shape)}, {"s": sc, "z": zp})
        check_quant(f"q_axis{axis}", got, xa / along(sc, axis, 3), along(zp, axis, 3), i8)


def dq(q, scale, zp, axis=None, ndim=None):
    if axis is not None:
        scale, zp = along(scale, axis, ndim), along(zp, axis, ndim)
    return ((q.astype(np.float64) - zp) * scale).astype(f32)


@suite.case
def quantize_uint8_roundtrip():
    x = qx((5, 13), 0.25, quarters=1000)
    s, z = np.array(0.25, f32), np.array(128, u8)
    nodes = [node("QuantizeLinear", ["x", "s", "z"], ["q"]),
             node("DequantizeLinear", ["q", "s", "z"], ["y"])]
    want = dq(requant(x / 0.25, 128, u8)[0], 0.25, 128)
    worst = check_model("q_u8_roundtrip", nodes, {"x": x}, {"y": want}, {"s": s, "z": z},
                        rtol=0, atol=0)
    # No zero point: uint8 with zp 0 (negatives saturate to 0).
    nodes = [node("QuantizeLinear", ["x", "s"], ["q"]),
             node("DequantizeLinear", ["q", "s"], ["y"])]
    want = dq(requant(x / 0.25, 0, u8)[0], 0.25, 0)
    worst = max(worst, check_model("q_u8_default_zp", nodes, {"x": x}, {"y": want},
                                   {"s": s}, rtol=0, atol=0))
    # Per-axis uint8.
    sc = (2.0 ** R.integers(-3, 1, 13)).astype(f32)
    zp = R.integers(100, 156, 13).astype(u8)
    nodes = [node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1),
             node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=1)]
    q = requant(x / along(sc, 1, 2), along(zp, 1, 2).astype(np.int64), u8)[0]
    worst = max(worst, check_model("q_u8_axis", nodes, {"x": x},
                                   {"y": dq(q, sc, zp.astype(np.int64), 1, 2)},
                                   {"s": sc, "z": zp}, rtol=0, atol=0))
    return worst


@suite.case
def dequantize():
    q = R.integers(-128, 128, (7, 13)).astype(i8)
    s, z = np.array(0.05, f32), np.array(-4, i8)
    check_model("dq_tensor_i8", [node("DequantizeLinear", ["q", "s", "z"], ["y"])],
                {"q": q}, {"y": dq(q, s, -4)}, {"s": s, "z": z}, rtol=1e-6)
    check_model("dq_tensor_i8_no_zp", [node("DequantizeLinear", ["q", "s"], ["y"])],
                {"q": q}, {"y": dq(q, s, 0)}, {"s": s}, rtol=1e-6)
    for axis, n in [(0, 7), (1, 13), (-1, 13)]:
        sc = (R.random(n) * 0.1 + 0.01).astype(f32)
        zp = R.integers(-10, 10, n).astype(i8)
        check_model(f"dq_axis{axis}_i8", [node("DequantizeLinear", ["q", "s", "z"], ["y"],
                                               axis=axis)],
                    {"q": q}, {"y": dq(q, sc, zp, axis, 2)}, {"s": sc, "z": zp}, rtol=1e-6)
    # uint8 weights as an initializer, per output channel.
    w = R.integers(0, 256, (7, 13)).astype(u8)
    sc, zp = (R.random(7) * 0.1 + 0.01).astype(f32), R.integers(100, 156, 7).astype(u8)
    check_model("dq_axis0_u8_const", [node("DequantizeLinear", ["w", "s", "z"], ["y"], axis=0)],
                {}, {"y": dq(w, sc, zp.astype(np.int64), 0, 2)},
                {"w": w, "s": sc, "z": zp}, rtol=1e-6)
    # int32 bias (zero point 0).
    b = R.integers(-100000, 100000, (13,)).astype(i32)
    check_model("dq_int32_bias", [node("DequantizeLinear", ["b", "s"], ["y"])],
                {"b": b}, {"y": dq(b, f32(0.001), 0)},
                {"s": np.array(0.001, f32)}, rtol=1e-6)


def blocked_ref(q, scale, zp, axis, block):
    rep = lambda a: np.repeat(a, block, axis=axis).take(range(q.shape[axis]), axis=axis)
    return ((q.astype(np.float64) - rep(zp).astype(np.float64)) * rep(scale)).astype(f32)


@suite.case
def dequantize_blocked_21():
    worst = 0.0
    for name, shape, axis, block, dt in [("dq21_axis1_b4", (6, 16), 1, 4, i8),
                                         ("dq21_axis0_b3_partial", (7, 5), 0, 3, i8),
                                         ("dq21_axis_neg1_b8_u8", (3, 4, 24), -1, 8, u8),
                                         ("dq21_axis1_b5_partial", (2, 13, 3), 1, 5, i8)]:
        lo, hi = LIMITS[np.dtype(dt)]
        q = R.integers(lo, hi + 1, shape).astype(dt)
        sshape = list(shape)
        sshape[axis] = -(-shape[axis] // block)
        sc = (R.random(sshape) * 0.1 + 0.01).astype(f32)
        zp = (R.integers(120, 136, sshape) if dt == u8 else
              R.integers(-8, 8, sshape)).astype(dt)
        want = blocked_ref(q, sc, zp, axis, block)
        dqn = node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=axis, block_size=block)
        # int8 data at run time; uint8 data as a constant (weights).
        ins, inits = ({"q": q}, {"s": sc, "z": zp}) if dt == i8 else \
            ({}, {"q": q, "s": sc, "z": zp})
        worst = max(worst, check_model(name, [dqn], ins, {"y": want}, inits, opset=21,
                                       rtol=1e-6))
    # Opset 21 per-tensor and per-axis still work.
    q = R.integers(-128, 128, (5, 7)).astype(i8)
    worst = max(worst, check_model(
        "dq21_tensor", [node("DequantizeLinear", ["q", "s"], ["y"])], {"q": q},
        {"y": dq(q, 0.5, 0)}, {"s": np.array(0.5, f32)}, opset=21, rtol=0, atol=0))
    return worst


def mm_int(a, b, azp=0, bzp=0):
    return np.matmul(a.astype(np.int64) - azp, b.astype(np.int64) - bzp)


@suite.case
def matmul_integer():
    a = R.integers(-128, 128, (5, 13)).astype(i8)
    b = R.integers(-128, 128, (13, 7)).astype(i8)
    azp, bzp = np.array(3, i8), np.array(-2, i8)
    check_model("mmi_zps", [node("MatMulInteger", ["a", "b", "az", "bz"], ["y"])],
                {"a": a}, {"y": mm_int(a, b, 3, -2).astype(i32)},
                {"b": b, "az": azp, "bz": bzp})
    check_model("mmi_no_zps", [node("MatMulInteger", ["a", "b"], ["y"])],
                {"a": a, "b": b}, {"y": mm_int(a, b).astype(i32)})
    bcol = R.integers(-5, 5, 7).astype(i8)
    check_model("mmi_b_zp_per_column", [node("MatMulInteger", ["a", "b", "", "bz"], ["y"])],
                {"a": a}, {"y": mm_int(a, b, 0, bcol).astype(i32)}, {"b": b, "bz": bcol})
    a3 = R.integers(-128, 128, (2, 5, 13)).astype(i8)
    check_model("mmi_3d", [node("MatMulInteger", ["a", "b", "az"], ["y"])],
                {"a": a3}, {"y": mm_int(a3, b, 3).astype(i32)}, {"b": b, "az": azp})
    # uint8 activations from QuantizeLinear (zero point 128).
    x = qx((5, 13), 0.5, quarters=500)
    qa = requant(x / 0.5, 128, u8)[0]
    check_model("mmi_u8_from_quantize",
                [node("QuantizeLinear", ["x", "s", "z"], ["q"]),
                 node("MatMulInteger", ["q", "b", "z"], ["y"])],
                {"x": x}, {"y": mm_int(qa, b, 128).astype(i32)},
                {"s": np.array(0.5, f32), "z": np.array(128, u8), "b": b})


@suite.case
def qlinear_matmul():
    a = R.integers(-128, 128, (5, 13)).astype(i8)
    b = R.integers(-128, 128, (13, 7)).astype(i8)
    p = {"as": np.array(2.0 ** -4, f32), "az": np.array(1, i8),
         "bs": np.array(2.0 ** -5, f32), "bz": np.array(-2, i8),
         "ys": np.array(2.0 ** -1, f32), "yz": np.array(-5, i8)}
    n = node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"])
    got, = run_nodes("qlmm_i8", [n], {"a": a}, {"y": (i8, (5, 7))}, p | {"b": b})
    real = mm_int(a, b, 1, -2) * 2.0 ** -8
    check_quant("qlmm_i8_ties", got, real, -5, i8)
    q = p | {"as": np.array(0.0173, f32), "bs": np.array(0.0091, f32),
             "ys": np.array(0.0411, f32)}
    got, = run_nodes("qlmm_any_scale", [n], {"a": a}, {"y": (i8, (5, 7))}, q | {"b": b})
    real = mm_int(a, b, 1, -2) * (np.float64(q["as"]) * np.float64(q["bs"]) /
                                  np.float64(q["ys"]))
    check_quant("qlmm_any_scale", got, real, -5, i8, exact_ties=False)
    # uint8 in and out, wrapped in QuantizeLinear / DequantizeLinear.
    x = qx((5, 13), 0.25, quarters=800)
    u = {"xs": np.array(0.25, f32), "xz": np.array(128, u8),
         "yu": np.array(0.5, f32), "yuz": np.array(120, u8)}
    nodes = [node("QuantizeLinear", ["x", "xs", "xz"], ["qa"]),
             node("QLinearMatMul", ["qa", "xs", "xz", "b", "bs", "bz", "yu", "yuz"], ["qy"]),
             node("DequantizeLinear", ["qy", "yu", "yuz"], ["y"])]
    qa = requant(x / 0.25, 128, u8)[0]
    qy = requant(mm_int(qa, b, 128, -2) * (0.25 * 2.0 ** -5 / 0.5), 120, u8)[0]
    return check_model("qlmm_u8", nodes, {"x": x}, {"y": dq(qy, 0.5, 120)},
                       p | u | {"b": b}, rtol=0, atol=0)


def conv_int(x, w, stride=1, pad=0, groups=1):
    x = np.pad(x.astype(np.int64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    y, mg = np.zeros((n, m, oh, ow), np.int64), m // groups
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                patch = x[:, g * cg:(g + 1) * cg, i:i + stride * oh:stride, j:j + stride * ow:stride]
                y[:, g * mg:(g + 1) * mg] += np.einsum(
                    "nchw,oc->nohw", patch, w[g * mg:(g + 1) * mg, :, i, j].astype(np.int64))
    return y


@suite.case
def qlinear_conv():
    for name, cin, m, groups, stride in [("qlconv", 3, 4, 1, 1),
                                         ("qlconv_depthwise_s2", 5, 5, 5, 2)]:
        x = R.integers(-20, 20, (1, cin, 7, 9)).astype(i8)
        w = R.integers(-20, 20, (m, cin // groups, 3, 3)).astype(i8)
        ws = (2.0 ** R.integers(-7, -4, m)).astype(f32)
        bias = R.integers(-3000, 3000, m).astype(i32)
        p = {"xs": np.array(2.0 ** -3, f32), "xz": np.array(2, i8), "w": w, "ws": ws,
             "wz": np.zeros(m, i8), "ys": np.array(2.0 ** -4, f32), "yz": np.array(-7, i8),
             "b": bias}
        n = node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                 pads=[1, 1, 1, 1], strides=[stride] * 2, group=groups)
        acc = conv_int(x.astype(np.int64) - 2, w, stride, 1, groups) + bias.reshape(1, -1, 1, 1)
        real = acc * (2.0 ** -3 * ws.astype(np.float64).reshape(1, -1, 1, 1) / 2.0 ** -4)
        got, = run_nodes(name, [n], {"x": x}, {"y": (i8, real.shape)}, p)
        check_quant(name, got, real, -7, i8)
    # uint8 activations in and out.
    xf = qx((1, 3, 7, 7), 0.5, quarters=200)
    qa = requant(xf / 0.5, 128, u8)[0]
    w = R.integers(-20, 20, (4, 3, 3, 3)).astype(i8)
    ws = (2.0 ** R.integers(-7, -4, 4)).astype(f32)
    p = {"xs": np.array(0.5, f32), "xz": np.array(128, u8), "w": w, "ws": ws,
         "wz": np.zeros(4, i8), "ys": np.array(0.25, f32), "yz": np.array(110, u8)}
    acc = conv_int(qa.astype(np.int64) - 128, w)
    qy = requant(acc * (0.5 * ws.astype(np.float64).reshape(1, -1, 1, 1) / 0.25), 110, u8)[0]
    nodes = [node("QuantizeLinear", ["x", "xs", "xz"], ["qx"]),
             node("QLinearConv", ["qx", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["qy"]),
             node("DequantizeLinear", ["qy", "ys", "yz"], ["y"])]
    return check_model("qlconv_u8", nodes, {"x": xf}, {"y": dq(qy, 0.25, 110)}, p,
                       rtol=0, atol=0)


@suite.case
def conv_integer():
    x = R.integers(-128, 128, (1, 3, 9, 9)).astype(i8)
    w = R.integers(-128, 128, (5, 3, 3, 3)).astype(i8)
    check_model("convint_zps_s2_p1",
                [node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], pads=[1, 1, 1, 1],
                      strides=[2, 2])],
                {"x": x}, {"y": conv_int(x.astype(np.int64) - 2, w.astype(np.int64) + 1,
                                         2, 1).astype(i32)},
                {"w": w, "xz": np.array(2, i8), "wz": np.array(-1, i8)})
    check_model("convint_no_zps", [node("ConvInteger", ["x", "w"], ["y"])],
                {"x": x, "w": w}, {"y": conv_int(x, w).astype(i32)})


suite.main()
