# RUN: %python %s
# kiln.qconv with groups and other layouts against numpy (dequantize in f64,
# then a grouped cross-correlation in NCHW / OIHW after transposing):
#  - grouped NCHW / OIHW (groups 2);
#  - depthwise NHWC / HWIO with channel multiplier 2, per-output-channel
#    scales on axis 3, quantized input;
#  - NHWC / OHWI grouped, per output channel (axis 0) with zero points;
#  - OHWI int4 filter with blocks of 2 along the input channels (3 per group:
#    a partial block).
import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(43)


def conv_ref(x, w, strides, lo, hi, groups):
    """x [N, C, H, W], w [O, C/groups, KH, KW], f64, zero padding."""
    xp = np.pad(x, [(0, 0), (0, 0), (lo[0], hi[0]), (lo[1], hi[1])])
    o, cg, kh, kw = w.shape
    oh = (xp.shape[2] - kh) // strides[0] + 1
    ow = (xp.shape[3] - kw) // strides[1] + 1
    y = np.zeros((x.shape[0], o, oh, ow))
    og = o // groups
    for g in range(groups):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i:i + strides[0] * (oh - 1) + 1:strides[0],
                           j:j + strides[1] * (ow - 1) + 1:strides[1]]
                y[:, g * og:(g + 1) * og] += np.einsum(
                    "nchw,oc->nohw", patch, w[g * og:(g + 1) * og, :, i, j])
    return y


def run(name, x, x_elt, x_q, w, w_elt, w_fmt, ws, wz, attrs, ref):
    """x_q: None or (scale, zero point) of a per-tensor quantized input."""
    args = [f"%x: {ty(x.shape, x_elt)}", f"%w: {ty(w.shape, w_elt)}"]
    inputs, types, ops = [x, w], [x_elt, w_elt], ""
    if x_q is not None:
        args += ["%sx: tensor<f32>", "%zx: tensor<i32>"]
        ops += " input_scale(%sx : tensor<f32>) input_zero_point(%zx : tensor<i32>)"
        inputs += [np.array(x_q[0], np.float32), np.array(x_q[1], np.int32)]
        types += ["f32", "i32"]
        attrs = attrs + ["input_format = #kiln.qformat<int>"]
    args.append(f"%s: {ty(ws.shape, 'f32')}")
    ops += f" filter_scale(%s : {ty(ws.shape, 'f32')})"
    inputs.append(ws)
    types.append("f32")
    if wz is not None:
        args.append(f"%z: {ty(wz.shape, 'i32')}")
        ops += f" filter_zero_point(%z : {ty(wz.shape, 'i32')})"
        inputs.append(wz)
        types.append("i32")
    attrs = attrs + [f"filter_format = {w_fmt}"]
    y = ty(ref.shape, "f32")
    f = f"""
  func.func @f({", ".join(args)}) -> {y} {{
    %i = tensor.empty() : {y}
    %y = kiln.qconv ins(%x, %w : {ty(x.shape, x_elt)}, {ty(w.shape, w_elt)}){ops}
         outs(%i : {y}) {{{", ".join(attrs)}}} -> {y}
    return %y : {y}
  }}"""
    (r,) = kt.run_func(f, "f", inputs, types, [(list(ref.shape), "f32")])
    kt.assert_close(name, r, ref, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(ref).max()))


NHWC = ["data_layout = #kiln<data_layout nhwc>"]

# 1. Grouped NCHW / OIHW, groups 2, per output channel.
x = rng.standard_normal((2, 4, 7, 9)).astype(np.float32)
w = rng.integers(-128, 128, (6, 2, 3, 3)).astype(np.int8)
s = (rng.random(6) * 0.02 + 1e-3).astype(np.float32)
deq = w.astype(np.float64) * s.astype(np.float64)[:, None, None, None]
ref = conv_ref(x.astype(np.float64), deq, [1, 2], [1, 1], [1, 0], 2)
run("grouped nchw/oihw", x, "f32", None, w, "i8", "#kiln.qformat<int, axis = 0>", s, None,
    ["groups = 2 : i64", "strides = array<i64: 1, 2>", "pad_low = array<i64: 1, 1>",
     "pad_high = array<i64: 1, 0>"], ref)

# 2. Depthwise NHWC / HWIO, multiplier 2 (C = 3, O = 6), quantized input.
x = rng.integers(-128, 128, (2, 8, 7, 3)).astype(np.int8)
w = rng.integers(-128, 128, (3, 3, 1, 6)).astype(np.int8)        # [KH, KW, 1, O]
s = (rng.random(6) * 0.02 + 1e-3).astype(np.float32)
dx = (x.astype(np.float64) - (-4)) * 0.03
deq = w.astype(np.float64) * s.astype(np.float64)[None, None, None, :]
ref = conv_ref(dx.transpose(0, 3, 1, 2), deq.transpose(3, 2, 0, 1), [1, 1], [1, 1], [1, 1], 3)
run("depthwise nhwc/hwio x2", x, "i8", (0.03, -4), w, "i8", "#kiln.qformat<int, axis = 3>",
    s, None, NHWC + ["filter_layout = #kiln<filter_layout hwio>", "groups = 3 : i64",
                     "pad_low = array<i64: 1, 1>", "pad_high = array<i64: 1, 1>"],
    ref.transpose(0, 2, 3, 1))

# 3. NHWC / OHWI, groups 3, per output channel with zero points, stride 2.
x = rng.standard_normal((1, 9, 10, 6)).astype(np.float32)
w = rng.integers(-128, 128, (9, 3, 2, 2)).astype(np.int8)        # [O, KH, KW, C/g]
s = (rng.random(9) * 0.02 + 1e-3).astype(np.float32)
z = rng.integers(-128, 128, 9).astype(np.int32)
deq = (w.astype(np.float64) - z[:, None, None, None]) * s.astype(np.float64)[:, None, None, None]
ref = conv_ref(x.astype(np.float64).transpose(0, 3, 1, 2), deq.transpose(0, 3, 1, 2),
               [2, 2], [0, 0], [0, 0], 3)
run("grouped nhwc/ohwi with zero points", x, "f32", None, w, "i8",
    "#kiln.qformat<int, axis = 0>", s, z,
    NHWC + ["filter_layout = #kiln<filter_layout ohwi>", "groups = 3 : i64",
            "strides = array<i64: 2, 2>"], ref.transpose(0, 2, 3, 1))

# 4. OHWI int4 filter, blocks of 2 along the input channels (C/g = 3).
x = rng.standard_normal((2, 5, 5, 6)).astype(np.float32)
w = rng.integers(-8, 8, (4, 3, 3, 3))                            # [O, KH, KW, C/g]
s = (rng.random((4, 3, 3, 2)) * 0.1 + 1e-3).astype(np.float32)
full_s = np.repeat(s.astype(np.float64), 2, axis=3)[..., :3]
deq = w * full_s
ref = conv_ref(x.astype(np.float64).transpose(0, 3, 1, 2), deq.transpose(0, 3, 1, 2),
               [1, 1], [0, 0], [0, 0], 2)
run("ohwi int4 blocked along input channels", x, "f32", None, w, "i4",
    "#kiln.qformat<int, axis = 3, block = 2>", s, None,
    NHWC + ["filter_layout = #kiln<filter_layout ohwi>", "groups = 2 : i64"],
    ref.transpose(0, 2, 3, 1))
