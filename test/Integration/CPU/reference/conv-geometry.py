# RUN: %python %s
# kiln.conv reference lowering against a numpy convolution written from the
# definition (explicit loop over the kernel taps, einsum over channels):
# 1-D / 2-D / 3-D, nchw / nhwc, every filter layout, strides, dilations,
# asymmetric padding, groups, depthwise with a channel multiplier, odd sizes,
# dynamic batch and spatial dims, an init holding garbage.
import itertools

import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(2024)


def conv_ref(x, w, strides, lo, hi, dil, groups, data, filt):
    """Grouped cross-correlation in float64, in the given layouts."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    ns = x.ndim - 2
    if data == "nhwc":
        x = np.moveaxis(x, -1, 1)
    if filt == "hwio":  # [k..., I, O] -> [O, I, k...]
        w = np.moveaxis(w, [-1, -2], [0, 1])
    elif filt == "ohwi":  # [O, k..., I] -> [O, I, k...]
        w = np.moveaxis(w, -1, 1)
    x = np.pad(x, [(0, 0), (0, 0)] + list(zip(lo, hi)))
    n, c = x.shape[:2]
    o, i = w.shape[:2]
    ks = w.shape[2:]
    assert c == i * groups and o % groups == 0
    out = [(x.shape[2 + d] - dil[d] * (ks[d] - 1) - 1) // strides[d] + 1
           for d in range(ns)]
    y = np.zeros([n, o] + out)
    og = o // groups
    for g in range(groups):
        xg = x[:, g * i:(g + 1) * i]
        wg = w[g * og:(g + 1) * og]
        for tap in itertools.product(*[range(k) for k in ks]):
            sl = tuple(slice(t * dil[d], t * dil[d] + (out[d] - 1) * strides[d] + 1,
                             strides[d]) for d, t in enumerate(tap))
            patch = xg[(slice(None), slice(None)) + sl]
            y[:, g * og:(g + 1) * og] += np.einsum(
                "ni...,oi->no...", patch, wg[(slice(None), slice(None)) + tap])
    if data == "nhwc":
        y = np.moveaxis(y, 1, -1)
    return y


def arr(a):
    return "array<i64: " + ", ".join(str(v) for v in a) + ">"


def run_case(name, n, cin, cout, spatial, ks, strides=None, lo=None, hi=None,
             dil=None, groups=1, data="nchw", filt="oihw", elt="f32",
             dynamic=()):
    ns = len(spatial)
    s = strides or [1] * ns
    pl = lo or [0] * ns
    ph = hi or [0] * ns
    d = dil or [1] * ns
    out = [(spatial[i] + pl[i] + ph[i] - d[i] * (ks[i] - 1) - 1) // s[i] + 1
           for i in range(ns)]
    xs = [n, cin] + spatial if data == "nchw" else [n] + spatial + [cin]
    ys = [n, cout] + out if data == "nchw" else [n] + out + [cout]
    ci = cin // groups
    ws = {"oihw": [cout, ci] + ks, "hwio": ks + [ci, cout],
          "ohwi": [cout] + ks + [ci]}[filt]
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    if elt == "bf16":
        xin, win = kt.bf16_bits(x), kt.bf16_bits(w)
        x, w = kt.bf16_to_f32(xin), kt.bf16_to_f32(win)
    elif elt == "f16":
        xin, win = x.astype(np.float16), w.astype(np.float16)
        x, w = xin, win
    else:
        xin, win = x, w
    attrs = (f"strides = {arr(s)}, pad_low = {arr(pl)}, pad_high = {arr(ph)}, "
             f"dilations = {arr(d)}, groups = {groups} : i64, "
             f"data_layout = #kiln<data_layout {data}>, "
             f"filter_layout = #kiln<filter_layout {filt}>")
    xt, wt, yt = ty(xs, elt), ty(ws, elt), ty(ys, elt)
    # The init holds garbage: it gives the shape only and is overwritten.
    init = (100 + rng.standard_normal(ys)).astype(np.float32)
    iin = kt.bf16_bits(init) if elt == "bf16" else init.astype(
        np.float16 if elt == "f16" else np.float32)
    if dynamic:
        # `dynamic` lists the data dims (batch, spatial) made dynamic.
        xd = ty(["?" if i in dynamic else v for i, v in enumerate(xs)], elt)
        yd = ty(["?" if i in dynamic else v for i, v in enumerate(ys)], elt)
        body = f"""
    %xd = tensor.cast %x : {xt} to {xd}
    %id = tensor.cast %i : {yt} to {yd}
    %yd = kiln.conv ins(%xd, %w : {xd}, {wt}) outs(%id : {yd}) {{{attrs}}} -> {yd}
    %y = tensor.cast %yd : {yd} to {yt}"""
    else:
        body = f"""
    %y = kiln.conv ins(%x, %w : {xt}, {wt}) outs(%i : {yt}) {{{attrs}}} -> {yt}"""
    func = f"""
  func.func @f(%x: {xt}, %w: {wt}, %i: {yt}) -> {yt} {{{body}
    return %y : {yt}
  }}"""
    (got,) = kt.run_func(func, "f", [xin, win, iin], [elt, elt, elt], [(ys, elt)])
    want = conv_ref(x, w, s, pl, ph, d, groups, data, filt)
    tol = {"f32": 1e-4, "f16": 3e-3, "bf16": 1.5e-2}[elt]
    kt.assert_close(name, got, want, rtol=tol, atol=tol)


run_case("conv2d nchw oihw 7x9 c5", 2, 5, 3, [7, 9], [3, 3])
run_case("conv2d nhwc hwio 7x9", 1, 5, 4, [7, 9], [3, 2], data="nhwc", filt="hwio")
run_case("conv2d nchw ohwi", 1, 3, 4, [6, 5], [2, 3], filt="ohwi")
run_case("conv2d nhwc oihw", 1, 3, 2, [5, 6], [3, 3], data="nhwc", filt="oihw")
run_case("conv2d stride 2", 1, 3, 4, [9, 8], [3, 3], strides=[2, 2])
run_case("conv2d stride (2,1) dilation (1,2)", 1, 2, 3, [9, 9], [3, 3],
         strides=[2, 1], dil=[1, 2])
run_case("conv2d dilation 2 pad 2", 1, 3, 2, [7, 7], [3, 3], dil=[2, 2],
         lo=[2, 2], hi=[2, 2])
run_case("conv2d asymmetric pad", 2, 3, 4, [7, 9], [3, 3], lo=[1, 0],
         hi=[2, 3], strides=[2, 2], filt="hwio")
run_case("conv2d groups 2", 1, 6, 4, [7, 7], [3, 3], groups=2, lo=[1, 1],
         hi=[1, 1])
run_case("conv2d groups 2 nhwc ohwi", 1, 4, 6, [5, 7], [3, 3], groups=2,
         data="nhwc", filt="ohwi")
run_case("depthwise multiplier 2", 1, 5, 10, [7, 9], [3, 3], groups=5,
         lo=[1, 1], hi=[1, 1])
run_case("depthwise nhwc hwio stride 2", 2, 4, 8, [9, 7], [3, 3], groups=4,
         strides=[2, 2], lo=[1, 1], hi=[1, 1], data="nhwc", filt="hwio")
run_case("conv1d nchw", 2, 3, 4, [13], [3], strides=[2], lo=[1], hi=[2])
run_case("conv1d nhwc hwio dilation", 1, 4, 2, [11], [3], dil=[3], data="nhwc",
         filt="hwio", groups=2)
run_case("conv3d nchw", 1, 2, 3, [5, 6, 7], [2, 3, 2], lo=[1, 0, 1], hi=[0, 1, 1])
run_case("conv3d nhwc ohwi stride", 1, 3, 2, [5, 5, 6], [3, 2, 2],
         strides=[2, 1, 2], data="nhwc", filt="ohwi")
run_case("conv2d 1x1", 1, 5, 7, [4, 3], [1, 1])
run_case("dynamic batch", 3, 3, 2, [7, 5], [3, 3], lo=[1, 1], hi=[1, 1],
         dynamic=(0,))
run_case("dynamic batch nhwc", 2, 4, 4, [5, 5], [3, 3], groups=2, data="nhwc",
         filt="hwio", dynamic=(0,))
run_case("dynamic batch and length conv1d", 2, 4, 6, [13], [3], strides=[2],
         lo=[2], hi=[1], dil=[2], groups=2, dynamic=(0, 2))
run_case("dynamic spatial nhwc", 1, 3, 4, [7, 9], [3, 3], strides=[2, 1],
         lo=[1, 0], hi=[0, 2], data="nhwc", filt="ohwi", dynamic=(1, 2))
run_case("f16", 1, 4, 3, [7, 9], [3, 3], lo=[1, 1], hi=[1, 1], elt="f16")
run_case("bf16 nhwc", 1, 4, 3, [7, 9], [3, 3], strides=[2, 2], elt="bf16",
         data="nhwc", filt="hwio")
