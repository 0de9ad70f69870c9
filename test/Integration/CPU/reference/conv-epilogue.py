# RUN: %python %s
# The ordered kiln.conv epilogue against numpy: every step kind on its own,
# multi-step orders that must differ (bias, residual_add, relu vs bias, relu,
# residual_add), per-channel operands in nchw and nhwc, f16 / bf16 operands
# and results.
import math

import numpy as np
import kiln_testing as kt
from kiln_cases import ty, to_input

rng = np.random.default_rng(77)
N, C, CO, H, W, K = 2, 3, 5, 7, 9, 3
OH, OW = H - K + 1, W - K + 1
ERF = np.vectorize(math.erf)


def conv_ref(x, w, data):
    """Valid 2-D cross-correlation, oihw filter, float64."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    if data == "nhwc":
        x = np.moveaxis(x, -1, 1)
    y = np.zeros((x.shape[0], w.shape[0], OH, OW))
    for kh in range(K):
        for kw in range(K):
            y += np.einsum("nihw,oi->nohw", x[:, :, kh:kh + OH, kw:kw + OW],
                           w[:, :, kh, kw])
    return np.moveaxis(y, 1, -1) if data == "nhwc" else y


def sigmoid(y):
    return 1.0 / (1.0 + np.exp(-y))


def step_ref(kind, y, ops, data, lo=None, hi=None):
    chan = (lambda v: v.reshape(1, -1, 1, 1)) if data == "nchw" else (
        lambda v: v.reshape(1, 1, 1, -1))
    if kind == "bias":
        return y + chan(ops[0])
    if kind == "affine":
        return y * chan(ops[0]) + chan(ops[1])
    if kind == "residual_add":
        return y + ops[0]
    if kind == "relu":
        return np.maximum(y, 0)
    if kind == "relu6":
        return np.minimum(np.maximum(y, 0), 6)
    if kind == "clip":
        return np.minimum(np.maximum(y, lo), hi)
    if kind == "sigmoid":
        return sigmoid(y)
    if kind == "silu":
        return y * sigmoid(y)
    if kind == "hardswish":
        return y * np.minimum(np.maximum(y + 3, 0), 6) / 6
    if kind == "gelu_erf":
        return 0.5 * y * (1 + ERF(y / math.sqrt(2)))
    if kind == "gelu_tanh":
        return 0.5 * y * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                      (y + 0.044715 * y ** 3)))
    raise ValueError(kind)


NUM_OPS = {"bias": 1, "affine": 2, "residual_add": 1}


def run_case(name, steps, data="nchw", elt="f32", op_elt="f32", clip=(-1.5, 2.5)):
    xs = [N, C, H, W] if data == "nchw" else [N, H, W, C]
    ys = [N, CO, OH, OW] if data == "nchw" else [N, OH, OW, CO]
    ws = [CO, C, K, K]
    x, xv = to_input(rng.standard_normal(xs), elt)
    w, wv = to_input(rng.standard_normal(ws), elt)
    inputs, types, sig, vals, opnames, optypes = [x, w], [elt, elt], [], [], [], []
    for s in steps:
        for _ in range(NUM_OPS.get(s, 0)):
            shape = ys if s == "residual_add" else [CO]
            a, av = to_input(3 * rng.standard_normal(shape), op_elt)
            inputs.append(a)
            types.append(op_elt)
            vals.append(av)
            k = len(opnames)
            opnames.append(f"%e{k}")
            optypes.append(ty(shape, op_elt))
            sig.append(f"%e{k}: {ty(shape, op_elt)}")
    attrs = []
    for s in steps:
        if s == "clip":
            attrs.append(f"#kiln.step<clip, min = {clip[0]} : f32, max = {clip[1]} : f32>")
        else:
            attrs.append(f"#kiln.step<{s}>")
    xt, wt, yt = ty(xs, elt), ty(ws, elt), ty(ys, elt)
    epi = ""
    if opnames:
        epi = f"epilogue_operands({', '.join(opnames)} : {', '.join(optypes)})"
    layout = "" if data == "nchw" else ", data_layout = #kiln<data_layout nhwc>"
    func = f"""
  func.func @f(%x: {xt}, %w: {wt}{''.join(', ' + a for a in sig)}) -> {yt} {{
    %i = tensor.empty() : {yt}
    %y = kiln.conv ins(%x, %w : {xt}, {wt}) {epi} outs(%i : {yt})
         {{epilogue = [{', '.join(attrs)}]{layout}}} -> {yt}
    return %y : {yt}
  }}"""
    (got,) = kt.run_func(func, "f", inputs, types, [(ys, elt)])
    want = conv_ref(xv, wv, data)
    k = 0
    for s in steps:
        n = NUM_OPS.get(s, 0)
        want = step_ref(s, want, vals[k:k + n], data, *clip)
        k += n
    tol = {"f32": 2e-4, "f16": 4e-3, "bf16": 2e-2}[elt]
    kt.assert_close(name, got, want, rtol=tol, atol=tol)
    return got


for kind in ["bias", "affine", "residual_add", "relu", "relu6", "clip",
             "sigmoid", "silu", "hardswish", "gelu_erf", "gelu_tanh"]:
    run_case(kind, [kind])
    run_case(kind + " nhwc", [kind], data="nhwc")

rng = np.random.default_rng(5)
a = run_case("bias, residual_add, relu", ["bias", "residual_add", "relu"])
rng = np.random.default_rng(5)  # the same inputs for the other order
b = run_case("bias, relu, residual_add", ["bias", "relu", "residual_add"])
assert np.abs(a - b).max() > 1.0, "step order must matter"
print("orders differ: ok")
run_case("affine, residual_add, relu6 (MobileNet tail)",
         ["affine", "residual_add", "relu6"], data="nhwc")
run_case("bias, gelu_tanh, clip, affine", ["bias", "gelu_tanh", "clip", "affine"])
run_case("no steps f16", [], elt="f16")
run_case("bias, silu f16 result", ["bias", "silu"], elt="f16")
run_case("bf16 with bf16 operands", ["bias", "residual_add", "hardswish"],
         elt="bf16", op_elt="bf16", data="nhwc")
run_case("f32 with f16 operands", ["affine", "residual_add", "gelu_erf"],
         op_elt="f16")
