# RUN: %python %s
# kiln.qconv (NCHW / OIHW) against numpy: dequantize explicitly in f64, pad
# with real zeros, cross-correlate, then the epilogue.
#  - int8 filter per output channel with a bias + relu epilogue, stride 2,
#    asymmetric padding and dilation, odd sizes;
#  - a quantized input with a nonzero zero point and padding: padded
#    positions are real zeros, not the zero point;
#  - per-output-channel filter zero points, a 1-D conv.
import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(41)


def conv_ref(x, w, strides, lo, hi, dil, groups):
    """x [N, C, *S], w [O, C/groups, *K] in f64; zero padding."""
    ns = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(lo[i], hi[i]) for i in range(ns)])
    o, cg = w.shape[:2]
    ks = w.shape[2:]
    outs = [(x.shape[2 + i] + lo[i] + hi[i] - dil[i] * (ks[i] - 1) - 1) // strides[i] + 1
            for i in range(ns)]
    y = np.zeros((x.shape[0], o, *outs))
    og = o // groups
    for g in range(groups):
        for kidx in np.ndindex(*ks):
            sl = tuple(slice(kidx[i] * dil[i], kidx[i] * dil[i] + strides[i] * (outs[i] - 1) + 1,
                             strides[i]) for i in range(ns))
            patch = xp[(slice(None), slice(g * cg, (g + 1) * cg)) + sl]
            wk = w[(slice(g * og, (g + 1) * og), slice(None)) + kidx]
            y[:, g * og:(g + 1) * og] += np.einsum("nc...,oc->no...", patch, wk)
    return y


def qconv_func(x_shape, x_elt, w_shape, y_shape, attrs, input_q=None, filter_zp=False,
               bias=False):
    args = [f"%x: {ty(x_shape, x_elt)}", f"%w: {ty(w_shape, 'i8')}"]
    ops = ""
    if input_q:
        args += ["%sx: tensor<f32>", "%zx: tensor<i32>"]
        ops += " input_scale(%sx : tensor<f32>) input_zero_point(%zx : tensor<i32>)"
        attrs = attrs + ["input_format = #kiln.qformat<int>"]
    o = w_shape[0]
    args.append(f"%s: {ty([o], 'f32')}")
    ops += f" filter_scale(%s : {ty([o], 'f32')})"
    if filter_zp:
        args.append(f"%z: {ty([o], 'i32')}")
        ops += f" filter_zero_point(%z : {ty([o], 'i32')})"
    if bias:
        args.append(f"%b: {ty([o], 'f32')}")
        ops += f" epilogue_operands(%b : {ty([o], 'f32')})"
        attrs = attrs + ["epilogue = [#kiln.step<bias>, #kiln.step<relu>]"]
    attrs = attrs + ["filter_format = #kiln.qformat<int, axis = 0>"]
    y = ty(y_shape, "f32")
    return f"""
  func.func @f({", ".join(args)}) -> {y} {{
    %i = tensor.empty() : {y}
    %y = kiln.qconv ins(%x, %w : {ty(x_shape, x_elt)}, {ty(w_shape, 'i8')}){ops}
         outs(%i : {y}) {{{", ".join(attrs)}}} -> {y}
    return %y : {y}
  }}"""


def arr(name, v):
    return f"{name} = array<i64: {', '.join(str(i) for i in v)}>"


def check(name, got, want):
    kt.assert_close(name, got, want, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(want).max()))


# 1. f32 input, int8 filter per output channel, bias + relu, stride 2,
#    asymmetric padding, dilation.
n, c, h, wd, o, kh, kw = 2, 3, 9, 11, 5, 3, 2
st, lo, hi, dl = [2, 1], [1, 0], [0, 2], [1, 2]
x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
w = rng.integers(-128, 128, (o, c, kh, kw)).astype(np.int8)
s = (rng.random(o) * 0.02 + 1e-3).astype(np.float32)
b = rng.standard_normal(o).astype(np.float32)
deq = w.astype(np.float64) * s.astype(np.float64)[:, None, None, None]
ref = conv_ref(x.astype(np.float64), deq, st, lo, hi, dl, 1)
ref = np.maximum(ref + b.astype(np.float64)[None, :, None, None], 0)
f = qconv_func([n, c, h, wd], "f32", [o, c, kh, kw], list(ref.shape),
               [arr("strides", st), arr("pad_low", lo), arr("pad_high", hi),
                arr("dilations", dl)], bias=True)
(r,) = kt.run_func(f, "f", [x, w, s, b], ["f32", "i8", "f32", "f32"], [(list(ref.shape), "f32")])
check("qconv int8 per-channel, bias + relu", r, ref)
assert (r == 0).any() and (r > 0).any()

# 2. Quantized input (zero point 7) with padding on every side: the padded
#    border contributes real zeros.
n, c, h, wd, o = 1, 4, 7, 6, 3
x = rng.integers(-128, 128, (n, c, h, wd)).astype(np.int8)
sx, zx = np.array(0.05, np.float32), np.array(7, np.int32)
w = rng.integers(-128, 128, (o, c, 3, 3)).astype(np.int8)
s = (rng.random(o) * 0.02 + 1e-3).astype(np.float32)
dx = (x.astype(np.float64) - 7) * float(sx)
deq = w.astype(np.float64) * s.astype(np.float64)[:, None, None, None]
ref = conv_ref(dx, deq, [1, 1], [2, 1], [1, 2], [1, 1], 1)
f = qconv_func([n, c, h, wd], "i8", [o, c, 3, 3], list(ref.shape),
               [arr("pad_low", [2, 1]), arr("pad_high", [1, 2])], input_q=True)
(r,) = kt.run_func(f, "f", [x, w, sx, zx, s], ["i8", "i8", "f32", "i32", "f32"],
                   [(list(ref.shape), "f32")])
check("qconv quantized input, padding of real zeros", r, ref)

# 3. 1-D conv with per-output-channel filter zero points and a quantized input.
n, c, l, o, k = 3, 2, 13, 4, 5
x = rng.integers(-128, 128, (n, c, l)).astype(np.int8)
sx, zx = np.array(0.1, np.float32), np.array(-3, np.int32)
w = rng.integers(-128, 128, (o, c, k)).astype(np.int8)
s = (rng.random(o) * 0.02 + 1e-3).astype(np.float32)
z = np.array([127, -128, 0, 9], np.int32)
dx = (x.astype(np.float64) + 3) * float(sx)
deq = (w.astype(np.float64) - z[:, None, None]) * s.astype(np.float64)[:, None, None]
ref = conv_ref(dx, deq, [2], [1], [1], [1], 1)
f = qconv_func([n, c, l], "i8", [o, c, k], list(ref.shape),
               [arr("strides", [2]), arr("pad_low", [1]), arr("pad_high", [1])],
               input_q=True, filter_zp=True)
(r,) = kt.run_func(f, "f", [x, w, sx, zx, s, z], ["i8", "i8", "f32", "i32", "f32", "i32"],
                   [(list(ref.shape), "f32")])
check("qconv 1-D, filter zero points", r, ref)
