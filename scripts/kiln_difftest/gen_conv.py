"""ONNX cases: convolution, pooling, batch norm.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .gen_basic import *  # noqa: F401,F403

# ================================================= ONNX: conv and pooling

def conv_geometry(r, ns=None, limit=4000):
    """A random Conv: (x shape, w shape, strides, pads lo, pads hi,
    dilations, groups), output non-empty, sizes kept small."""
    while True:
        ns = ns or pick(r, [1, 2, 2, 2, 2, 3])
        n, c = int(r.integers(1, 3)), int(r.integers(1, 7))
        groups = pick(r, [g for g in range(1, c + 1) if c % g == 0])
        if r.random() < 0.2:
            groups = c  # depthwise
        o = groups * int(r.integers(1, 4))
        sp = [int(r.integers(1, 14 if ns < 3 else 6)) for _ in range(ns)]
        k = [int(r.integers(1, 6 if ns < 3 else 4)) for _ in range(ns)]
        st = [int(r.choice([1, 1, 2])) for _ in range(ns)]
        dl = [int(r.choice([1, 1, 1, 2])) for _ in range(ns)]
        lo = [int(r.integers(0, 3)) for _ in range(ns)]
        hi = [int(r.integers(0, 3)) for _ in range(ns)]
        out = [(sp[i] + lo[i] + hi[i] - dl[i] * (k[i] - 1) - 1) // st[i] + 1
               for i in range(ns)]
        if min(out) >= 1 and n * c * math.prod(sp) <= limit and \
                n * o * math.prod(out) * c * math.prod(k) // groups <= 60000:
            return [n, c] + sp, [o, c // groups] + k, st, lo, hi, dl, groups


def conv_node(g, r, x, w, b, st, lo, hi, dl, groups):
    """A Conv node (pads or, now and then, auto_pad SAME_UPPER when that
    gives the same pads) and its reference."""
    attrs = dict(strides=st, dilations=dl, group=groups)
    ks = list(g.val[w].shape[2:])
    sp = list(g.val[x].shape[2:])
    same = []
    for i in range(len(sp)):
        out = -(-sp[i] // st[i])
        tot = max((out - 1) * st[i] + (ks[i] - 1) * dl[i] + 1 - sp[i], 0)
        same += [tot // 2, tot - tot // 2]
    if r.random() < 0.15 and all(d == 1 for d in dl):
        lo, hi = same[0::2], same[1::2]
        attrs["auto_pad"] = "SAME_UPPER"
    else:
        attrs["pads"] = lo + hi
    if r.random() < 0.5:
        attrs["kernel_shape"] = ks

    def ref(xv, wv, bv=None):
        y = ke.conv_ref(xv, wv, st, lo, hi, dl, groups, "nchw", "oihw")
        if bv is not None:
            y = y + bv.reshape([1, -1] + [1] * len(sp))
        return y
    return g.op("Conv", [x, w] + ([b] if b else []), ref, **attrs)


def pool_ref(x, k, st, lo, hi, op, include_pad=False, ceil=False):
    """MaxPool / AveragePool over the last two dims (pads -inf or 0)."""
    H, W = x.shape[2:]
    oh = [(n + lo[i] + hi[i] - k[i]) / st[i] for i, n in enumerate((H, W))]
    out = [int(math.ceil(v) if ceil else math.floor(v)) + 1 for v in oh]
    ext = [(out[i] - 1) * st[i] + k[i] - (H, W)[i] - lo[i] for i in range(2)]
    pad = [(0, 0), (0, 0)] + [(lo[i], max(hi[i], ext[i])) for i in range(2)]
    fill = -np.inf if op == "max" else 0.0
    xp = np.pad(x, pad, constant_values=fill)
    ones = np.pad(np.ones((H, W)), pad[2:], constant_values=0.0)
    inside = np.pad(np.ones((H + lo[0] + hi[0], W + lo[1] + hi[1])),
                    [(0, pad[2][1] - hi[0]), (0, pad[3][1] - hi[1])])
    y = np.full(x.shape[:2] + tuple(out), fill)
    cnt = np.zeros(out)
    for i in range(k[0]):
        for j in range(k[1]):
            win = xp[:, :, i:i + st[0] * out[0]:st[0], j:j + st[1] * out[1]:st[1]]
            if op == "max":
                y = np.maximum(y, win)
            else:
                y = y + win
                w = inside if include_pad else ones
                cnt += w[i:i + st[0] * out[0]:st[0], j:j + st[1] * out[1]:st[1]]
    return y if op == "max" else y / cnt


def convt_ref(x, w, st, lo, hi, outpad, groups):
    """ConvTranspose (2-D): scatter each input pixel through the kernel,
    crop the pads, output_padding at the end."""
    n, c, H, W = x.shape
    _, og, kh, kw = w.shape
    full = np.zeros((n, og * groups, (H - 1) * st[0] + kh + outpad[0],
                     (W - 1) * st[1] + kw + outpad[1]))
    cg = c // groups
    for gi in range(groups):
        xs = x[:, gi * cg:(gi + 1) * cg]
        ws = w[gi * cg:(gi + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                full[:, gi * og:(gi + 1) * og, i:i + st[0] * H:st[0],
                     j:j + st[1] * W:st[1]] += np.einsum("nchw,co->nohw", xs,
                                                         ws[:, :, i, j])
    return full[:, :, lo[0]:full.shape[2] - hi[0], lo[1]:full.shape[3] - hi[1]]


def batchnorm(g, r, x, channels):
    """A BatchNormalization node with random statistics (small variances
    and zero or negative gammas included)."""
    eps = float(pick(r, [1e-5, 1e-3, 0.1]))
    gm = randn(r, [channels])
    gm[r.random(channels) < 0.1] = 0.0
    var = (r.random(channels) * 2 + pick(r, [0.01, 0.5])).astype(np.float32)
    stats = [gm, randn(r, [channels]), randn(r, [channels]), var]
    ins = [x] + [g.const(a) for a in stats]
    rank = g.val[x].ndim

    def bn(v, gv, bv, mv, vv):
        sh = [1, -1] + [1] * (rank - 2)
        return ((v - mv.reshape(sh)) / np.sqrt(vv.reshape(sh) + np.float32(eps))
                * gv.reshape(sh) + bv.reshape(sh))
    return g.op("BatchNormalization", ins, bn, epsilon=eps)


def gen_conv(r):
    kind = pick(r, ["conv", "conv", "convT", "maxpool", "avgpool", "gap", "bn"])
    g = Graph(r, 17)
    if kind == "conv":
        xs, ws, st, lo, hi, dl, groups = conv_geometry(r)
        x = g.inp(randn(r, xs))
        w = operand(g, r, randn(r, ws, 0.5))
        b = g.const(randn(r, [ws[0]])) if r.random() < 0.5 else None
        y = conv_node(g, r, x, w, b, st, lo, hi, dl, groups)
        auto = any(a.name == "auto_pad" for a in g.nodes[-1].attribute)
        desc = (f"Conv x{xs} w{ws} s{st} pads{lo}{hi} d{dl} g{groups} "
                f"bias {b is not None}{' SAME_UPPER' if auto else ''}")
    elif kind == "convT":
        n, groups = int(r.integers(1, 3)), int(r.choice([1, 1, 2]))
        c, og = groups * int(r.integers(1, 4)), int(r.integers(1, 4))
        hw = [int(r.integers(1, 8)) for _ in range(2)]
        k = [int(r.integers(1, 4)) for _ in range(2)]
        st = [int(r.choice([1, 2])) for _ in range(2)]
        op_ = [int(r.integers(0, s)) for s in st]
        lo = [int(r.integers(0, kk)) for kk in k]
        hi = [int(r.integers(0, kk)) for kk in k]
        if any((hw[i] - 1) * st[i] + k[i] + op_[i] - lo[i] - hi[i] < 1
               for i in range(2)):
            lo = hi = [0, 0]
        x = g.inp(randn(r, [n, c] + hw))
        w = g.const(randn(r, [c, og] + k, 0.5))
        y = g.op("ConvTranspose", [x, w],
                 lambda xv, wv: convt_ref(xv, wv, st, lo, hi, op_, groups),
                 strides=st, pads=lo + hi, output_padding=op_, group=groups)
        desc = f"ConvTranspose x{[n, c] + hw} k{k} s{st} pads{lo}{hi} outpad{op_} g{groups}"
    elif kind in ("maxpool", "avgpool"):
        xs = [int(r.integers(1, 3)), int(r.integers(1, 5))] + \
            [int(r.integers(2, 14)) for _ in range(2)]
        k = [int(r.integers(1, min(4, d) + 1)) for d in xs[2:]]
        st = [int(r.choice([1, 2])) for _ in range(2)]
        lo = [int(r.integers(0, kk)) for kk in k]
        hi = [int(r.integers(0, kk)) for kk in k]
        x = g.inp(randn(r, xs))
        attrs = dict(kernel_shape=k, strides=st, pads=lo + hi)
        if kind == "maxpool":
            ceil = r.random() < 0.3 and all(k[i] >= st[i] for i in range(2))
            if ceil:
                lo = hi = [0, 0]
                attrs.update(pads=[0] * 4, ceil_mode=1)
            y = g.op("MaxPool", [x], lambda v: pool_ref(v, k, st, lo, hi, "max",
                                                         ceil=ceil), **attrs)
            desc = f"MaxPool {xs} k{k} s{st} pads{lo}{hi} ceil {ceil}"
        else:
            inc = int(r.random() < 0.5)
            y = g.op("AveragePool", [x], lambda v: pool_ref(v, k, st, lo, hi, "avg",
                                                             inc), count_include_pad=inc,
                     **attrs)
            desc = f"AveragePool {xs} k{k} s{st} pads{lo}{hi} include_pad {inc}"
    elif kind == "gap":
        xs = [int(r.integers(1, 3)), int(r.integers(1, 6))] + shape(r, 2, 0)
        y = g.op("GlobalAveragePool", [g.inp(randn(r, xs))],
                 lambda v: v.mean((2, 3), keepdims=True))
        desc = f"GlobalAveragePool {xs}"
    else:  # BatchNormalization that has no conv to fold into
        xs = [int(r.integers(1, 3)), int(r.integers(1, 6))] + \
            shape(r, int(r.integers(1, 3)), 0)
        x = g.inp(randn(r, xs, 2.0))
        if len(xs) == 4 and r.random() < 0.5:
            x = g.op("MaxPool", [x], lambda v: pool_ref(v, [1, 1], [1, 1], [0, 0],
                                                        [0, 0], "max"),
                     kernel_shape=[1, 1])
        y = batchnorm(g, r, x, xs[1])
        desc = f"BatchNormalization alone {xs}"
    if r.random() < 0.3:
        y = activation(g, r, y, "Relu")
    g.out(y, None)
    g.outputs = [(y, close(1e-4, g.scale), None)]
    return g.case("conv", desc)
