# RUN: %python %s
# kiln-fold-conv-bn against the unfolded ops, both through the reference
# pipeline (and numpy for the plain case): NCHW/OIHW and NHWC/HWIO, a
# depthwise conv with stride and padding, with and without a bias, the
# deploy fold (constant filter) and the run-time affine fold (filter as an
# argument). Folding changes only f32 rounding.
import os
import subprocess
import tempfile

import numpy as np
import kiln_testing as kt

rng = np.random.default_rng(5)


def case(name, x_shape, w_shape, attrs, cout, bias, const_filter):
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    stats = [rng.standard_normal(cout).astype(np.float32) for _ in range(3)]
    var = rng.uniform(0.5, 2.0, cout).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    lines = []
    kt._constant("g", stats[0], (cout,), "f32", lines)
    kt._constant("be", stats[1], (cout,), "f32", lines)
    kt._constant("m", stats[2], (cout,), "f32", lines)
    kt._constant("v", var, (cout,), "f32", lines)
    kt._constant("b", b, (cout,), "f32", lines)
    if const_filter:
        kt._constant("w", w, w_shape, "f32", lines)
    xt, wt = kt._tensor_type(x_shape, "f32"), kt._tensor_type(w_shape, "f32")
    ct = kt._tensor_type((cout,), "f32")
    # Output shape from the reference pipeline's own shape rules: run once.
    out_shape = attrs.pop("out")
    ot = kt._tensor_type(out_shape, "f32")
    ep = (f"epilogue_operands(%b : {ct})", "epilogue = [#kiln.step<bias>], ") \
        if bias else ("", "")
    attr_text = ", ".join(f"{k} = {v}" for k, v in attrs.items())
    args = f"%x: {xt}" + ("" if const_filter else f", %w: {wt}")
    text = "\n".join([f"func.func @f({args}) -> {ot} {{"] + lines + [
        f"    %i = tensor.empty() : {ot}",
        f"    %y = kiln.conv ins(%x, %w : {xt}, {wt}) {ep[0]}",
        f"         outs(%i : {ot}) {{{ep[1]}{attr_text}}} -> {ot}",
        f"    %z = kiln.batch_norm %y, %g, %be, %m, %v : {ot}, {ct}, {ct}, "
        f"{ct}, {ct}",
        f"         outs(%i : {ot}) {{epsilon = 1.0e-3 : f32, channel_axis = "
        f"{1 if 'nchw' in attr_text or 'data_layout' not in attr_text else -1}"
        f" : i64}} -> {ot}",
        f"    return %z : {ot}", "}"])
    inputs = [x] if const_filter else [x, w]
    types = ["f32"] * len(inputs)
    outs = [(list(out_shape), "f32")]
    (want,) = kt.run_func(text, "f", inputs, types, outs)
    (got,) = kt.run_func(text, "f", inputs, types, outs,
                         pipeline=["--kiln-fold-conv-bn",
                                   "--kiln-reference-pipeline"])
    kt.assert_close(name, got, want, rtol=1e-5, atol=1e-5)
    # And the fold did happen: no batch_norm is left.
    opt = os.path.join(kt.TOOLS, "kiln-opt") if kt.TOOLS else "kiln-opt"
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(text)
        f.flush()
        folded = subprocess.run([opt, f.name, "--kiln-fold-conv-bn"],
                                capture_output=True, text=True, check=True)
    assert "kiln.batch_norm" not in folded.stdout, name + ": not folded"
    return x, w, b, stats, var, got


x, w, b, (g, be, m), v, got = case(
    "NCHW/OIHW 3x3 pad 1, bias, deploy", (1, 3, 7, 6), (5, 3, 3, 3),
    {"pad_low": "array<i64: 1, 1>", "pad_high": "array<i64: 1, 1>",
     "out": (1, 5, 7, 6)}, 5, True, True)
# numpy: conv (cross-correlation) + bias, then BN.
xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))).astype(np.float64)
y = np.zeros((1, 5, 7, 6))
for o in range(5):
    for i in range(7):
        for j in range(6):
            y[0, o, i, j] = (xp[0, :, i:i + 3, j:j + 3] * w[o]).sum() + b[o]
s = g / np.sqrt(v + 1e-3)
want = (y - m[None, :, None, None]) * s[None, :, None, None] + be[None, :, None, None]
kt.assert_close("NCHW deploy vs numpy", got, want, rtol=1e-4, atol=1e-4)
case("NCHW/OIHW no bias, run-time filter", (2, 4, 5, 5), (6, 4, 1, 1),
     {"out": (2, 6, 5, 5)}, 6, False, False)
case("NHWC/HWIO bias, deploy", (1, 6, 5, 3), (3, 3, 3, 4),
     {"data_layout": "#kiln<data_layout nhwc>",
      "filter_layout": "#kiln<filter_layout hwio>", "out": (1, 4, 3, 4)},
     4, True, True)
case("depthwise stride 2, deploy", (1, 4, 9, 9), (4, 1, 3, 3),
     {"groups": "4 : i64", "strides": "array<i64: 2, 2>",
      "out": (1, 4, 4, 4)}, 4, True, True)
