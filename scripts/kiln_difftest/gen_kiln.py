"""Cases written in the kiln dialect (incl. fusion templates).

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .gen_basic import *  # noqa: F401,F403
from .gen_conv import *  # noqa: F401,F403
from .gen_shape import *  # noqa: F401,F403
from .gen_quant import *  # noqa: F401,F403
from .gen_templates import *  # noqa: F401,F403

# ======================================================= kiln-dialect cases

def from_e2e(c, template=False, known=(), expect_fused=None):
    """A Case of a kiln_e2e.Case (entry @f, its checks translated)."""
    checks = []
    for chk in c.checks:
        checks.append(EXACT if chk[0] == "exact" else
                      Check(1e-5, chk[1]) if chk[0] == "lse" else
                      Check(chk[1], chk[2]))
    return Case("kiln-" + c.family, c.name, mlir=c.func,
                inputs=[to_npy(a, t) for a, t in zip(c.inputs, c.types)],
                types=list(c.types), want=c.want,
                out_types=[e for _, e in c.outputs], checks=checks,
                template=template, known=known, expect_fused=expect_fused)


def gen_kiln(r):
    """A kiln op through kiln_e2e's builders, with random parameters."""
    kind = pick(r, ["matmul", "attention", "attention", "conv", "norm", "quant",
                    "qcompute"])
    elt = pick(r, ["f32", "f32", "f16", "bf16"])
    if kind == "matmul":
        batch = () if r.random() < 0.6 else (dim(r, 0),)
        return from_e2e(ke.matmul_case(r, dim(r), dim(r), dim(r), batch, elt,
                                       r.random() < 0.5, r.random() < 0.2,
                                       pick(r, ["f32", elt])))
    if kind == "attention":
        hq = int(r.choice([1, 2, 4, 6, 8]))
        shp = (int(r.choice([1, 1, 2])), hq, dim(r, 0.1), dim(r, 0.1),
               int(r.choice([1, 3, 4, 5, 8, 16])))
        ratio = pick(r, [d for d in (1, 2, 3, 4) if hq % d == 0])
        return from_e2e(ke.attention_case(r, pick(r, ke.ATT_VARIANTS), shp, ratio,
                                          elt, r.random() < 0.4))
    if kind == "conv":
        xs, ws, st, lo, hi, dl, groups = conv_geometry(r)
        geom = (xs[1], ws[0], xs[2:], ws[2:], st, lo, hi, dl, groups,
                pick(r, ["nchw", "nhwc"]), pick(r, ["oihw", "hwio", "ohwi"]))
        return from_e2e(ke.conv_case(r, geom, elt, pick(r, list(ke.EPILOGUES)),
                                     xs[0]))
    if kind == "norm":
        op = pick(r, ["layer_norm", "rms_norm", "softmax", "batch_norm"])
        rank = int(r.integers(2 if op == "batch_norm" else 1, 5))
        s = shape(r, rank)
        axis = int(r.integers(-rank, rank))
        return from_e2e(ke.norm_case(r, op, s, axis, elt, r.random() < 0.5))
    if kind == "quant":
        q = pick(r, ke.QUANT_KINDS)
        s = shape(r, int(r.integers(1, 4)), 0.2, 2000)
        gran = pick(r, ["tensor", "axis", "block4", "block32"]) if q in ke.INT_RANGE \
            else pick(r, ["tensor", "axis"]) if q in ke.qr.FORMATS else "block"
        return from_e2e(ke.quant_case(r, q, s, gran))
    if r.random() < 0.7:
        fmt = pick(r, ["int8-axis", "int4-block32", "f8E4M3FN", "f8E5M2", "mxfp4",
                       "bfp4"])
        act = pick(r, ["f32", "bf16"]) if fmt != "int8-axis" or r.random() < 0.7 \
            else "i8"
        return from_e2e(ke.qmatmul_case(r, fmt, dim(r), dim(r), dim(r, 0.2), act))
    groups = int(r.choice([1, 2]))
    c = groups * int(r.integers(1, 4))
    return from_e2e(ke.qconv_case(r, pick(r, ["nchw", "nhwc"]), groups,
                                  r.random() < 0.5, int(r.integers(1, 3)), c,
                                  groups * int(r.integers(1, 4)),
                                  (int(r.integers(1, 10)), int(r.integers(1, 10))),
                                  int(r.choice([1, 3]))))


def kiln_softmax(x):
    """kiln.softmax in float64: a slice that is all -inf gives 0."""
    m = x.max(-1, keepdims=True)
    empty = np.isneginf(m)
    e = np.where(empty, 0.0, np.exp(x - np.where(empty, 0.0, m)))
    return e / np.where(empty, 1.0, e.sum(-1, keepdims=True))


def gen_kiln_attention(r):
    """Attention written out in the kiln dialect (what kiln-fuse-attention
    matches directly), with the same kind of perturbations."""
    ty = ke.ty
    B, H, S, T = int(r.choice([1, 2])), int(r.choice([1, 2, 3])), dim(r, 0.1), dim(r, 0.1)
    D = int(r.choice([1, 2, 4, 5, 8, 16]))
    Dv = D if r.random() < 0.8 else int(r.choice([1, 3, 8]))
    q, k, v = randn(r, [B, H, S, D]), randn(r, [B, H, T, D]), randn(r, [B, H, T, Dv])
    st, ot = ty([B, H, S, T], "f32"), ty([B, H, S, Dv], "f32")
    args = [f"%q: {ty(q.shape, 'f32')}", f"%k: {ty(k.shape, 'f32')}",
            f"%v: {ty(v.shape, 'f32')}"]
    inputs, lines = [q, k, v], [f"%i = tensor.empty() : {st}"]
    if r.random() < 0.4:
        dt = ty([B, H, D, T], "f32")
        lines += [f"%te = tensor.empty() : {dt}",
                  f"%kt = linalg.transpose ins(%k : {ty(k.shape, 'f32')}) outs(%te : "
                  f"{dt}) permutation = [0, 1, 3, 2]",
                  f"%s0 = kiln.matmul ins(%q, %kt : {ty(q.shape, 'f32')}, {dt}) "
                  f"outs(%i : {st}) -> {st}"]
    else:
        lines.append(f"%s0 = kiln.matmul ins(%q, %k : {ty(q.shape, 'f32')}, "
                     f"{ty(k.shape, 'f32')}) outs(%i : {st}) {{transpose_b}} -> {st}")
    sform = pick(r, ["mulf", "divf", "none", "zero", "neg"], p=[.4, .35, .13, .06, .06])
    c = {"zero": 0.0, "neg": -0.5}.get(sform, 1 / math.sqrt(D) if r.random() < 0.7
                                       else float(r.uniform(0.05, 1.5)))
    s = np.einsum("bhsd,bhtd->bhst", q.astype(np.float64), k.astype(np.float64)) * c \
        if sform != "none" else np.einsum("bhsd,bhtd->bhst", q.astype(np.float64),
                                          k.astype(np.float64))
    last = "%s0"
    if sform != "none":
        op = "divf" if sform == "divf" else "mulf"
        val = 1 / c if sform == "divf" else c
        lines += [f"%c = arith.constant dense<{float(np.float32(val))!r}> : {st}",
                  f"%s1 = arith.{op} %s0, %c : {st}"]
        last = "%s1"
    mform = pick(r, ["none", "causal", "causal", "input"])
    fill, offset, known, mask = pick(r, [NEG_INF, F32MIN]), 0, set(), None
    if mform == "causal":
        offset = int(pick(r, [-1, 1])) if r.random() < 0.2 else 0
        i, j = np.arange(S)[:, None], np.arange(T)[None, :]
        tri = np.where(j <= i + (T - S) + offset, 0.0, fill).astype(np.float32)
        body = []
        kt._constant("m2", tri, (S, T), "f32", body)
        lines += [b.strip() for b in body]
        lines += [f"%mb = tensor.empty() : {st}",
                  f"%m = linalg.broadcast ins(%m2 : {ty([S, T], 'f32')}) outs(%mb : "
                  f"{st}) dimensions = [0, 1]"]
        mask = tri
    elif mform == "input":
        mask = mask_values(r, "B,H,S,T", pick(r, ["random", "bias"]), B, H, S, T,
                           fill)
        args.append(f"%m: {st}")
        inputs.append(mask)
    if mask is not None:
        lines.append(f"%s2 = arith.addf {last}, %m : {st}")
        last = "%s2"
        s = s + np.asarray(mask, np.float64)
    axis = 3 if r.random() < 0.95 else 2
    extra = r.random() < 0.06
    lines += [f"%p = kiln.softmax {last} : {st} outs(%i : {st}) "
              f"{{dimension = {axis} : i64}} -> {st}",
              f"%oi = tensor.empty() : {ot}",
              f"%o = kiln.matmul ins(%p, %v : {st}, {ty(v.shape, 'f32')}) "
              f"outs(%oi : {ot}) -> {ot}"]
    p = kiln_softmax(np.moveaxis(s, axis, -1))
    o = np.moveaxis(p, -1, axis) @ v.astype(np.float64)
    res, want = [("%o", ot)], [o]
    checks = [Check(2e-4, 2e-4 * max(1.0, float(np.abs(v).max())))]
    if extra:
        res.append((last, st))
        want.append(s)
        checks.append(Check(1e-4, 1e-4 * max(1.0, float(np.abs(s[np.isfinite(s)])
                                                         .max(initial=1)))))
    func = (f"func.func @f({', '.join(args)}) -> ({', '.join(t for _, t in res)}) {{\n    "
            + "\n    ".join(lines) + f"\n    return {', '.join(n for n, _ in res)} : "
            f"{', '.join(t for _, t in res)}\n  }}")
    plain = sform in ("mulf", "divf", "none") and axis == 3 and not extra
    desc = (f"kiln B{B} H{H} S{S} T{T} D{D} Dv{Dv} scale {sform}={c:.3g} mask {mform}"
            + (f" diag{offset:+d}" if offset else "")
            + (f" fill {'-inf' if fill == NEG_INF else 'min'}" if mask is not None else "")
            + (" extra-use" if extra else "") + f" softmax dim {axis}")
    return Case("kiln-attn", desc, mlir=func, inputs=inputs, types=["f32"] * len(inputs),
                want=want, out_types=["f32"] * len(want), checks=checks,
                template=True, known=known,
                expect_fused=True if plain else False if sform in ("zero", "neg")
                or axis != 3 or extra else None)


def gen_kiln_convbn(r):
    """kiln.conv then kiln.batch_norm (kiln-fold-conv-bn's pattern)."""
    ty, arr = ke.ty, ke.arr
    xs, ws, st, lo, hi, dl, groups = conv_geometry(r, pick(r, [1, 2, 2, 3]))
    data = pick(r, ["nchw", "nchw", "nhwc"])
    ns, o = len(xs) - 2, ws[0]
    x = randn(r, xs)
    w = randn(r, ws, 0.5)
    ys = [xs[0], o] + [(xs[2 + i] + lo[i] + hi[i] - dl[i] * (ws[2 + i] - 1) - 1)
                       // st[i] + 1 for i in range(ns)]
    if data == "nhwc":
        x = np.moveaxis(x, 1, -1).copy()
        ys = [ys[0]] + ys[2:] + [o]
    xt, wt, yt, ct = ty(x.shape, "f32"), ty(ws, "f32"), ty(ys, "f32"), ty([o], "f32")
    perturb = pick(r, [None, "relu_epilogue", "extra_use", "runtime_stats",
                       "runtime_filter"], p=[.7, .075, .075, .075, .075])
    bias = randn(r, [o]) if r.random() < 0.6 else None
    eps = float(pick(r, [1e-5, 1e-3]))
    gm, be, mu = randn(r, [o]), randn(r, [o]), randn(r, [o])
    var = (r.random(o) * 2 + pick(r, [0.01, 0.5])).astype(np.float32)
    lines, args, inputs = [], [f"%x: {xt}"], [x]
    if perturb == "runtime_filter":
        args.append(f"%w: {wt}")
        inputs.append(w)
    else:
        kt._constant("w", w, ws, "f32", lines)
    stat_names = ["g", "be", "mu", "var"]
    for name, a in zip(stat_names, (gm, be, mu, var)):
        if perturb == "runtime_stats":
            args.append(f"%{name}: {ct}")
            inputs.append(a)
        else:
            kt._constant(name, a, [o], "f32", lines)
    steps, epi_ops = [], ""
    if bias is not None:
        kt._constant("b", bias, [o], "f32", lines)
        steps.append("#kiln.step<bias>")
        epi_ops = f" epilogue_operands(%b : {ct})"
    if perturb == "relu_epilogue":
        steps.append("#kiln.step<relu>")
    attrs = (f"strides = {arr(st)}, pad_low = {arr(lo)}, pad_high = {arr(hi)}, "
             f"dilations = {arr(dl)}, groups = {groups} : i64, "
             f"data_layout = #kiln<data_layout {data}>")
    if steps:
        attrs += f", epilogue = [{', '.join(steps)}]"
    axis = 1 if data == "nchw" else pick(r, [-1, len(ys) - 1])
    lines = [ln.strip() for ln in lines] + [
        f"%i = tensor.empty() : {yt}",
        f"%y = kiln.conv ins(%x, %w : {xt}, {wt}){epi_ops} outs(%i : {yt}) "
        f"{{{attrs}}} -> {yt}",
        f"%i2 = tensor.empty() : {yt}",
        f"%z = kiln.batch_norm %y, %g, %be, %mu, %var : {yt}, {ct}, {ct}, {ct}, {ct} "
        f"outs(%i2 : {yt}) {{channel_axis = {axis} : i64, "
        f"epsilon = {float(np.float32(eps))!r} : f32}} -> {yt}"]
    res = ["%z"] + (["%y"] if perturb == "extra_use" else [])
    func = (f"func.func @f({', '.join(args)}) -> ({', '.join([yt] * len(res))}) {{\n    "
            + "\n    ".join(lines) + f"\n    return {', '.join(res)} : "
            f"{', '.join([yt] * len(res))}\n  }}")
    y = ke.conv_ref(x, w, st, lo, hi, dl, groups, data, "oihw")
    ch = [1] * len(ys)
    ch[axis] = o
    f64 = lambda a: np.asarray(a, np.float64).reshape(ch)  # noqa: E731
    if bias is not None:
        y = y + f64(bias)
    y = y.astype(np.float32).astype(np.float64)
    pre = np.maximum(y, 0) if perturb == "relu_epilogue" else y
    z = (pre - f64(mu)) / np.sqrt(f64(var) + float(np.float32(eps))) * f64(gm) + f64(be)
    want = [z] + ([y] if perturb == "extra_use" else [])
    scale = max(1.0, float(np.abs(z).max()), float(np.abs(y).max()))
    return Case("kiln-convbn",
                f"kiln conv {data} x{list(x.shape)} w{ws} s{st} pads{lo}{hi} d{dl} "
                f"g{groups} bias {bias is not None} + batch_norm axis {axis}"
                f"{f' ({perturb})' if perturb else ''}",
                mlir=func, inputs=inputs, types=["f32"] * len(inputs), want=want,
                out_types=["f32"] * len(want),
                checks=[Check(1e-4, 1e-4 * scale)] * len(want), template=True,
                expect_fused=perturb in (None, "runtime_filter"))


# Family -> (generator, share of the cases). Templates: attn, convbn, qdq,
# kiln-attn, kiln-convbn (about 40%).
FAMILIES = {
    "attn": (gen_attention, 0.20),
    "convbn": (gen_convbn, 0.07),
    "qdq": (gen_qdq, 0.06),
    "kiln-attn": (gen_kiln_attention, 0.04),
    "kiln-convbn": (gen_kiln_convbn, 0.03),
    "elementwise": (gen_elementwise, 0.13),
    "matmul": (gen_matmul, 0.07),
    "norm": (gen_norm, 0.07),
    "conv": (gen_conv, 0.07),
    "shape": (gen_shape, 0.08),
    "quant": (gen_quant, 0.06),
    "kiln": (gen_kiln, 0.12),
}


def family_of(index):
    # (not [SALT, i, 0]: numpy seeds that like [SALT, i], the case itself)
    r = np.random.default_rng([SEED_SALT ^ 0xFA, index])
    names = list(FAMILIES)
    p = np.array([FAMILIES[n][1] for n in names])
    return names[int(r.choice(len(names), p=p / p.sum()))]


def make_case(index):
    """Case `index`: its family and contents drawn from its own seed."""
    fam = family_of(index)
    r = np.random.default_rng([SEED_SALT, index])
    case = FAMILIES[fam][0](r)
    case.index = index
    case.desc = f"{fam}: {case.desc}"
    return case
