"""ONNX cases: shape ops.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403
from .gen_basic import *  # noqa: F401,F403
from .gen_conv import *  # noqa: F401,F403

# ========================================================= ONNX: shape ops

def onnx_slice(v, starts, ends, axes, steps):
    """ONNX Slice semantics (negative indices, clamping, negative steps)."""
    for a, s, e, k in zip(axes, starts, ends, steps):
        n = v.shape[a]
        s, e = (s + n if s < 0 else s), (e + n if e < 0 else e)
        if k > 0:
            s, e = min(max(s, 0), n), min(max(e, 0), n)
        else:
            s, e = min(max(s, 0), n - 1), min(max(e, -1), n - 1)
        v = np.take(v, np.arange(s, e, k), axis=a)
    return v


def factorize(r, n, rank):
    """A random shape of `rank` dims with n elements."""
    dims = [1] * rank
    p, m = 2, n
    while m > 1:
        while m % p == 0:
            dims[int(r.integers(rank))] *= p
            m //= p
        p += 1
    return dims


def slice_args(r, s):
    """(starts, ends, axes, steps) with a non-empty result."""
    rank = len(s)
    while True:
        axes = [int(a) for a in r.choice(rank, int(r.integers(1, min(rank, 2) + 1)),
                                         replace=False)]
        starts, ends, steps = [], [], []
        for a in axes:
            n = s[a]
            k = int(pick(r, [1, 1, 2, 3, -1, -2]))
            st = int(r.integers(-n - 2, n + 2))
            en = int(pick(r, [int(r.integers(-n - 2, n + 2)), 2 ** 62, -2 ** 62]))
            starts.append(st)
            ends.append(en)
            steps.append(k)
        v = onnx_slice(np.zeros(s), starts, ends, axes, steps)
        if v.size:
            return starts, ends, [a - rank if r.random() < 0.3 else a
                                  for a in axes], steps


def shape_step(g, r, x, extra_outputs):
    """One data-movement op on x; returns (new value, op name)."""
    v = g.val[x]
    s, rank, dt = list(v.shape), v.ndim, g.dtype[x]
    kinds = ["reshape", "flatten", "unsqueeze", "concat", "expand", "gather",
             "identity"]
    if rank >= 2:
        kinds += ["transpose", "transpose"]
    if rank >= 1:
        kinds += ["slice", "slice", "split"]
    if 1 in s:
        kinds.append("squeeze")
    kind = pick(r, kinds)
    i64 = lambda a: g.const(np.array(a, np.int64))  # noqa: E731
    if kind == "transpose":
        perm = [int(p) for p in r.permutation(rank)]
        if r.random() < 0.2:
            return g.op("Transpose", [x], lambda t: t.transpose()), kind
        return g.op("Transpose", [x], lambda t: t.transpose(perm), perm=perm), kind
    if kind == "reshape":
        new = factorize(r, v.size, int(r.integers(1, 5)))
        enc = [0 if i < rank and d == s[i] and r.random() < 0.3 else d
               for i, d in enumerate(new)]
        if r.random() < 0.5:
            enc[int(r.integers(len(enc)))] = -1
        return g.op("Reshape", [x, i64(enc)], lambda t, _: t.reshape(new)), kind
    if kind == "flatten":
        axis = int(r.integers(-rank, rank + 1)) if rank else 0
        a = axis % (rank + 1) if axis < 0 else axis
        lead = math.prod(s[:a])
        return g.op("Flatten", [x], lambda t: t.reshape(lead, -1), axis=axis), kind
    if kind == "unsqueeze":
        k = int(r.integers(1, 3))
        out_rank = rank + k
        axes = [int(a) for a in r.choice(out_rank, k, replace=False)]
        enc = [a - out_rank if r.random() < 0.3 else a for a in axes]
        return g.op("Unsqueeze", [x, i64(enc)],
                    lambda t, _: np.expand_dims(t, tuple(sorted(axes)))), kind
    if kind == "squeeze":
        ones = [i for i, d in enumerate(s) if d == 1]
        if r.random() < 0.3:
            return g.op("Squeeze", [x], lambda t: t.reshape(
                [d for d in s if d != 1])), kind
        axes = [int(a) for a in r.choice(ones, int(r.integers(1, len(ones) + 1)),
                                         replace=False)]
        return g.op("Squeeze", [x, i64([a - rank if r.random() < 0.3 else a
                                        for a in axes])],
                    lambda t, _: np.squeeze(t, tuple(axes))), kind
    if kind == "concat":
        if rank == 0:
            return g.op("Identity", [x], lambda t: t), "identity"
        axis = int(r.integers(-rank, rank))
        parts = [x]
        for _ in range(int(r.integers(1, 3))):
            ps = list(s)
            ps[axis] = int(r.integers(1, 6))
            parts.insert(int(r.integers(len(parts) + 1)), operand(
                g, r, randn(r, ps).astype(dt) if dt.kind == "f"
                else r.integers(-50, 50, ps).astype(dt)))
        return g.op("Concat", parts, lambda *ts: np.concatenate(ts, axis),
                    axis=axis), kind
    if kind == "slice":
        st, en, ax, sp = slice_args(r, s)
        ins = [x, i64(st), i64(en), i64(ax)] + ([i64(sp)] if any(k != 1 for k in sp)
                                              or r.random() < 0.5 else [])
        return g.op("Slice", ins, lambda t, *_: onnx_slice(
            t, st, en, [a % rank for a in ax], sp)), kind
    if kind == "split":
        axis = int(r.integers(rank))
        n = s[axis]
        if n >= 2 and r.random() < 0.6:
            cuts = sorted(int(c) for c in r.choice(np.arange(1, n), int(
                r.integers(1, min(3, n - 1) + 1)), replace=False))
            sizes = np.diff([0] + cuts + [n]).tolist()
            ins = [x, i64(sizes)]
        else:
            count = pick(r, [d for d in (1, 2, 3) if n % d == 0])
            sizes, ins = [n // count] * count, [x]
        def split(t, *_):
            parts = np.split(t, np.cumsum(sizes)[:-1], axis=axis)
            return parts[0] if len(parts) == 1 else parts
        outs = g.op("Split", ins, split, outs=len(sizes), axis=axis)
        outs = [outs] if isinstance(outs, str) else outs
        keep = int(r.integers(len(outs)))
        extra_outputs += [o for i, o in enumerate(outs) if i != keep]
        return outs[keep], kind
    if kind == "expand":
        target = list(s)
        for i, d in enumerate(target):
            if d == 1 and r.random() < 0.6:
                target[i] = dim(r, 0)
        if r.random() < 0.3 and len(target) < 4:
            target.insert(0, dim(r, 0))
        enc = [1 if r.random() < 0.3 and i >= len(target) - rank and
               s[i - len(target) + rank] == d else d for i, d in enumerate(target)]
        if r.random() < 0.2 and len(enc) > 1:
            enc = enc[1:] if enc[0] == target[0] and len(target) > rank else enc
        out = np.broadcast_shapes(tuple(s), tuple(enc))
        if math.prod(out) > 6000:
            enc, out = [1] * rank, tuple(s)
        return g.op("Expand", [x, i64(enc)],
                    lambda t, _: np.broadcast_to(t, out).copy()), kind
    if kind == "gather":
        if rank == 0:
            return g.op("Identity", [x], lambda t: t), "identity"
        axis = int(r.integers(-rank, rank))
        n = s[axis]
        ishape = shape(r, int(r.integers(0, 3)), 0, 30)
        idx = r.integers(-n, n, ishape).astype(pick(r, [np.int64, np.int32]))
        i = g.inp(idx) if r.random() < 0.5 else g.const(idx)
        return g.op("Gather", [x, i], lambda t, j: np.take(t, j, axis=axis),
                    axis=axis), kind
    return g.op("Identity", [x], lambda t: t), "identity"


def gen_shape(r):
    dt = pick(r, [np.float32, np.float32, np.float32, np.int64, np.int32])
    s = shape(r, int(r.integers(0, 5)), 0.05, 2000)
    g = Graph(r, 17)
    x = g.inp(randn(r, s).astype(dt) if dt == np.float32
              else r.integers(-50, 50, s).astype(dt))
    ops, extra = [], []
    for _ in range(int(r.integers(1, 4))):
        x, op = shape_step(g, r, x, extra)
        ops.append(op)
    exact = True
    if dt == np.float32 and r.random() < 0.4:
        y = operand(g, r, randn(r, partner(r, list(g.val[x].shape), 0)))
        x = g.op("Add", [x, y], np.add)
        exact = False
    for e in extra:
        g.out(e, EXACT)
    g.out(x, EXACT if exact else close(1e-5, g.scale))
    return g.case("shape", f"{np.dtype(dt).name} {s}: {' '.join(ops)}")
