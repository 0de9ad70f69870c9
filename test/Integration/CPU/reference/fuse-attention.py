# RUN: %python %s
# kiln-fuse-attention: attention written out (matmul, scale, mask, softmax,
# matmul) against the same ops fused into kiln.attention, both through the
# reference pipeline, and numpy; the fused IR must hold one kiln.attention
# (causal for the causal constant masks). Odd sizes, Sq < Skv.
import os
import subprocess
import tempfile

import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(3)
NEG = -3.4028234663852886e38  # float minimum, as exporters write it


def t(shape):
    return kt._tensor_type(shape, "f32")


def case(name, B, H, S, T, D, scale_op, mask_kind, transpose_k):
    q = rng.standard_normal((B, H, S, D)).astype(np.float32)
    k = rng.standard_normal((B, H, T, D)).astype(np.float32)
    v = rng.standard_normal((B, H, T, D)).astype(np.float32)
    st = t((B, H, S, T))
    lines, args, inputs = [], [f"%q: {t(q.shape)}", f"%k: {t(k.shape)}",
                               f"%v: {t(v.shape)}"], [q, k, v]
    lines.append(f"    %i = tensor.empty() : {st}")
    if transpose_k:
        lines += [f"    %te = tensor.empty() : {t((B, H, D, T))}",
                  f"    %kt = linalg.transpose ins(%k : {t(k.shape)}) outs(%te "
                  f": {t((B, H, D, T))}) permutation = [0, 1, 3, 2]",
                  f"    %s0 = kiln.matmul ins(%q, %kt : {t(q.shape)}, "
                  f"{t((B, H, D, T))}) outs(%i : {st}) -> {st}"]
    else:
        lines.append(f"    %s0 = kiln.matmul ins(%q, %k : {t(q.shape)}, "
                     f"{t(k.shape)}) outs(%i : {st}) {{transpose_b}} -> {st}")
    scale, last = 1.0, "%s0"
    if scale_op:
        c = float(np.sqrt(D))
        scale = 1.0 / c if scale_op == "divf" else 0.3
        val = c if scale_op == "divf" else 0.3
        lines += [f"    %c = arith.constant dense<{val!r}> : {st}",
                  f"    %s1 = arith.{scale_op} %s0, %c : {st}"]
        last = "%s1"
    mask, causal = None, False
    if mask_kind == "causal":
        causal = True
        tri = np.where(np.arange(T)[None, :] <= np.arange(S)[:, None] + T - S,
                       0.0, NEG).astype(np.float32)
        kt._constant("m2", tri, (S, T), "f32", lines)
        lines += [f"    %mb = tensor.empty() : {st}",
                  f"    %m = linalg.broadcast ins(%m2 : {t((S, T))}) outs(%mb "
                  f": {st}) dimensions = [0, 1]",
                  f"    %s2 = arith.addf {last}, %m : {st}"]
        last = "%s2"
    elif mask_kind == "random":
        mask = rng.standard_normal((B, H, S, T)).astype(np.float32)
        mask[rng.random(mask.shape) < 0.3] = -np.inf
        args.append(f"%m: {st}")
        inputs.append(mask)
        lines.append(f"    %s2 = arith.addf {last}, %m : {st}")
        last = "%s2"
    ot = t((B, H, S, D))
    lines += [f"    %p = kiln.softmax {last} : {st} outs(%i : {st}) -> {st}",
              f"    %oi = tensor.empty() : {ot}",
              f"    %o = kiln.matmul ins(%p, %v : {st}, {t(v.shape)}) outs(%oi "
              f": {ot}) -> {ot}",
              f"    return %o : {ot}"]
    text = "\n".join([f"func.func @f({', '.join(args)}) -> {ot} {{"] + lines
                     + ["}"])
    outs = [([B, H, S, D], "f32")]
    types = ["f32"] * len(inputs)
    (want,) = kt.run_func(text, "f", inputs, types, outs)
    (got,) = kt.run_func(text, "f", inputs, types, outs,
                         pipeline=["--kiln-fuse-attention",
                                   "--kiln-reference-pipeline"])
    kt.assert_close(name, got, want, rtol=1e-5, atol=1e-5)
    ref, _ = ar.attention(q, k, v, scale=scale, mask=mask, causal=causal)
    kt.assert_close(name + " vs numpy", got, ref, rtol=1e-5, atol=1e-5)
    opt = os.path.join(kt.TOOLS, "kiln-opt") if kt.TOOLS else "kiln-opt"
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(text)
        f.flush()
        fused = subprocess.run([opt, f.name, "--kiln-fuse-attention"],
                               capture_output=True, text=True,
                               check=True).stdout
    assert fused.count("kiln.attention") == 1, name + ": not fused"
    assert "kiln.softmax" not in fused, name + ": softmax left"
    assert ("causal" in fused) == causal, name + ": causal not recognized"


case("causal mask, divide by sqrt(d)", 1, 2, 13, 13, 8, "divf", "causal",
     False)
case("causal Sq < Skv", 1, 1, 5, 11, 4, "divf", "causal", False)
case("transposed K, multiply, random mask", 2, 1, 7, 9, 5, "mulf", "random",
     True)
case("no scale, no mask", 1, 3, 6, 6, 4, None, None, False)
