"""Fusion templates in ONNX: attention, conv + BN, QDQ.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .gen_basic import *  # noqa: F401,F403
from .gen_conv import *  # noqa: F401,F403
from .gen_shape import *  # noqa: F401,F403
from .gen_quant import *  # noqa: F401,F403

# ============================================== templates: ONNX attention

MASK_FORMS = ["1,1,1,T", "B,1,1,T", "1,1,S,T", "B,H,S,T", "B,1,S,T", "1,H,S,T",
              "scalar", "S,T"]


def mask_dims(form, B, H, S, T):
    sizes = {"1": 1, "B": B, "H": H, "S": S, "T": T}
    return [] if form == "scalar" else [sizes[c] for c in form.split(",")]


def mask_values(r, form, content, B, H, S, T, fill, offset=0):
    """An additive mask of `form` (0 visible, `fill` hidden, or finite
    biases) with `content`: zero, causal (diagonal moved by offset),
    padding, random or bias."""
    dims = mask_dims(form, B, H, S, T)
    if content == "zero":
        return np.zeros(dims, np.float32)
    if content == "bias":
        return randn(r, dims)
    full = np.zeros([B, H, S, T], bool)  # hidden
    if content == "causal":
        i, j = np.arange(S)[:, None], np.arange(T)[None, :]
        full[:] = j > i + (T - S) + offset
    elif content == "padding":
        for b in range(B):
            full[b, :, :, int(r.integers(1, T + 1)):] = True
    else:  # random, every row keeps a key
        full = r.random([B, H, S, T]) < 0.35
        keep = r.integers(0, T, [B, H, S])
        np.put_along_axis(full, keep[..., None], False, axis=-1)
    # the form's dims: the first index along every broadcast dim
    if form == "scalar":
        hidden = full[0, 0, 0, 0]
    else:
        letters = form.split(",")
        letters = ["1"] * (4 - len(letters)) + letters
        idx = tuple(slice(0, 1) if c == "1" else slice(None) for c in letters)
        hidden = full[idx].reshape(dims)
    return np.where(hidden, np.float32(fill), np.float32(0)).astype(np.float32)


def attention_inputs(g, r, layout, B, H, S, T, D, Dv, dyn):
    """(q [.., S, D], k^T [.., D, T], v [.., T, Dv]) as PyTorch's export
    arranges them for `layout`, and the function that puts the attention
    result back."""
    bdim = "batch" if dyn else B
    if layout == "bshd":  # [B, S, H*D] projections, reshaped and transposed
        q = g.inp(randn(r, [B, S, H * D]), [bdim, S, H * D])
        k = g.inp(randn(r, [B, T, H * D]), [bdim, T, H * D])
        v = g.inp(randn(r, [B, T, H * Dv]), [bdim, T, H * Dv])
        sh = lambda x, n, d: g.op("Reshape", [x, g.const(np.array(  # noqa: E731
            [0, n, H, d], np.int64))], lambda t, _: t.reshape(t.shape[0], n, H, d))
        q = g.op("Transpose", [sh(q, S, D)], lambda t: t.transpose(0, 2, 1, 3),
                 perm=[0, 2, 1, 3])
        kt = g.op("Transpose", [sh(k, T, D)], lambda t: t.transpose(0, 2, 3, 1),
                  perm=[0, 2, 3, 1])
        v = g.op("Transpose", [sh(v, T, Dv)], lambda t: t.transpose(0, 2, 1, 3),
                 perm=[0, 2, 1, 3])

        def back(o):
            t = g.op("Transpose", [o], lambda t: t.transpose(0, 2, 1, 3),
                     perm=[0, 2, 1, 3])
            return g.op("Reshape", [t, g.const(np.array([0, S, H * Dv], np.int64))],
                        lambda t, _: t.reshape(t.shape[0], S, H * Dv))
        return q, kt, v, back, [bdim, S, H * Dv]
    lead = [B * H] if layout == "mha3d" else [B, H]
    dl = lead if not dyn else ["batch"] + lead[1:]
    q = g.inp(randn(r, lead + [S, D]), dl + [S, D])
    v = g.inp(randn(r, lead + [T, Dv]), dl + [T, Dv])
    if layout == "kt_input":  # k arrives transposed: nothing to see through
        kt = g.inp(randn(r, lead + [D, T]), dl + [D, T])
    else:
        k = g.inp(randn(r, lead + [T, D]), dl + [T, D])
        perm = [0, 2, 1] if layout == "mha3d" else [0, 1, 3, 2]
        kt = g.op("Transpose", [k], lambda t: t.transpose(perm), perm=perm)
    return q, kt, v, (lambda o: o), dl + [S, Dv]


def scale_attention(g, r, q, kt, form, c):
    """Scores q k^T with the scale in `form`; returns the scores name."""
    dt = np.float32
    cshape = pick(r, [[], [1]])
    if form == "q_pre":
        q = g.op("Mul", [q, g.const(np.full(cshape, c, dt))], np.multiply)
    elif form == "qk_pre":
        sq = g.const(np.full(cshape, math.sqrt(c), dt))
        q = g.op("Mul", [q, sq], np.multiply)
        kt = g.op("Mul", [kt, sq], np.multiply)
    s = g.op("MatMul", [q, kt], np.matmul)
    if form in ("mul", "zero", "neg"):
        k = g.const(np.full(cshape, c, dt))
        return g.op("Mul", [s, k] if r.random() < 0.7 else [k, s], np.multiply)
    if form == "div":
        return g.op("Div", [s, g.const(np.full(cshape, 1 / c, dt))], np.divide)
    if form == "runtime":
        return g.op("Mul", [s, g.inp(np.full(cshape, c, dt))], np.multiply)
    if form == "per_key":
        T = g.val[kt].shape[-1]
        return g.op("Mul", [s, g.const(positive(r, [T], 0.1, 1.0))], np.multiply)
    return s


def gen_attention(r):
    """Attention as PyTorch exports it, with perturbations."""
    g = Graph(r, 17)
    B, H = int(r.choice([1, 1, 2, 3])), int(r.choice([1, 2, 3, 4]))
    S, T = dim(r, 0.15), dim(r, 0.15)
    D = int(r.choice([1, 2, 3, 4, 5, 7, 8, 13, 16]))
    Dv = D if r.random() < 0.8 else int(r.choice([1, 3, 6, 8]))
    layout = pick(r, ["bhsd", "bhsd", "bshd", "bshd", "mha3d", "kt_input"])
    dyn = layout in ("bhsd", "kt_input") and r.random() < 0.12
    sform = pick(r, ["mul", "mul", "div", "div", "q_pre", "qk_pre", "none",
                     "zero", "neg", "runtime", "per_key"],
                 p=[.17, .17, .17, .16, .08, .08, .05, .03, .03, .03, .03])
    c = {"zero": 0.0, "neg": -float(r.choice([0.5, 1 / math.sqrt(D)]))}.get(
        sform, 1 / math.sqrt(D) if r.random() < 0.7 else float(r.uniform(0.05, 1.5)))
    mform = pick(r, ["none", "add_const", "add_const", "add_const", "add_input",
                     "where", "where"])
    forms = [f for f in MASK_FORMS if not (dyn and "B" in f)]
    if layout == "mha3d":
        forms = [f for f in forms if f in ("1,1,S,T", "1,1,1,T", "scalar", "S,T")]
    mshape = pick(r, forms)
    has_st = "S" in mshape
    content = pick(r, ["zero", "causal", "causal", "padding", "random", "bias"]
                   if has_st else ["zero", "padding", "random", "bias"])
    if mform == "add_input":
        content = pick(r, ["random", "bias", "padding"])
        mshape = "1,1,1,T" if mshape == "scalar" else mshape
    if mform == "where":
        content = "random" if content in ("zero", "bias") else content
        mshape = "1,1,1,T" if mshape == "scalar" else mshape
    if mshape == "scalar" and content != "zero":
        content = "bias"
    offset = int(pick(r, [-1, 1])) if content == "causal" and r.random() < 0.2 else 0
    fill = pick(r, [NEG_INF, F32MIN])
    extra = pick(r, [None, "scores", "probs"], p=[0.9, 0.05, 0.05])
    axis = -1 if r.random() < 0.96 else -2
    if axis == -2:
        axis = pick(r, [-2, 2 if layout != "mha3d" else 1])
    elif r.random() < 0.3:
        axis = 2 if layout == "mha3d" else 3

    q, kt, v, back, out_dims = attention_inputs(g, r, layout, B, H, S, T, D, Dv, dyn)
    s = scale_attention(g, r, q, kt, sform, c)
    scores = s
    known = set()
    if mform != "none":
        m = mask_values(r, mshape, content, B, H, S, T, fill, offset)
        if layout == "mha3d" and m.ndim == 4:
            m = m.reshape(m.shape[1:])
        if mform in ("add_const", "add_input"):
            mn = g.inp(m) if mform == "add_input" else g.const(m)
            s = g.op("Add", [s, mn] if r.random() < 0.8 else [mn, s], np.add)
        else:
            cond = m != 0
            fl = g.const(np.array(fill, np.float32))
            if r.random() < 0.5:  # masked_fill(cond, fill)
                s = g.op("Where", [g.const(cond), fl, s], np.where, dtype=np.float32)
            else:  # where(keep, scores, fill)
                s = g.op("Where", [g.const(~cond), s, fl], np.where, dtype=np.float32)
    p = g.op("Softmax", [s], lambda t: softmax(t, axis), axis=axis)
    o = back(g.op("MatMul", [p, v], np.matmul))
    vmax = float(np.abs(g.val[v]).max())
    g.out(o, Check(2e-4, 2e-4 * max(1.0, vmax)), out_dims)
    if extra == "scores":
        g.out(scores, Check(1e-4, 1e-4 * max(1.0, float(np.abs(g.val[scores]).max()))))
    elif extra == "probs":
        g.out(p, Check(2e-4, 2e-4))
    plain = (layout != "kt_input" and sform in ("mul", "div", "none") and
             extra is None and axis in (-1, 3, 2 if layout == "mha3d" else 3) and
             mform in ("none", "add_const") and
             (mform == "none" or mshape in ("1,1,S,T", "B,H,S,T", "B,1,S,T",
                                            "1,H,S,T")))
    broken = sform in ("zero", "neg", "runtime") or (sform == "per_key" and T > 1) \
        or extra or \
        axis not in (-1, 3, 2 if layout == "mha3d" else 3)
    desc = (f"B{B} H{H} S{S} T{T} D{D} Dv{Dv} {layout}{' dyn' if dyn else ''} "
            f"scale {sform}={c:.3g} mask {mform}"
            + (f" {mshape} {content}{f' diag{offset:+d}' if offset else ''} "
               f"fill {'-inf' if fill == NEG_INF else 'min'}" if mform != "none" else "")
            + (f" extra-use {extra}" if extra else "") + f" softmax axis {axis}")
    return g.case("attn", desc, template=True, known=known,
                  expect_fused=True if plain else False if broken else None)


# ============================================ templates: conv + BN, QDQ

def gen_convbn(r):
    """Conv -> BatchNormalization (-> Relu / Add / Clip), with the
    perturbations that must keep the batch_norm: the conv result used
    again, an activation between them, statistics at run time."""
    g = Graph(r, 17)
    xs, ws, st, lo, hi, dl, groups = conv_geometry(r, pick(r, [1, 2, 2, 2, 3]))
    x = g.inp(randn(r, xs))
    w = g.const(randn(r, ws, 0.5)) if r.random() < 0.8 else g.inp(randn(r, ws, 0.5))
    b = g.const(randn(r, [ws[0]])) if r.random() < 0.6 else None
    y = conv_node(g, r, x, w, b, st, lo, hi, dl, groups)
    conv = y
    perturb = pick(r, [None, "extra_use", "act_between", "runtime_stats"],
                   p=[0.82, 0.06, 0.06, 0.06])
    if perturb == "act_between":
        y = activation(g, r, y, "Relu")
    if perturb == "runtime_stats":
        c = ws[0]
        stats = [randn(r, [c]), randn(r, [c]), randn(r, [c]),
                 (r.random(c) + 0.5).astype(np.float32)]
        ins = [y] + [g.inp(a) for a in stats]
        sh = [1, -1] + [1] * (len(xs) - 2)
        y = g.op("BatchNormalization", ins, lambda v, gv, bv, mv, vv: (
            (v - mv.reshape(sh)) / np.sqrt(vv.reshape(sh) + np.float32(1e-5)) *
            gv.reshape(sh) + bv.reshape(sh)))
    else:
        y = batchnorm(g, r, y, ws[0])
    post = pick(r, [None, "Relu", "add", "clip"])
    if post == "Relu":
        y = activation(g, r, y, "Relu")
    elif post == "add":
        res = g.inp(randn(r, list(g.val[y].shape))) if r.random() < 0.5 else \
            g.const(randn(r, [ws[0]] + [1] * (len(xs) - 2)))
        y = g.op("Add", [y, res], np.add)
    elif post == "clip":
        y = g.op("Clip", [y, g.const(np.array(0, np.float32)),
                          g.const(np.array(6, np.float32))],
                 lambda v, *_: np.clip(v, 0, 6))
    g.out(y, None)
    if perturb == "extra_use":
        g.out(conv, None)
    g.outputs = [(n, close(1e-4, g.scale), d) for n, _, d in g.outputs]
    desc = (f"Conv x{xs} w{ws} s{st} pads{lo}{hi} d{dl} g{groups} bias {b is not None}"
            f" filter {'input' if w in g.inputs else 'const'} + BN"
            f"{f' ({perturb})' if perturb else ''}{f' + {post}' if post else ''}")
    return g.case("convbn", desc, template=True,
                  expect_fused=perturb is None)


def requant_output(g, r, y, atol):
    """QuantizeLinear -> DequantizeLinear on y; the check allows one
    quantum where y lies within `atol` of a rounding tie."""
    dtype = pick(r, [np.int8, np.uint8])
    sc, zp = qparams(g, r, dtype, None, False)
    real = g.val[y] / float(g.val[sc])
    q = q_node(g, y, sc, zp, dtype)
    out = dq_node(g, q, sc, zp)
    near = np.abs(np.abs(real - np.floor(real)) - 0.5) < (atol / float(g.val[sc]) + 1e-5)
    return out, Check(1e-6, 1e-6, near, float(g.val[sc]))


def qdq_input(g, r, s, dtype, pow2):
    """A float input quantized and dequantized per tensor."""
    sc, zp = qparams(g, r, dtype, None, pow2)
    x = g.inp(qgrid(r, s, g.val[sc], g.val[zp] if zp else 0, dtype, pow2))
    return dq_node(g, q_node(g, x, sc, zp, dtype), sc, zp)


def qdq_weight(g, r, ws, axis):
    """An int8 weight initializer dequantized per tensor or along `axis`."""
    w = g.const(r.integers(-127, 128, ws).astype(np.int8))
    n = None if axis is None else ws[axis]
    s = g.const(np.asarray(qscale(r, n, False) * 0.2, np.float32))
    z = "" if r.random() < 0.6 else g.const(
        r.integers(-3, 4, () if n is None else (n,)).astype(np.int8))
    return dq_node(g, w, s, z, axis)


def gen_qdq(r):
    """QDQ around MatMul or Conv, as quantization tools export it."""
    g = Graph(r, 17)
    dtype = pick(r, [np.int8, np.uint8])
    pow2 = r.random() < 0.3
    if r.random() < 0.6:
        k, n = dim(r), dim(r)
        s = shape(r, int(r.integers(1, 3)), 0.05, 400) + [k]
        x = qdq_input(g, r, s, dtype, pow2)
        w = qdq_weight(g, r, [k, n], pick(r, [None, 1]))
        y = g.op("MatMul", [x, w], np.matmul)
        desc = f"QDQ MatMul {s} x [{k}, {n}]"
        K = k
    else:
        xs, ws, st, lo, hi, dl, groups = conv_geometry(r, 2)
        x = qdq_input(g, r, xs, dtype, pow2)
        w = qdq_weight(g, r, ws, pick(r, [None, 0]))
        y = conv_node(g, r, x, w, None, st, lo, hi, dl, groups)
        desc = f"QDQ Conv x{xs} w{ws} s{st} pads{lo}{hi} d{dl} g{groups}"
        K = ws[1] * math.prod(ws[2:])
    if r.random() < 0.6:
        bshape = [g.val[y].shape[-1]] if "MatMul" in desc else \
            [g.val[y].shape[1], 1, 1]
        y = g.op("Add", [y, g.const(randn(r, bshape, 0.1))], np.add)
    if r.random() < 0.4:
        y = activation(g, r, y, "Relu")
    atol = 2e-5 * math.sqrt(K) * max(1.0, float(np.abs(g.val[y]).max()))
    if r.random() < 0.5:
        y, check = requant_output(g, r, y, atol)
        desc += " + output QDQ"
    else:
        check = Check(1e-4, max(atol, 1e-5))
    g.out(y, check)
    return g.case("qdq", f"{desc} {np.dtype(dtype).name} pow2 {pow2}",
                  template=True)
