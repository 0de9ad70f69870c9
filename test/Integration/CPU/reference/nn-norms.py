# RUN: %python %s
# kiln.layer_norm / kiln.rms_norm / kiln.batch_norm reference lowerings
# against numpy: with and without gamma / beta, over one and two trailing
# dims, a large common offset (the two-pass variance must not cancel), odd
# sizes, f16 / bf16, a dynamic leading dim and an init holding garbage.
import numpy as np
import kiln_testing as kt
from kiln_cases import dynamic_lead_lines, ty, to_input

rng = np.random.default_rng(3)


def norm_case(name, op, shape, axis, gamma=False, beta=False, elt="f32",
              eps=1e-5, offset=0.0, dynamic=False):
    x, xv = to_input(offset + rng.standard_normal(shape) * 2, elt)
    init, _ = to_input(rng.standard_normal(shape) * 50, elt)
    ax = axis % len(shape)
    pshape = shape[ax:]
    inputs, types, args = [x, init], [elt, elt], []
    g = b = None
    suffix = ""
    if gamma:
        g, gv = to_input(rng.standard_normal(pshape), "f32")
        inputs.append(g); types.append("f32")
        args.append(f"%g: {ty(pshape, 'f32')}")
        suffix += f" scale(%g : {ty(pshape, 'f32')})"
    if beta:
        b, bv = to_input(rng.standard_normal(pshape), "f32")
        inputs.append(b); types.append("f32")
        args.append(f"%b: {ty(pshape, 'f32')}")
        suffix += f" bias(%b : {ty(pshape, 'f32')})"
    xt = ty(shape, elt)
    attrs = f"{{axis = {axis} : i64, epsilon = {eps:e} : f32}}"
    if dynamic:
        xd = ty(["?"] + shape[1:], elt)
        body = f"""
    %xd = tensor.cast %x : {xt} to {xd}
    %id = tensor.cast %i : {xt} to {xd}
    %yd = kiln.{op} %xd{suffix} : {xd} outs(%id : {xd}) {attrs} -> {xd}
    %y = tensor.cast %yd : {xd} to {xt}"""
    else:
        body = f"""
    %y = kiln.{op} %x{suffix} : {xt} outs(%i : {xt}) {attrs} -> {xt}"""
    func = f"""
  func.func @f(%x: {xt}, %i: {xt}{''.join(', ' + a for a in args)}) -> {xt} {{{body}
    return %y : {xt}
  }}"""
    (got,) = kt.run_func(func, "f", inputs, types, [(shape, elt)])
    dims = tuple(range(ax, len(shape)))
    eps32 = float(np.float32(eps))
    if op == "layer_norm":
        mean = xv.mean(axis=dims, keepdims=True)
        var = ((xv - mean) ** 2).mean(axis=dims, keepdims=True)
        want = (xv - mean) / np.sqrt(var + eps32)
    else:
        want = xv / np.sqrt((xv ** 2).mean(axis=dims, keepdims=True) + eps32)
    if gamma:
        want = want * gv
    if beta:
        want = want + bv
    tol = {"f32": 1e-4, "f16": 3e-3, "bf16": 2e-2}[elt]
    kt.assert_close(name, got, want, rtol=tol, atol=tol)


norm_case("layer_norm last dim", "layer_norm", [3, 33], -1)
norm_case("layer_norm gamma beta", "layer_norm", [2, 5, 13], -1, True, True)
norm_case("layer_norm gamma only", "layer_norm", [4, 7], 1, gamma=True)
norm_case("layer_norm beta only", "layer_norm", [4, 7], -1, beta=True)
norm_case("layer_norm 2 trailing dims", "layer_norm", [3, 5, 7], 1, True, True)
norm_case("layer_norm 2 trailing dims no affine", "layer_norm", [2, 3, 4, 5], -2)
norm_case("layer_norm offset 1000", "layer_norm", [3, 17], -1, offset=1000.0)
norm_case("layer_norm eps 0.5", "layer_norm", [2, 9], -1, eps=0.5)
norm_case("layer_norm f16", "layer_norm", [3, 13], -1, True, True, elt="f16")
norm_case("layer_norm bf16 2 dims", "layer_norm", [2, 3, 7], 1, True, True,
          elt="bf16")
norm_case("layer_norm dynamic", "layer_norm", [5, 9], -1, True, True,
          dynamic=True)
norm_case("layer_norm over all dims", "layer_norm", [3, 4], 0, True, True)
norm_case("rms_norm last dim", "rms_norm", [3, 33], -1)
norm_case("rms_norm gamma", "rms_norm", [2, 5, 13], -1, gamma=True, eps=1e-6)
norm_case("rms_norm 2 trailing dims gamma", "rms_norm", [3, 5, 7], 1, gamma=True)
norm_case("rms_norm 2 trailing dims", "rms_norm", [2, 3, 4, 5], -2)
norm_case("rms_norm bf16", "rms_norm", [4, 16], -1, gamma=True, elt="bf16")
norm_case("rms_norm dynamic f16", "rms_norm", [6, 11], -1, gamma=True,
          elt="f16", dynamic=True)


def bn_case(name, shape, axis, elt="f32", eps=1e-5, dynamic=False):
    c = shape[axis]
    x, xv = to_input(rng.standard_normal(shape) * 3 + 1, elt)
    stats = [rng.standard_normal(c), rng.standard_normal(c),
             rng.standard_normal(c), rng.random(c) * 2 + 0.01]
    stats = [to_input(s, "f32") for s in stats]
    xt, st = ty(shape, elt), ty([c], "f32")
    attrs = f"{{channel_axis = {axis} : i64, epsilon = {eps:e} : f32}}"
    sts = ", ".join([st] * 4)
    if dynamic:
        xd = ty(["?"] + shape[1:], elt)
        body = dynamic_lead_lines(xt, xd) + f"""
    %yd = kiln.batch_norm %xd, %g, %b, %m, %v : {xd}, {sts} outs(%i : {xd}) {attrs} -> {xd}
    %y = tensor.cast %yd : {xd} to {xt}"""
    else:
        body = f"""
    %i = tensor.empty() : {xt}
    %y = kiln.batch_norm %x, %g, %b, %m, %v : {xt}, {sts} outs(%i : {xt}) {attrs} -> {xt}"""
    func = f"""
  func.func @f(%x: {xt}, %g: {st}, %b: {st}, %m: {st}, %v: {st}) -> {xt} {{{body}
    return %y : {xt}
  }}"""
    (got,) = kt.run_func(func, "f", [x] + [s[0] for s in stats],
                         [elt] + ["f32"] * 4, [(shape, elt)])
    g, b, m, v = (s[1] for s in stats)
    bshape = [1] * len(shape)
    bshape[axis] = c
    g, b, m, v = (a.reshape(bshape) for a in (g, b, m, v))
    want = (xv - m) / np.sqrt(v + float(np.float32(eps))) * g + b
    tol = {"f32": 1e-4, "f16": 3e-3, "bf16": 2e-2}[elt]
    kt.assert_close(name, got, want, rtol=tol, atol=tol)


bn_case("batch_norm nchw", [2, 5, 7, 9], 1)
bn_case("batch_norm nhwc", [2, 7, 9, 5], 3)
bn_case("batch_norm negative axis, eps 0.1", [3, 4, 6], -1, eps=0.1)
bn_case("batch_norm 1-D data f16", [2, 6, 11], 1, elt="f16")
bn_case("batch_norm bf16", [1, 3, 5, 5], 1, elt="bf16")
bn_case("batch_norm dynamic batch", [3, 5, 4, 4], 1, dynamic=True)
