"""Random shapes, values and small numpy references.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403

# ============================================================ random helpers

def dim(r, big=0.08):
    """A size, odd ones favoured; now and then one past a power of two."""
    if r.random() < big:
        return int(r.choice([31, 33, 63, 65]))
    return int(r.choice([1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17]))


def shape(r, rank, big=0.08, limit=3000):
    """A random shape of `rank` dims with at most `limit` elements."""
    while True:
        s = [dim(r, big) for _ in range(rank)]
        if math.prod(s) <= limit:
            return s


def partner(r, s, grow=0.25):
    """A shape broadcasting with s: dims set to 1, leading dims dropped,
    now and then a dim where s has 1 (or a new leading dim): the result
    shape may grow."""
    p = list(s)
    if r.random() < grow and len(p) < 4:
        p.insert(0, dim(r, 0))
    for i, d in enumerate(p):
        u = r.random()
        if d == 1 and u < grow:
            p[i] = dim(r, 0)
        elif u < 0.3:
            p[i] = 1
    drop = int(r.integers(0, len(p) + 1)) if r.random() < 0.3 else 0
    p = p[drop:]
    full = list(np.broadcast_shapes(tuple(s), tuple(p)))
    return p if math.prod(full) <= 6000 else list(s)


def randn(r, s, scale=1.0, dtype=np.float32):
    return (r.standard_normal(s) * scale).astype(dtype)


def away(r, s, lo=0.5, dtype=np.float32):
    """Values with |x| >= lo (divisors)."""
    v = r.standard_normal(s)
    return (np.sign(v + 1e-9) * (lo + np.abs(v))).astype(dtype)


def positive(r, s, lo=0.1, hi=3.0, dtype=np.float32):
    return (r.random(s) * (hi - lo) + lo).astype(dtype)


def pick(r, items, p=None):
    """One item of a list (any objects), uniformly or with weights p."""
    return items[int(r.choice(len(items), p=p))]


def operand(g, r, array):
    """An input or an initializer, at random."""
    return g.inp(array) if r.random() < 0.6 else g.const(array)


def axes_arg(g, op, x, axes, keepdims, as_input):
    """A Reduce* node over `axes` (None: all), axes as an input or an
    attribute as the graph's opset wants."""
    fn = {"ReduceMean": np.mean, "ReduceSum": np.sum, "ReduceMax": np.max}[op]
    ins, attrs = [x], {"keepdims": keepdims}
    if axes is not None:
        if as_input:
            ins.append(g.const(np.array(axes, np.int64)))
        else:
            attrs["axes"] = list(axes)
    ax = None if axes is None else tuple(axes)
    return g.op(op, ins, lambda v, *_: fn(v, axis=ax, keepdims=bool(keepdims)),
                **attrs)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ERF = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                      (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + ERF(x / math.sqrt(2)))


def softmax(x, axis=-1):
    """Softmax in float64 with Kiln's rule for a slice that is all -inf: 0
    (kiln.softmax and kiln.attention alike; ONNX's formula gives NaN)."""
    hidden = np.isneginf(x).all(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        e = np.exp(x - np.max(np.where(hidden, 0.0, x), axis=axis,
                              keepdims=True))
        e = np.where(hidden, 0.0, e)
        return e / np.where(hidden, 1.0, e.sum(axis=axis, keepdims=True))
