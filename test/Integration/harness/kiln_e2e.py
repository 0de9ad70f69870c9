"""End-to-end numeric harness: generated cases for every op family over a
variant matrix (odd sizes, every dtype and format), run through the
optimized CPU pipeline (--kiln-cpu-pipeline=mcpu=<target>) and through the
reference pipeline, both compared with a numpy reference.

Each case logs one line: status, family/name, target, the path the
optimized pipeline took for it ("slow" when kiln-opt reports a
kiln-slow-path remark for one of its functions, an op left to scalar
loops, else "fast") and the max error of both runs against numpy. The run fails
when a case mismatches (or does not compile / run), and when no case took
the fast path, so it cannot pass on the reference path alone.

Cases are batched: one module with the functions of several cases and one
@main calling each, so a batch costs three kiln-opt and two mlir-runner
runs. A batch that fails to build or run is retried case by case.

Usage (the runner tests in test/Integration/CPU/e2e):
  run(targets, sample=N, seed=S)   # a seeded sample, every family kept
  run(targets)                     # the whole matrix
  host_targets("avx2"|"avx512")    # mcpu names the host can execute
"""
import itertools
import math
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import attention_ref as ar
import block_select_ref as bsr
import kiln_testing as kt
import quant_ref as qr
from kiln_cases import ty, to_input

# ---- cases -----------------------------------------------------------------


class Case:
    """One generated function with its inputs and numpy expectations.
    checks: one per output: ("close", rtol, atol), ("exact",) for codes and
    bit patterns, ("lse", atol) (-inf where expected, close elsewhere)."""

    def __init__(self, family, name, func, entry, inputs, types, outputs,
                 want, checks):
        self.family, self.name, self.func, self.entry = family, name, func, entry
        self.inputs, self.types = inputs, types
        self.outputs = [(list(s), e) for s, e in outputs]
        self.want, self.checks = want, checks

    def call(self, tag):
        """(func text, entry, inputs, types, outputs) with every symbol the
        case defines renamed with the prefix `tag`."""
        names = re.findall(r"func\.func (?:private )?@(\w+)", self.func)
        text = self.func
        for n in names:
            text = re.sub(rf"@{n}\b", f"@{tag}{n}", text)
        return (text, tag + self.entry, self.inputs, self.types, self.outputs)


def compare(got, want, check):
    """(ok, max error) of one output."""
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if got.shape != want.shape:
        return False, float("inf")
    if check[0] == "exact":
        bad = int(np.count_nonzero(got != want))
        return bad == 0, float(bad)
    if check[0] == "lse":
        if not np.array_equal(np.isneginf(got), np.isneginf(want)):
            return False, float("inf")
        check = ("close", 1e-5, check[1])
    _, rtol, atol = check
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):
        err = np.where(same, 0.0, np.abs(got - want))
    err = np.where(np.isnan(err), np.inf, err)
    ok = bool((err <= atol + rtol * np.abs(np.where(np.isinf(want), 0, want))).all())
    return ok, float(err.max()) if err.size else 0.0


# Output rounding of the element types, as (rtol, atol) added to a case's
# own accumulation tolerance.
ROUND = {"f32": (0.0, 0.0), "f16": (1e-3, 1e-3), "bf16": (8e-3, 8e-3)}


def rounded(x, elt):
    return ar.round_to(np.asarray(x, np.float64), elt).astype(np.float64)


# ---- matmul ----------------------------------------------------------------

MM_SIZES = [(1, 1, 1), (1, 33, 7), (7, 13, 33), (13, 7, 1), (31, 37, 41),
            (64, 64, 64), (65, 33, 129), (97, 1, 13), (3, 130, 17),
            (128, 96, 64)]


def matmul_case(rng, m, n, k, batch=(), elt="f32", tb=False, dyn_m=False,
                out="f32"):
    a_in, a64 = to_input(rng.standard_normal(batch + (m, k)), elt)
    bshape = batch + ((n, k) if tb else (k, n))
    b_in, b64 = to_input(rng.standard_normal(bshape), elt)
    want = a64 @ (np.swapaxes(b64, -1, -2) if tb else b64)
    at, bt, ct = ty(batch + (m, k), elt), ty(bshape, elt), ty(batch + (m, n), out)
    lead = len(batch)
    ad = ty(batch + (None,) + (k,), elt) if dyn_m else at
    cd = ty(batch + (None, n), out) if dyn_m else ct
    tbt = " {transpose_b}" if tb else ""
    dims = (f"%c = arith.constant {lead} : index\n    "
            f"%d = tensor.dim %a, %c : {ad}\n    %i = tensor.empty(%d) : {cd}"
            if dyn_m else f"%i = tensor.empty() : {cd}")
    func = f"""
  func.func @kernel(%a: {ad}, %b: {bt}) -> {cd} {{
    {dims}
    %r = kiln.matmul ins(%a, %b : {ad}, {bt}) outs(%i : {cd}){tbt} -> {cd}
    return %r : {cd}
  }}
  func.func @f(%a: {at}, %b: {bt}) -> {ct} {{
    %ad = tensor.cast %a : {at} to {ad}
    %r = func.call @kernel(%ad, %b) : ({ad}, {bt}) -> {cd}
    %rc = tensor.cast %r : {cd} to {ct}
    return %rc : {ct}
  }}"""
    tol = 1e-5
    r, a = ROUND[out]
    name = (f"{'x'.join(map(str, batch + (m, n, k)))} {elt}->{out}"
            f"{' tb' if tb else ''}{' dynM' if dyn_m else ''}")
    return Case("matmul", name, func, "f", [a_in, b_in], [elt, elt],
                [(batch + (m, n), out)], [rounded(want, out)],
                [("close", tol + r, tol * 4 * math.sqrt(k) + a)])


def matmul_cases(rng):
    for (m, n, k), elt, tb, batch, dyn in itertools.product(
            MM_SIZES, ("f32", "f16", "bf16"), (False, True), ((), (3,)),
            (False, True)):
        if batch and m * n * k > 100000:
            continue
        yield lambda m=m, n=n, k=k, e=elt, t=tb, b=batch, d=dyn: \
            matmul_case(rng, m, n, k, b, e, t, d)
    for (m, n, k), elt in itertools.product(MM_SIZES[:6], ("f16", "bf16")):
        yield lambda m=m, n=n, k=k, e=elt: matmul_case(rng, m, n, k, (), e,
                                                       out=e)


# ---- attention -------------------------------------------------------------

ATT_VARIANTS = ["dense", "causal", "window", "window_lr", "blocks",
                "positions", "mask", "scale"]
ATT_SHAPES = [(1, 1, 1, 1, 4), (1, 2, 7, 13, 8), (2, 4, 13, 13, 5),
              (1, 8, 33, 17, 16), (1, 4, 5, 29, 7)]


def attention_case(rng, variant, shape, ratio, elt, lse):
    B, Hq, Sq, Skv, D = shape
    Hkv = max(1, Hq // ratio)
    Dv = D + 1 if variant == "scale" else D
    q, qv = to_input(rng.standard_normal((B, Hq, Sq, D)), elt)
    k, kv = to_input(rng.standard_normal((B, Hkv, Skv, D)), elt)
    v, vv = to_input(rng.standard_normal((B, Hkv, Skv, Dv)), elt)
    kw, vis = {}, {}
    attrs = ""
    if variant == "causal":
        attrs, vis = "causal", dict(causal=True)
    elif variant == "window":
        attrs, vis = "causal, window_left = 3", dict(causal=True, window_left=3)
    elif variant == "window_lr":
        attrs, vis = ("window_left = 2, window_right = 1",
                      dict(window_left=2, window_right=1))
    elif variant == "scale":
        attrs, vis = "scale = 0.3 : f32", dict(scale=0.3)
    elif variant == "blocks":
        qb, kb = 4, 5
        nQ, nK, cap = -(-Sq // qb), -(-Skv // kb), 3
        H = Hq if rng.random() < 0.5 else Hkv
        idx = rng.integers(-5, 99, (B, H, nQ, cap)).astype(np.int32)
        cnt = np.zeros((B, H, nQ), np.int32)
        for b, h, i in itertools.product(range(B), range(H), range(nQ)):
            c = int(rng.integers(0, min(cap, nK) + 1))
            idx[b, h, i, :c] = np.sort(rng.choice(nK, c, replace=False))
            cnt[b, h, i] = c
        attrs = f"q_block = {qb}, kv_block = {kb}"
        kw["blocks"] = (idx, cnt)
        vis = dict(block_indices=idx, block_counts=cnt, q_block=qb,
                   kv_block=kb)
    elif variant == "positions":
        qh = Hq if rng.random() < 0.5 else Hkv
        qp = rng.integers(0, Skv + 3, (B, qh, Sq)).astype(np.int32)
        kp = np.stack([rng.permutation(Skv) for _ in range(B * Hkv)]).reshape(
            B, Hkv, Skv).astype(np.int32)
        attrs = "causal"
        kw["positions"] = (qp, kp)
        vis = dict(causal=True, q_positions=qp, k_positions=kp)
    elif variant == "mask":
        mshape = [(B, Hq, Sq, Skv), (1, 1, Sq, Skv)][int(rng.integers(2))]
        m = rng.standard_normal(mshape).astype(np.float32)
        m[rng.random(mshape) < 0.3] = -np.inf
        m[..., Sq // 2, :] = -np.inf  # a fully masked row
        kw["mask"] = m
        vis = dict(mask=m.astype(np.float64))
    inputs, types = [q, k, v], [elt] * 3
    if "mask" in kw:
        inputs.append(kw["mask"]); types.append("f32")
    for key in ("blocks", "positions"):
        if key in kw:
            inputs += [kw[key][0], kw[key][1]]; types += ["i32", "i32"]
    func = ar.attention_func(
        "f", q.shape, k.shape, v.shape, elt, elt, lse,
        (kw["mask"].shape, "f32") if "mask" in kw else None,
        (kw["blocks"][0].shape, kw["blocks"][1].shape) if "blocks" in kw else None,
        (kw["positions"][0].shape, kw["positions"][1].shape)
        if "positions" in kw else None, attrs)
    wo, wl = ar.attention(qv, kv, vv, **vis)
    r, a = ROUND[elt]
    outputs = [((B, Hq, Sq, Dv), elt)]
    want, checks = [rounded(wo, elt)], [("close", 1e-5 + r, 1e-5 + a)]
    if lse:
        outputs.append(((B, Hq, Sq), "f32"))
        want.append(wl)
        checks.append(("lse", 1e-4))
    name = (f"{variant} B{B} Hq{Hq}:Hkv{Hkv} Sq{Sq} Skv{Skv} D{D} {elt}"
            f"{' lse' if lse else ''}")
    return Case("attention", name, func, "f", inputs, types, outputs, want,
                checks)


def attention_cases(rng):
    for var, shape, elt in itertools.product(ATT_VARIANTS, ATT_SHAPES,
                                             ("f32", "f16", "bf16")):
        ratios = [r for r in (1, 2, 4) if shape[1] % r == 0]
        lse = var != "dense" or elt == "f32"
        for ratio in ratios[:2] if var in ("dense", "causal") else ratios[-1:]:
            yield lambda v=var, s=shape, r=ratio, e=elt, l=lse: \
                attention_case(rng, v, s, r, e, l)


# ---- conv ------------------------------------------------------------------

def conv_ref(x, w, strides, lo, hi, dil, groups, data, filt):
    """Grouped cross-correlation in float64 in the given layouts."""
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    ns = x.ndim - 2
    if data == "nhwc":
        x = np.moveaxis(x, -1, 1)
    if filt == "hwio":
        w = np.moveaxis(w, [-1, -2], [0, 1])
    elif filt == "ohwi":
        w = np.moveaxis(w, -1, 1)
    x = np.pad(x, [(0, 0), (0, 0)] + list(zip(lo, hi)))
    n = x.shape[0]
    o, i = w.shape[:2]
    ks = w.shape[2:]
    out = [(x.shape[2 + d] - dil[d] * (ks[d] - 1) - 1) // strides[d] + 1
           for d in range(ns)]
    y = np.zeros([n, o] + out)
    og = o // groups
    for g in range(groups):
        xg, wg = x[:, g * i:(g + 1) * i], w[g * og:(g + 1) * og]
        for tap in itertools.product(*[range(kk) for kk in ks]):
            sl = tuple(slice(t * dil[d], t * dil[d] + (out[d] - 1) * strides[d]
                             + 1, strides[d]) for d, t in enumerate(tap))
            y[:, g * og:(g + 1) * og] += np.einsum(
                "ni...,oi->no...", xg[(slice(None), slice(None)) + sl],
                wg[(slice(None), slice(None)) + tap])
    return np.moveaxis(y, 1, -1) if data == "nhwc" else y


def _sig(y):
    return 1.0 / (1.0 + np.exp(-y))


EPILOGUES = {
    "none": ([], lambda y, ops, ch: y),
    "bias_relu": (["bias", "relu"],
                  lambda y, ops, ch: np.maximum(y + ch(ops[0]), 0)),
    "affine_silu_res": (["affine", "silu", "residual_add"],
                        lambda y, ops, ch: (lambda t: t * _sig(t) + ops[2])(
                            y * ch(ops[0]) + ch(ops[1]))),
    "gelu_tanh_clip": (["gelu_tanh", "clip"], lambda y, ops, ch: np.clip(
        0.5 * y * (1 + np.tanh(math.sqrt(2 / math.pi) *
                               (y + 0.044715 * y ** 3))), -1.5, 2.5)),
}

# (cin, cout, spatial, kernel, strides, lo, hi, dil, groups, data, filter)
CONV_GEOMS = [
    (5, 3, [7, 9], [3, 3], None, None, None, None, 1, "nchw", "oihw"),
    (5, 4, [7, 9], [3, 2], None, None, None, None, 1, "nhwc", "hwio"),
    (3, 4, [6, 5], [2, 3], None, None, None, None, 1, "nchw", "ohwi"),
    (3, 4, [9, 8], [3, 3], [2, 2], [1, 1], [1, 1], None, 1, "nchw", "oihw"),
    (2, 3, [9, 9], [3, 3], [2, 1], None, None, [1, 2], 1, "nhwc", "ohwi"),
    (3, 2, [7, 7], [3, 3], None, [2, 2], [2, 2], [2, 2], 1, "nchw", "hwio"),
    (3, 4, [7, 9], [3, 3], [2, 2], [1, 0], [2, 3], None, 1, "nhwc", "hwio"),
    (6, 4, [7, 7], [3, 3], None, [1, 1], [1, 1], None, 2, "nchw", "oihw"),
    (5, 10, [7, 9], [3, 3], None, [1, 1], [1, 1], None, 5, "nchw", "oihw"),
    (4, 4, [9, 7], [3, 3], [2, 2], [1, 1], [1, 1], None, 4, "nhwc", "hwio"),
    (3, 4, [13], [3], [2], [1], [2], None, 1, "nchw", "oihw"),
    (4, 2, [11], [3], None, None, None, [3], 2, "nhwc", "hwio"),
    (2, 3, [5, 6, 7], [2, 3, 2], None, [1, 0, 1], [0, 1, 1], None, 1, "nchw",
     "oihw"),
    (3, 2, [5, 5, 6], [3, 2, 2], [2, 1, 2], None, None, None, 1, "nhwc",
     "ohwi"),
    (5, 7, [4, 3], [1, 1], None, None, None, None, 1, "nchw", "oihw"),
    (16, 8, [5, 5], [1, 1], None, None, None, None, 1, "nhwc", "hwio"),
]


def arr(a):
    return "array<i64: " + ", ".join(str(v) for v in a) + ">"


def conv_case(rng, geom, elt, epi, n=2):
    cin, cout, spatial, ks, s, pl, ph, d, groups, data, filt = geom
    ns = len(spatial)
    s, pl, ph, d = s or [1] * ns, pl or [0] * ns, ph or [0] * ns, d or [1] * ns
    out = [(spatial[i] + pl[i] + ph[i] - d[i] * (ks[i] - 1) - 1) // s[i] + 1
           for i in range(ns)]
    xs = [n, cin] + spatial if data == "nchw" else [n] + spatial + [cin]
    ys = [n, cout] + out if data == "nchw" else [n] + out + [cout]
    ci = cin // groups
    ws = {"oihw": [cout, ci] + ks, "hwio": ks + [ci, cout],
          "ohwi": [cout] + ks + [ci]}[filt]
    x, xv = to_input(rng.standard_normal(xs), elt)
    w, wv = to_input(rng.standard_normal(ws), elt)
    steps, fn = EPILOGUES[epi]
    ops, opv, sig, names, types = [], [], [], [], []
    for st in steps:
        nops = {"bias": 1, "affine": 2, "residual_add": 1}.get(st, 0)
        for _ in range(nops):
            shape = ys if st == "residual_add" else [cout]
            a, av = to_input(rng.standard_normal(shape), elt)
            ops.append(a); opv.append(av)
            j = len(names)
            names.append(f"%e{j}"); types.append(ty(shape, elt))
            sig.append(f", %e{j}: {ty(shape, elt)}")
    steptext = ", ".join(
        "#kiln.step<clip, min = -1.5 : f32, max = 2.5 : f32>" if st == "clip"
        else f"#kiln.step<{st}>" for st in steps)
    attrs = (f"strides = {arr(s)}, pad_low = {arr(pl)}, pad_high = {arr(ph)}, "
             f"dilations = {arr(d)}, groups = {groups} : i64, "
             f"data_layout = #kiln<data_layout {data}>, "
             f"filter_layout = #kiln<filter_layout {filt}>")
    if steps:
        attrs += f", epilogue = [{steptext}]"
    epi_ops = (f" epilogue_operands({', '.join(names)} : {', '.join(types)})"
               if names else "")
    xt, wt, yt = ty(xs, elt), ty(ws, elt), ty(ys, elt)
    func = f"""
  func.func @f(%x: {xt}, %w: {wt}{''.join(sig)}) -> {yt} {{
    %i = tensor.empty() : {yt}
    %y = kiln.conv ins(%x, %w : {xt}, {wt}){epi_ops} outs(%i : {yt}) {{{attrs}}} -> {yt}
    return %y : {yt}
  }}"""
    y = conv_ref(xv, wv, s, pl, ph, d, groups, data, filt)
    shape = [1] * len(ys)
    shape[1 if data == "nchw" else -1] = cout
    want = fn(y, opv, lambda v: np.asarray(v).reshape(shape))
    tol = {"f32": 1e-4, "f16": 3e-3, "bf16": 1.5e-2}[elt]
    name = (f"{ns}d {data}/{filt} in{xs} k{ks} s{s} pad{pl}{ph} dil{d} "
            f"g{groups} {epi} {elt}")
    return Case("conv", name, func, "f", [x, w] + ops,
                [elt, elt] + [elt] * len(ops), [(ys, elt)],
                [rounded(want, elt)], [("close", tol, tol)])


def conv_cases(rng):
    epis = list(EPILOGUES)
    for gi, (geom, elt) in enumerate(itertools.product(
            CONV_GEOMS, ("f32", "f16", "bf16"))):
        for epi in ("none", epis[1 + gi % 3]):
            yield lambda g=geom, e=elt, p=epi: conv_case(rng, g, e, p)


# ---- norms and softmax -----------------------------------------------------

def norm_case(rng, op, shape, axis, elt, affine):
    x, xv = to_input(rng.standard_normal(shape) * 2 + 0.5, elt)
    ax = axis % len(shape)
    xt = ty(shape, elt)
    inputs, types, args, suffix = [x], [elt], "", ""
    if op == "softmax":
        body = (f"%y = kiln.softmax %x : {xt} outs(%i : {xt}) "
                f"{{dimension = {axis} : i64}} -> {xt}")
        e = np.exp(xv - xv.max(axis=ax, keepdims=True))
        want = e / e.sum(axis=ax, keepdims=True)
    elif op == "batch_norm":
        c = shape[ax]
        st = [to_input(a, "f32") for a in (
            rng.standard_normal(c), rng.standard_normal(c),
            rng.standard_normal(c), rng.random(c) * 2 + 0.01)]
        inputs += [a for a, _ in st]; types += ["f32"] * 4
        sty = ty([c], "f32")
        args = "".join(f", %{n}: {sty}" for n in "gbmv")
        body = (f"%y = kiln.batch_norm %x, %g, %b, %m, %v : {xt}, "
                f"{', '.join([sty] * 4)} outs(%i : {xt}) "
                f"{{channel_axis = {axis} : i64, epsilon = 1.0e-05 : f32}} -> {xt}")
        bs = [1] * len(shape)
        bs[ax] = c
        g, b, m, v = (a.reshape(bs) for _, a in st)
        want = (xv - m) / np.sqrt(v + float(np.float32(1e-5))) * g + b
    else:
        pshape = shape[ax:]
        dims = tuple(range(ax, len(shape)))
        eps = float(np.float32(1e-5))
        if op == "layer_norm":
            mean = xv.mean(axis=dims, keepdims=True)
            want = (xv - mean) / np.sqrt(((xv - mean) ** 2).mean(
                axis=dims, keepdims=True) + eps)
        else:
            want = xv / np.sqrt((xv ** 2).mean(axis=dims, keepdims=True) + eps)
        if affine:
            g, gv = to_input(rng.standard_normal(pshape), "f32")
            inputs.append(g); types.append("f32")
            args += f", %g: {ty(pshape, 'f32')}"
            suffix += f" scale(%g : {ty(pshape, 'f32')})"
            want = want * gv
            if op == "layer_norm":
                b, bv = to_input(rng.standard_normal(pshape), "f32")
                inputs.append(b); types.append("f32")
                args += f", %b: {ty(pshape, 'f32')}"
                suffix += f" bias(%b : {ty(pshape, 'f32')})"
                want = want + bv
        body = (f"%y = kiln.{op} %x{suffix} : {xt} outs(%i : {xt}) "
                f"{{axis = {axis} : i64, epsilon = 1.0e-05 : f32}} -> {xt}")
    func = f"""
  func.func @f(%x: {xt}{args}) -> {xt} {{
    %i = tensor.empty() : {xt}
    {body}
    return %y : {xt}
  }}"""
    tol = {"f32": 1e-4, "f16": 3e-3, "bf16": 2e-2}[elt]
    name = f"{op} {shape} axis {axis}{' affine' if affine else ''} {elt}"
    return Case("norm", name, func, "f", inputs, types, [(shape, elt)],
                [rounded(want, elt)], [("close", tol, tol)])


NORM_SHAPES = [([1, 1], -1), ([3, 33], -1), ([2, 5, 13], 1), ([4, 7], 0),
               ([2, 3, 4, 5], -2), ([1, 129], -1)]


def norm_cases(rng):
    for op, (shape, axis), elt in itertools.product(
            ("layer_norm", "rms_norm", "softmax"), NORM_SHAPES,
            ("f32", "f16", "bf16")):
        for affine in ((False, True) if op != "softmax" else (False,)):
            yield lambda o=op, s=shape, a=axis, e=elt, f=affine: \
                norm_case(rng, o, s, a, e, f)
    for shape, axis, elt in itertools.product(
            ([2, 5, 7, 9], [2, 7, 9, 5], [3, 4, 6]), (1, -1),
            ("f32", "f16", "bf16")):
        yield lambda s=shape, a=axis, e=elt: norm_case(rng, "batch_norm", s,
                                                       a, e, False)


# ---- quantize / dequantize -------------------------------------------------

INT_RANGE = {"i8": (-128, 127), "i4": (-8, 7)}


def _int_ref(x, s, zp, storage):
    lo, hi = INT_RANGE[storage]
    t = qr.safe_div(x, s)
    t = np.where(np.isnan(t), np.float32(0), t).astype(np.float64)
    t = np.clip(np.rint(t), -2.0 ** 40, 2.0 ** 40)
    return np.clip(t.astype(np.int64) + zp, lo, hi)


def _block_absmax(x, axis, block):
    n = x.shape[axis]
    return np.concatenate([np.abs(np.take(x, range(i, min(i + block, n)),
                                          axis=axis)).max(axis=axis, keepdims=True)
                           for i in range(0, n, block)], axis=axis).astype(np.float32)


def _codec_func(shape, storage, s_shape, s_elt, fmt, zp):
    x, q, s = ty(shape, "f32"), ty(shape, storage), ty(s_shape, s_elt)
    yi = ty(shape, "i32")
    za = f", %zp: {ty(s_shape, 'i32')}" if zp else ""
    zc = f" zero_point(%zp : {ty(s_shape, 'i32')})" if zp else ""
    return f"""
  func.func @f(%x: {x}, %s: {s}{za}) -> ({q}, {yi}) {{
    %eq = tensor.empty() : {q}
    %ey = tensor.empty() : {x}
    %q = kiln.quantize %x scale(%s : {s}){zc} : {x} outs(%eq : {q})
         {{format = {fmt}}} -> {q}
    %y = kiln.dequantize %q scale(%s : {s}){zc} : {q} outs(%ey : {x})
         {{format = {fmt}}} -> {x}
    %b = arith.bitcast %y : {x} to {yi}
    return %q, %b : {q}, {yi}
  }}"""


def _layout(shape, gran, rng):
    """(format clause, scale shape, axis, block) of a granularity."""
    if gran == "tensor":
        return "", [], None, None
    axis = int(rng.integers(len(shape)))
    if gran == "axis":
        sh = [1] * len(shape)
        return f", axis = {axis}", [shape[axis]], axis, None
    block = {"block4": 4, "block32": 32}[gran]
    axis = len(shape) - 1 if block == 32 else axis
    sh = list(shape)
    sh[axis] = -(-shape[axis] // block)
    return f", axis = {axis}, block = {block}", sh, axis, block


def _expand(s, shape, axis, block):
    s = np.asarray(s)
    if axis is None:
        return s
    if block is None:
        bs = [1] * len(shape)
        bs[axis] = shape[axis]
        return s.reshape(bs)
    return qr.block_expand(s, shape, axis, block)


def quant_case(rng, kind, shape, gran):
    """kind: i8, i4, f8E4M3FN, f8E5M2, f4E2M1FN, mx-<fmt>, bfp<bits>,
    codebook-<signed|unsigned>."""
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    clause, sshape, axis, block = "", [], None, None
    if gran != "block":
        clause, sshape, axis, block = _layout(shape, gran, rng)
    if kind in ("i8", "i4"):
        lo, hi = INT_RANGE[kind]
        s = (np.abs(rng.standard_normal(sshape)) * 0.2 + 0.05).astype(np.float32)
        if s.size > 2:
            s.reshape(-1)[1] = 0.0  # a zero scale encodes 0 (q = zp)
        zp = rng.integers(lo // 2, hi // 2 + 1, sshape).astype(np.int32)
        if x.size >= 4:
            x.reshape(-1)[:3] = [np.nan, np.inf, -1e9]
        se, ze = _expand(s, shape, axis, block), _expand(zp, shape, axis, block)
        wq = _int_ref(x, se, ze, kind)
        wy = ((wq - ze).astype(np.float32) * se).astype(np.float32)
        func = _codec_func(shape, kind, sshape, "f32",
                           f"#kiln.qformat<int{clause}>", True)
        ins, types, storage = [x, s, zp], ["f32", "f32", "i32"], kind
    elif kind in qr.FORMATS:
        if block:  # float kind takes per tensor / per axis scales only
            clause, sshape, axis, block = _layout(shape, "axis", rng)
        s = (np.abs(rng.standard_normal(sshape)) + 0.1).astype(np.float32)
        x = (x * 20).astype(np.float32)
        if x.size >= 4:
            x.reshape(-1)[:2] = [np.nan, 1e30]
        se = _expand(s, shape, axis, block)
        wq = qr.encode(kind, qr.safe_div(x, se))
        wy = (qr.decode(kind, wq) * se).astype(np.float32)
        func = _codec_func(shape, kind, sshape, "f32",
                           f"#kiln.qformat<float{clause}>", False)
        ins, types, storage = [x, s], ["f32", "f32"], kind
    elif kind.startswith("mx-") or kind.startswith("bfp"):
        axis = len(shape) - 1
        block = 32 if kind.startswith("mx-") else 16
        sshape = list(shape)
        sshape[axis] = -(-shape[axis] // block)
        x = (x * np.exp2(rng.integers(-6, 6, shape))).astype(np.float32)
        amax = _block_absmax(x, axis, block)
        if kind.startswith("mx-"):
            fmt = kind[3:]
            sc = qr.mx_scale_codes(amax, fmt)
            scale = qr.block_expand(qr.e8m0_value(sc), shape, axis, block)
            wq = qr.encode(fmt, (x / scale).astype(np.float32))
            wy = (qr.decode(fmt, wq) * scale).astype(np.float32)
            storage, attr = fmt, f"#kiln.qformat<mx, axis = {axis}, block = 32>"
        else:
            bits = int(kind[3:])
            sc = qr.bfp_scale_codes(amax, bits)
            scale = qr.block_expand(qr.e8m0_value(sc), shape, axis, block)
            lim = 2 ** (bits - 1) - 1
            wq = np.clip(np.rint(x / scale), -lim, lim).astype(np.int64)
            wy = (wq.astype(np.float32) * scale).astype(np.float32)
            storage = "i8"
            attr = (f"#kiln.qformat<bfp, axis = {axis}, block = {block}, "
                    f"bits = {bits}>")
        func = _codec_func(shape, storage, sshape, "f8E8M0FNU", attr, False)
        ins, types = [x, sc], ["f32", "f8E8M0FNU"]
    else:  # codebook
        signed = kind.endswith("-signed")
        cname = "dynamic_signed" if signed else "dynamic_unsigned"
        code = qr.dynamic_map(signed)
        if not signed:
            x = np.abs(x)
        axis = len(shape) - 1
        block = 16
        amax = _block_absmax(x, axis, block)
        scale = qr.block_expand(amax, shape, axis, block)
        wq = qr.codebook_encode(code, qr.safe_div(x, scale))
        wy = (code[wq] * scale).astype(np.float32)
        func = _codec_func(shape, "i8", list(amax.shape), "f32",
                           f"#kiln.qformat<codebook, axis = {axis}, block = "
                           f"{block}, codebook = {cname}>", False)
        ins, types, storage = [x, amax], ["f32", "f32"], "i8"
        # the harness reads i8 codes signed: compare them as bytes
        wq = np.where(wq > 127, wq - 256, wq)
    name = f"{kind} {shape} {gran if not block or kind in INT_RANGE else f'block{block}'}"
    return Case("quant", name, func, "f", ins, types,
                [(shape, storage), (shape, "i32")],
                [np.asarray(wq, np.int64), qr.f32_bits(wy)],
                [("exact",), ("exact",)])


QUANT_KINDS = ["i8", "i4", "f8E4M3FN", "f8E5M2", "f4E2M1FN", "mx-f8E4M3FN",
               "mx-f8E5M2", "mx-f4E2M1FN", "bfp2", "bfp4", "bfp8",
               "codebook-signed", "codebook-unsigned"]
QUANT_SHAPES = [[1, 1], [7, 13], [3, 45], [2, 5, 33]]


def quant_cases(rng):
    for kind, shape in itertools.product(QUANT_KINDS, QUANT_SHAPES):
        if kind in ("i8", "i4"):
            grans = ["tensor", "axis", "block4", "block32"]
        elif kind in qr.FORMATS:
            grans = ["tensor", "axis"]
        else:
            grans = ["block"]
        for g in grans:
            yield lambda k=kind, s=shape, g=g: quant_case(rng, k, s, g)


# ---- qmatmul / qconv -------------------------------------------------------

def qmatmul_case(rng, wfmt, m, n, k, act="f32"):
    """Weights [n, k] (transpose_b), per-channel or blocked along K."""
    a_in, av = to_input(rng.standard_normal((m, k)), act if act != "i8" else "f32")
    lhs_args, lhs_ops, lhs_attr, ins, types = "", "", "", [], []
    if act == "i8":
        a_q = rng.integers(-128, 128, (m, k)).astype(np.int8)
        sa, za = np.array(0.02, np.float32), np.array(3, np.int32)
        av = (a_q.astype(np.float64) - 3) * float(sa)
        a_in = a_q
        lhs_args = ", %sa: tensor<f32>, %za: tensor<i32>"
        lhs_ops = " lhs_scale(%sa : tensor<f32>) lhs_zero_point(%za : tensor<i32>)"
        lhs_attr = "lhs_format = #kiln.qformat<int>, "
        extra_ins, extra_types = [sa, za], ["f32", "i32"]
    else:
        extra_ins, extra_types = [], []
    if wfmt == "int8-axis":
        w = rng.integers(-128, 128, (n, k)).astype(np.int8)
        s = (rng.random(n) * 0.02 + 1e-3).astype(np.float32)
        deq = w.astype(np.float64) * s[:, None].astype(np.float64)
        welt, selt, fmt = "i8", "f32", "#kiln.qformat<int, axis = 0>"
    elif wfmt == "int4-block32":
        w = rng.integers(-8, 8, (n, k)).astype(np.int8)
        nb = -(-k // 32)
        s = (rng.random((n, nb)) * 0.1 + 1e-3).astype(np.float32)
        deq = w * qr.block_expand(s, (n, k), 1, 32).astype(np.float64)
        welt, selt, fmt = "i4", "f32", "#kiln.qformat<int, axis = 1, block = 32>"
    elif wfmt in ("f8E4M3FN", "f8E5M2"):
        w = rng.integers(0, 256, (n, k)).astype(np.uint8)
        w[(w & 0x7F) >= (0x7F if wfmt == "f8E4M3FN" else 0x7C)] = 0x10  # no NaN/inf
        s = (rng.random(n) * 0.5 + 0.1).astype(np.float32)
        deq = qr.decode(wfmt, w).astype(np.float64) * s[:, None]
        welt, selt, fmt = wfmt, "f32", "#kiln.qformat<float, axis = 0>"
    elif wfmt == "mxfp4":
        w = rng.integers(0, 16, (n, k)).astype(np.uint8)
        nb = -(-k // 32)
        s = rng.integers(120, 135, (n, nb)).astype(np.uint8)
        deq = qr.decode("f4E2M1FN", w).astype(np.float64) * qr.block_expand(
            qr.e8m0_value(s), (n, k), 1, 32)
        welt, selt, fmt = "f4E2M1FN", "f8E8M0FNU", "#kiln.qformat<mx, axis = 1, block = 32>"
    else:  # bfp4, block 16
        w = rng.integers(-7, 8, (n, k)).astype(np.int8)
        nb = -(-k // 16)
        s = rng.integers(120, 130, (n, nb)).astype(np.uint8)
        deq = w * qr.block_expand(qr.e8m0_value(s), (n, k), 1, 16).astype(np.float64)
        welt, selt, fmt = "i8", "f8E8M0FNU", \
            "#kiln.qformat<bfp, axis = 1, block = 16, bits = 4>"
    aelt = act
    at, wt, st, ot = ty([m, k], aelt), ty([n, k], welt), ty(s.shape, selt), \
        ty([m, n], "f32")
    func = f"""
  func.func @f(%a: {at}, %w: {wt}, %s: {st}{lhs_args}) -> {ot} {{
    %i = tensor.empty() : {ot}
    %c = kiln.qmatmul ins(%a, %w : {at}, {wt}){lhs_ops} rhs_scale(%s : {st})
         outs(%i : {ot}) {{{lhs_attr}transpose_b, rhs_format = {fmt}}} -> {ot}
    return %c : {ot}
  }}"""
    want = np.asarray(av, np.float64) @ deq.T
    atol = 1e-5 * max(1.0, float(np.abs(want).max()))
    return Case("qmatmul", f"{wfmt} {act} {m}x{n}x{k}", func, "f",
                [a_in, w, s] + extra_ins, [aelt, welt, selt] + extra_types,
                [([m, n], "f32")], [want], [("close", 1e-5, atol)])


def qconv_case(rng, data, groups, input_q, n=1, c=4, o=6, hw=(7, 9), kk=3):
    ci = c // groups
    xs = [n, c, *hw] if data == "nchw" else [n, *hw, c]
    ws = [o, ci, kk, kk]
    w = rng.integers(-128, 128, ws).astype(np.int8)
    s = (rng.random(o) * 0.02 + 1e-3).astype(np.float32)
    if input_q:
        x = rng.integers(-128, 128, xs).astype(np.int8)
        sx, zx = np.array(0.03, np.float32), np.array(-4, np.int32)
        xv = (x.astype(np.float64) + 4) * float(sx)
        xelt, args = "i8", ", %sx: tensor<f32>, %zx: tensor<i32>"
        ops = " input_scale(%sx : tensor<f32>) input_zero_point(%zx : tensor<i32>)"
        attrs = ["input_format = #kiln.qformat<int>"]
        extra, etypes = [sx, zx], ["f32", "i32"]
    else:
        x, xv = to_input(rng.standard_normal(xs), "f32")
        xelt, args, ops, attrs, extra, etypes = "f32", "", "", [], [], []
    oh, ow = hw[0] - kk + 3, hw[1] - kk + 3  # pad 1 on each side
    ys = [n, o, oh, ow] if data == "nchw" else [n, oh, ow, o]
    attrs += [f"groups = {groups} : i64", "pad_low = array<i64: 1, 1>",
              "pad_high = array<i64: 1, 1>",
              f"data_layout = #kiln<data_layout {data}>",
              "filter_format = #kiln.qformat<int, axis = 0>"]
    xt, wt, st, yt = ty(xs, xelt), ty(ws, "i8"), ty([o], "f32"), ty(ys, "f32")
    func = f"""
  func.func @f(%x: {xt}, %w: {wt}, %s: {st}{args}) -> {yt} {{
    %i = tensor.empty() : {yt}
    %y = kiln.qconv ins(%x, %w : {xt}, {wt}){ops} filter_scale(%s : {st})
         outs(%i : {yt}) {{{', '.join(attrs)}}} -> {yt}
    return %y : {yt}
  }}"""
    wd = w.astype(np.float64) * s.astype(np.float64)[:, None, None, None]
    want = conv_ref(xv, wd, [1, 1], [1, 1], [1, 1], [1, 1], groups, data, "oihw")
    atol = 1e-5 * max(1.0, float(np.abs(want).max()))
    return Case("qconv", f"{data} groups {groups}{' int8 input' if input_q else ''}",
                func, "f", [x, w, s] + extra, [xelt, "i8", "f32"] + etypes,
                [(ys, "f32")], [want], [("close", 1e-5, atol)])


def qcompute_cases(rng):
    for fmt, (m, n, k), act in itertools.product(
            ("int8-axis", "int4-block32", "f8E4M3FN", "f8E5M2", "mxfp4", "bfp4"),
            ((1, 7, 33), (5, 13, 64), (33, 17, 70), (64, 64, 96)),
            ("f32", "bf16")):
        yield lambda f=fmt, m=m, n=n, k=k, a=act: qmatmul_case(rng, f, m, n, k, a)
    for m, n, k in ((7, 21, 33), (16, 32, 64)):
        yield lambda m=m, n=n, k=k: qmatmul_case(rng, "int8-axis", m, n, k, "i8")
    for data, groups, iq in itertools.product(("nchw", "nhwc"), (1, 2),
                                              (False, True)):
        yield lambda d=data, g=groups, q=iq: qconv_case(rng, d, g, q)


# ---- block_select, permute, attention_merge --------------------------------

def block_select_case(rng, mode, causal, shape, heads_kv, elt):
    B, Hq, Hkv, Sq, Skv, D, qb, kb = shape
    heads = Hkv if heads_kv else Hq
    for _ in range(20):  # redraw until no selection is too close to call
        q, qv = to_input(rng.standard_normal((B, Hq, Sq, D)), elt)
        k, kv = to_input(rng.standard_normal((B, Hkv, Skv, D)), elt)
        try:
            kwargs = dict(k_=2) if mode == "top_k" else dict(threshold=0.7)
            wi, wc, need = bsr.reference(qv, kv, heads, mode, qb, kb, causal,
                                         **kwargs)
            break
        except RuntimeError:
            continue
    if mode == "threshold":
        need = -(-Skv // kb)
        wi = np.pad(wi, [(0, 0)] * 3 + [(0, need - wi.shape[3])])
    attrs = {"mode": f"#kiln<select_mode {mode}>", "q_block": qb, "kv_block": kb}
    if mode == "top_k":
        attrs["k"] = 2
    else:
        attrs["threshold"] = "0.7 : f32"
    if causal:
        attrs["causal"] = "unit"
    nq = -(-Sq // qb)
    it, ct = ty((B, heads, nq, need), "i32"), ty((B, heads, nq), "i32")
    qt, ktt = ty(q.shape, elt), ty(k.shape, elt)
    text = ", ".join(f"{a} = {v}" for a, v in attrs.items())
    func = f"""
  func.func @f(%q: {qt}, %k: {ktt}) -> ({it}, {ct}) {{
    %i0 = tensor.empty() : {it}
    %c0 = tensor.empty() : {ct}
    %r:2 = kiln.block_select ins(%q, %k : {qt}, {ktt}) outs(%i0, %c0 : {it}, {ct}) {{{text}}} -> {it}, {ct}
    return %r#0, %r#1 : {it}, {ct}
  }}"""
    name = (f"{mode}{' causal' if causal else ''} B{B} Hq{Hq}:Hkv{Hkv} Sq{Sq} "
            f"Skv{Skv} blocks {qb}/{kb} heads {heads} {elt}")
    return Case("block_select", name, func, "f", [q, k], [elt, elt],
                [((B, heads, nq, need), "i32"), ((B, heads, nq), "i32")],
                [wi, wc], [("exact",), ("exact",)])


def permute_case(rng, shape, elt, ielt):
    B, H, S = shape[:3]
    x = (rng.standard_normal(shape) * 10).astype(np.float32)
    if elt == "i32":
        x = np.rint(x).astype(np.int32)
    idx = np.stack([rng.permutation(S) for _ in range(B * H)]).reshape(B, H, S)
    idx = idx.astype(np.int64 if ielt == "i64" else np.int32)
    xv = to_input(x, elt)[1] if elt != "i32" else x.astype(np.float64)
    xin = to_input(x, elt)[0] if elt != "i32" else x
    st, it = ty(shape, elt), ty(shape[:3], ielt)
    func = f"""
  func.func @f(%x: {st}, %i: {it}) -> ({st}, {st}) {{
    %e = tensor.empty() : {st}
    %p = kiln.permute %x by %i : {st}, {it} outs(%e : {st}) -> {st}
    %e2 = tensor.empty() : {st}
    %u = kiln.unpermute %x by %i : {st}, {it} outs(%e2 : {st}) -> {st}
    return %p, %u : {st}, {st}
  }}"""
    idx3 = idx
    return Case("permute", f"{shape} {elt} idx {ielt}", func, "f", [xin, idx],
                [elt, ielt], [(shape, elt), (shape, elt)],
                [ar.permute(xv, idx3), ar.unpermute(xv, idx3)],
                [("exact",), ("exact",)])


def merge_case(rng, nparts, shape, elt):
    B, H, S, D = shape
    outs = [to_input(rng.standard_normal(shape), elt) for _ in range(nparts)]
    lses = [(rng.standard_normal((B, H, S)) * 3).astype(np.float32)
            for _ in range(nparts)]
    lses[0][0, 0, 0] = -np.inf
    for l in lses:  # one row where every partial is empty
        l[0, 0, S - 1] = -np.inf
    ot, lt = ty(shape, elt), ty((B, H, S), "f32")
    onames = ", ".join(f"%o{p}" for p in range(nparts))
    lnames = ", ".join(f"%l{p}" for p in range(nparts))
    sig = ", ".join([f"%o{p}: {ot}" for p in range(nparts)] +
                    [f"%l{p}: {lt}" for p in range(nparts)])
    func = f"""
  func.func @f({sig}) -> ({ot}, {lt}) {{
    %oi = tensor.empty() : {ot}
    %li = tensor.empty() : {lt}
    %o, %l = kiln.attention_merge ins({onames} : {', '.join([ot] * nparts)})
        lse({lnames} : {', '.join([lt] * nparts)}) outs(%oi, %li : {ot}, {lt})
        -> {ot}, {lt}
    return %o, %l : {ot}, {lt}
  }}"""
    wo, wl = ar.merge([v for _, v in outs], lses)
    r, a = ROUND[elt]
    return Case("attention_merge", f"{nparts} parts {shape} {elt}", func, "f",
                [o for o, _ in outs] + lses, [elt] * nparts + ["f32"] * nparts,
                [(shape, elt), ((B, H, S), "f32")], [rounded(wo, elt), wl],
                [("close", 1e-5 + r, 1e-5 + a), ("lse", 1e-5)])


def sparse_cases(rng):
    for mode, causal, shape, hk, elt in itertools.product(
            ("top_k", "threshold"), (False, True),
            ((1, 2, 2, 32, 40, 4, 8, 8), (2, 4, 2, 13, 29, 5, 4, 5),
             (1, 4, 1, 33, 33, 8, 16, 8)), (False, True), ("f32", "bf16")):
        yield lambda m=mode, c=causal, s=shape, h=hk, e=elt: \
            block_select_case(rng, m, c, s, h, e)
    for shape, elt, ielt in itertools.product(
            ((2, 3, 7, 5), (1, 2, 13), (1, 1, 1, 3), (2, 2, 33, 4)),
            ("f32", "f16", "bf16", "i32"), ("i32", "i64")):
        yield lambda s=shape, e=elt, i=ielt: permute_case(rng, s, e, i)
    for nparts, shape, elt in itertools.product(
            (1, 2, 3), ((1, 2, 3, 4), (2, 3, 13, 7)), ("f32", "f16", "bf16")):
        yield lambda p=nparts, s=shape, e=elt: merge_case(rng, p, s, e)


FAMILIES = {
    "matmul": matmul_cases, "attention": attention_cases, "conv": conv_cases,
    "norm": norm_cases, "quant": quant_cases, "qcompute": qcompute_cases,
    "sparse": sparse_cases,
}


def build(fam, i, seed):
    """Case i of family fam, its inputs drawn from its own seeded RNG."""
    rng = np.random.default_rng([seed, i, sum(map(ord, fam))])
    gen = FAMILIES[fam](rng)
    return next(itertools.islice(gen, i, None))()


# ---- running ---------------------------------------------------------------



def _cpu(target, options=""):
    return f"--kiln-cpu-pipeline=mcpu={target}" + (f" {options}" if options else "")


def _run_batch(cases, targets, pool, options=""):
    """{(case index, target or "ref"): results or exception}, and
    {(index, target): path}."""
    calls = [c.call(f"c{j}_") for j, c in enumerate(cases)]
    module = kt.build_batch_module(calls)
    jobs = {"ref": pool.submit(kt.lower, module, "--kiln-reference-pipeline")}
    for t in targets:
        jobs[t] = pool.submit(kt.lower, module, _cpu(t, options))
        jobs["slow", t] = pool.submit(
            kt.slow_path_functions, module,
            _cpu(t, options + " lower-to-llvm=false"))
    results, paths = {}, {}
    runs = {k: pool.submit(lambda j=j: kt.execute(j.result()))
            for k, j in jobs.items() if not isinstance(k, tuple)}
    for k, r in runs.items():
        res = kt.parse_batch(r.result(), calls)
        for j in range(len(cases)):
            results[j, k] = res[j]
    for t in targets:
        slow = jobs["slow", t].result()
        for j in range(len(cases)):
            paths[j, t] = "slow" if any(f.startswith(f"c{j}_") for f in slow) \
                else "fast"
    return results, paths


def run_cases(cases, targets, batch=10, log=print, options=""):
    """Runs the cases; returns (failures, fast count, lines)."""
    failures, nfast = [], 0
    pool = ThreadPoolExecutor(max_workers=3)
    for start in range(0, len(cases), batch):
        chunk = cases[start:start + batch]
        try:
            results, paths = _run_batch(chunk, targets, pool, options)
            groups = [(chunk, results, paths, 0)]
        except Exception:  # isolate the failing case(s)
            groups = []
            for j, c in enumerate(chunk):
                try:
                    r, p = _run_batch([c], targets, pool, options)
                    groups.append(([c], r, p, j))
                except Exception as e:  # noqa: BLE001
                    msg = str(e).strip().splitlines()
                    detail = " | ".join(msg[:4])[:600]
                    for t in targets:
                        log(f"FAIL {c.family}/{c.name} [{t}] error: {detail}")
                        failures.append(f"{c.family}/{c.name} [{t}]")
        for grp, results, paths, _ in groups:
            for j, c in enumerate(grp):
                ref_ok, ref_err = True, 0.0
                for o, (g, w, chk) in enumerate(zip(results[j, "ref"], c.want,
                                                    c.checks)):
                    ok, err = compare(g, w, chk)
                    ref_ok &= ok
                    ref_err = max(ref_err, err)
                for t in targets:
                    fast_ok, fast_err = True, 0.0
                    for g, w, chk in zip(results[j, t], c.want, c.checks):
                        ok, err = compare(g, w, chk)
                        fast_ok &= ok
                        fast_err = max(fast_err, err)
                    path = paths[j, t]
                    nfast += path == "fast"
                    ok = ref_ok and fast_ok
                    what = "" if ok else (" (reference pipeline mismatch)"
                                          if not ref_ok else "") + (
                        " (optimized pipeline mismatch)" if not fast_ok else "")
                    log(f"{'ok  ' if ok else 'FAIL'} {c.family}/{c.name} [{t}] "
                        f"path={path} err={fast_err:.3g} ref_err={ref_err:.3g}"
                        f"{what}")
                    if not ok:
                        failures.append(f"{c.family}/{c.name} [{t}]")
    pool.shutdown()
    return failures, nfast


def select(seed, sample=None, families=None):
    """[(family, index)] of the whole matrix, or a seeded sample of about
    `sample` cases spread over the families (every family represented;
    matmul always included so the fast path is exercised)."""
    keys = []
    sizes = {f: sum(1 for _ in FAMILIES[f](None))
             for f in (families or FAMILIES)}
    if sample is None:
        return [(f, i) for f, n in sizes.items() for i in range(n)], sizes
    rng = np.random.default_rng(seed)
    total = sum(sizes.values())
    for f, n in sizes.items():
        take = max(2, round(sample * n / total))
        keys += [(f, int(i)) for i in sorted(rng.choice(n, min(take, n),
                                                         replace=False))]
    return keys, sizes


def run(targets, sample=None, seed=1234, families=None, batch=10, options=""):
    """Runs the matrix (or a sample of it) on each target; exits non-zero on
    a mismatch or when no case took the fast path."""
    t0 = time.time()
    keys, sizes = select(seed, sample, families)
    print(f"e2e: seed {seed}, matrix {sum(sizes.values())} cases "
          f"({', '.join(f'{f} {n}' for f, n in sizes.items())}), running "
          f"{len(keys)} on targets {', '.join(targets)}")
    sys.stdout.flush()
    cases = [build(f, i, seed) for f, i in keys]
    failures, nfast = run_cases(cases, targets, batch=batch,
                                log=lambda s: (print(s), sys.stdout.flush()),
                                options=options)
    n = len(cases) * len(targets)
    print(f"e2e: {n} runs, {n - len(failures)} ok, {len(failures)} failed, "
          f"{nfast} on the fast path, {time.time() - t0:.1f} s")
    if failures:
        print("e2e FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    if nfast == 0:
        print("e2e FAILED: no case took the fast path (the optimized "
              "pipeline only ran the reference lowering)")
        sys.exit(1)


def default_target():
    """The mcpu of the host's vector ISA the JIT can run: x86-64-v3 with
    AVX2 + FMA, else baseline x86-64."""
    return "x86-64-v3" if {"avx2", "fma"} <= kt.host_flags() else "x86-64"


def main(argv=None):
    """Command line of the runner tests: [--sample [N]] [--seed S]
    [--target MCPU]... [--family F]... [--batch B]
    [--pipeline-options "opt-level=0 ..."]."""
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sample", type=int, nargs="?", const=400, default=None,
                   help="run a seeded sample of about N cases (default 400)")
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--target", action="append", default=None)
    p.add_argument("--family", action="append", default=None,
                   choices=list(FAMILIES))
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--pipeline-options", default="",
                   help="more kiln-cpu-pipeline options, e.g. opt-level=0")
    a = p.parse_args(argv)
    run(a.target or [default_target()], sample=a.sample, seed=a.seed,
        families=a.family, batch=a.batch, options=a.pipeline_options)


if __name__ == "__main__":
    main()
