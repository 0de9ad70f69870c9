"""ONNX cases: elementwise, contractions, softmax, norms, reductions.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

from .cases import *  # noqa: F401,F403
from .shapes import *  # noqa: F401,F403

# ===================================================== ONNX: elementwise

ACTIVATIONS = ["Relu", "Neg", "Sigmoid", "Tanh", "Erf", "HardSigmoid",
               "HardSwish", "Clip", "Exp", "Gelu"]


def activation(g, r, x, op=None):
    """One activation of x (Gelu only at opset >= 20, Exp of small values)."""
    ops = [o for o in ACTIVATIONS if o != "Gelu" or g.opset >= 20]
    op = op or pick(r, ops)
    if op == "Exp" and np.max(np.abs(g.val[x]), initial=0) > 6:
        op = "Tanh"
    simple = {"Relu": lambda v: np.maximum(v, 0), "Neg": np.negative,
              "Sigmoid": sigmoid, "Tanh": np.tanh, "Erf": ERF, "Exp": np.exp}
    if op in simple:
        return g.op(op, [x], simple[op])
    if op == "HardSigmoid":
        a, b = float(r.choice([0.2, 1 / 6, 0.5])), float(r.choice([0.5, 0.25]))
        return g.op(op, [x], lambda v: np.clip(a * v + b, 0, 1),
                    alpha=a, beta=b)
    if op == "HardSwish":
        return g.op(op, [x], lambda v: v * np.clip(v / 6 + 0.5, 0, 1))
    if op == "Gelu":
        ap = pick(r, ["none", "tanh"])
        return g.op(op, [x], lambda v: gelu(v, ap), approximate=ap)
    dt = g.dtype[x]
    lo, hi = sorted(r.standard_normal(2) * 2)
    form = pick(r, ["both", "min", "max", "none"])
    ins = [x, g.const(np.array(lo, dt)) if form in ("both", "min") else "",
           g.const(np.array(hi, dt)) if form in ("both", "max") else ""]
    while ins[-1] == "" and len(ins) > 1:
        ins.pop()
    lo_, hi_ = (lo if form in ("both", "min") else -np.inf,
                hi if form in ("both", "max") else np.inf)
    return g.op("Clip", ins, lambda v, *_: np.clip(v, lo_, hi_))


def float_step(g, r, x, dt):
    """One more op on x: an activation, a broadcast binary op with a new
    operand, a domain-restricted op on a new operand, Pow, or Where."""
    s = list(g.val[x].shape)
    kind = pick(r, ["act", "binary", "binary", "domain", "pow", "where", "self"])
    if kind == "act":
        return activation(g, r, x)
    if kind == "binary":
        op = pick(r, ["Add", "Sub", "Mul", "Div"])
        p = partner(r, s)
        y = operand(g, r, away(r, p, dtype=dt) if op == "Div" else randn(r, p, dtype=dt))
        fn = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
              "Div": np.divide}[op]
        a, b = (x, y) if op == "Div" or r.random() < 0.5 else (y, x)
        return g.op(op, [a, b], fn)
    if kind == "domain":
        op = pick(r, ["Log", "Sqrt", "Reciprocal"])
        p = partner(r, s)
        y = operand(g, r, away(r, p, dtype=dt) if op == "Reciprocal"
                    else positive(r, p, dtype=dt))
        fn = {"Log": np.log, "Sqrt": np.sqrt, "Reciprocal": lambda v: 1 / v}[op]
        t = g.op(op, [y], fn)
        return g.op("Add", [x, t], np.add)
    if kind == "pow":
        if r.random() < 0.5:  # integral exponent of any base
            e = g.const(np.array(float(r.choice([2.0, 3.0])), dt))
            return g.op("Pow", [x, e], np.power)
        bs = partner(r, s)
        base = operand(g, r, positive(r, bs, 0.5, 2.0, dt))
        e = g.const(np.array(float(r.choice([0.5, -1.0, 1.5, 2.0])), dt)) \
            if r.random() < 0.5 else operand(g, r, randn(r, partner(r, bs, 0), dtype=dt))
        t = g.op("Pow", [base, e], np.power)
        return g.op("Mul", [x, t], np.multiply)
    if kind == "where":
        p = partner(r, s)
        if r.random() < 0.5:
            c = g.op("Cast", [g.inp((r.random(p) < 0.5).astype(np.float32))],
                     lambda v: v != 0, dtype=np.bool_, to=TensorProto.BOOL)
        else:
            a = g.inp(r.integers(0, 3, p).astype(np.int64))
            b = g.inp(r.integers(0, 3, partner(r, p, 0)).astype(np.int64))
            c = g.op("Equal", [a, b], np.equal, dtype=np.bool_)
        full = list(np.broadcast_shapes(tuple(s), g.val[c].shape))
        y = operand(g, r, randn(r, partner(r, full, 0), dtype=dt))
        a, b = (x, y) if r.random() < 0.5 else (y, x)
        return g.op("Where", [c, a, b], np.where, dtype=dt)
    op = pick(r, ["Add", "Mul", "Sub"])
    return g.op(op, [x, x], {"Add": np.add, "Mul": np.multiply,
                             "Sub": np.subtract}[op])


def int_step(g, r, x, dt):
    """One integer op: Add/Sub/Mul with a broadcast operand, Where on an
    Equal, or a truncating Cast of floats added in."""
    s = list(g.val[x].shape)
    kind = pick(r, ["binary", "binary", "where", "cast"])
    if kind == "binary":
        op = pick(r, ["Add", "Sub", "Mul"])
        y = operand(g, r, r.integers(-9, 10, partner(r, s)).astype(dt))
        fn = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply}[op]
        return g.op(op, [x, y] if r.random() < 0.5 else [y, x], fn)
    if kind == "where":
        y = operand(g, r, r.integers(-50, 50, partner(r, s)).astype(dt))
        c = g.op("Equal", [x, y], np.equal, dtype=np.bool_)
        z = operand(g, r, r.integers(-50, 50, partner(r, list(g.val[c].shape), 0))
                    .astype(dt))
        return g.op("Where", [c, z, x], np.where, dtype=dt)
    p = partner(r, s)
    f = (r.integers(-20, 20, p) + (r.random(p) * 0.8 + 0.1) *
         pick(r, [1, -1])).astype(np.float32)
    c = g.op("Cast", [g.inp(f)], np.trunc, dtype=dt,
             to=ot.elem_type(np.dtype(dt)))
    return g.op("Add", [x, c], np.add)


def gen_elementwise(r):
    kind = pick(r, ["f32", "f32", "f32", "f16", "int"])
    rank = int(r.integers(0, 5))
    s = shape(r, rank)
    steps = int(r.integers(1, 5))
    if kind == "int":
        dt = pick(r, [np.int32, np.int64])
        g = Graph(r, 17)
        x = g.inp(r.integers(-30, 30, s).astype(dt))
        for _ in range(steps):
            x = int_step(g, r, x, dt)
            if np.max(np.abs(g.val[x]), initial=0) > 1e6:
                break
        if r.random() < 0.2:
            x = g.op("Cast", [x], lambda v: v, dtype=np.float32,
                     to=TensorProto.FLOAT)
        g.out(x, EXACT)
        return g.case("elementwise", f"int {np.dtype(dt).name} {s} {steps} ops")
    dt = np.float32 if kind == "f32" else np.float16
    g = Graph(r, 20 if r.random() < 0.3 else 17)
    x = g.inp(randn(r, s, 1.5, dt))
    ops = []
    for _ in range(steps):
        x = float_step(g, r, x, dt)
        ops.append(g.nodes[-1].op_type)
        if r.random() < 0.15:  # a second output
            g.out(x, None)
    g.out(x, None)
    rtol = 2e-5 if dt == np.float32 else 6e-3
    g.outputs = [(n, close(rtol, g.scale), d) for n, _, d in g.outputs]
    return g.case("elementwise", f"{kind} {s} opset {g.opset}: {' '.join(ops)}")


# ====================================================== ONNX: contractions

def matmul_shapes(r):
    """(a shape, b shape) of a MatMul: ranks 1-4, broadcast batch dims."""
    m, n, k = dim(r), dim(r), dim(r)
    ra, rb = pick(r, [(2, 2), (2, 2), (3, 3), (4, 4), (4, 3), (3, 2), (2, 3),
                      (1, 2), (2, 1), (1, 3), (3, 1), (1, 1)])
    batch = [dim(r, 0) for _ in range(max(ra, rb) - 2)]
    a = ([m, k] if ra >= 2 else [k])
    b = ([k, n] if rb >= 2 else [k])
    ba = [d if r.random() < 0.7 else 1 for d in batch[len(batch) - (ra - 2):]] \
        if ra > 2 else []
    bb = [d if r.random() < 0.7 else 1 for d in batch[len(batch) - (rb - 2):]] \
        if rb > 2 else []
    return ba + a, bb + b


def gen_matmul(r):
    form = pick(r, ["matmul", "linear", "gemm"])
    g = Graph(r, 17)
    if form == "matmul":
        sa, sb = matmul_shapes(r)
        a = g.inp(randn(r, sa))
        b = operand(g, r, randn(r, sb))
        y = g.op("MatMul", [a, b], np.matmul)
        desc = f"MatMul {sa} x {sb}"
    elif form == "linear":
        k, n = dim(r), dim(r)
        s = shape(r, int(r.integers(0, 3)), 0, 600) + [k]
        x = g.inp(randn(r, s))
        y = g.op("MatMul", [x, g.const(randn(r, [k, n], 0.5))], np.matmul)
        if r.random() < 0.7:
            y = g.op("Add", [y, g.const(randn(r, [n]))], np.add)
        desc = f"Linear {s} -> {n}"
    else:
        m, n, k = dim(r), dim(r), dim(r)
        ta, tb = int(r.random() < 0.4), int(r.random() < 0.5)
        alpha = float(pick(r, [1.0, 0.5, -1.5, 2.0]))
        beta = float(pick(r, [1.0, 0.25, -1.0]))
        a = g.inp(randn(r, [k, m] if ta else [m, k]))
        b = operand(g, r, randn(r, [n, k] if tb else [k, n]))
        cs = pick(r, [None, [n], [1, n], [m, 1], [m, n], []])
        ins = [a, b] + ([] if cs is None else [operand(g, r, randn(r, cs))])

        def gemm(av, bv, cv=None):
            y = alpha * ((av.T if ta else av) @ (bv.T if tb else bv))
            return y if cv is None else y + beta * cv
        y = g.op("Gemm", ins, gemm, transA=ta, transB=tb, alpha=alpha, beta=beta)
        desc = f"Gemm {m}x{n}x{k} tA{ta} tB{tb} alpha {alpha} beta {beta} C {cs}"
    if r.random() < 0.3:
        y = activation(g, r, y, pick(r, ["Relu", "Sigmoid", "Tanh"]))
    g.out(y, None)
    g.outputs = [(y, close(1e-4, g.scale), None)]
    return g.case("matmul", desc)


# ========================================= ONNX: softmax, norms, reductions

def gen_norm(r):
    kind = pick(r, ["softmax", "layernorm", "reduce", "reduce", "decomposed"])
    rank = int(r.integers(1, 5))
    s = shape(r, rank)
    if kind == "softmax":
        g = Graph(r, 13)
        v = randn(r, s, 3.0)
        axis = int(r.integers(-rank, rank))
        if r.random() < 0.3 and s[axis] > 1:  # -inf entries, never a whole slice
            hide = r.random(s) < 0.3
            first = [slice(None)] * rank
            first[axis] = slice(0, 1)
            hide[tuple(first)] = False
            v[hide] = -np.inf
        x = g.inp(v)
        y = g.op("Softmax", [x], lambda t: softmax(t, axis), axis=axis)
        desc = f"Softmax {s} axis {axis}"
    elif kind == "layernorm":
        g = Graph(r, 17)
        rank = max(rank, 2)
        s = shape(r, rank)
        axis = int(r.integers(1, rank)) * pick(r, [1, -1]) if rank > 1 else -1
        ax = axis % rank
        eps = float(pick(r, [1e-5, 1e-3, 1e-6]))
        x = g.inp(randn(r, s, 2.0) + np.float32(r.standard_normal()))
        ns = s[ax:]
        gm = operand(g, r, randn(r, ns))
        bias = r.random() < 0.6
        ins = [x, gm] + ([operand(g, r, randn(r, ns))] if bias else [])

        def ln(v, gv, bv=None):
            axes = tuple(range(ax, rank))
            mu = v.mean(axes, keepdims=True)
            var = ((v - mu) ** 2).mean(axes, keepdims=True)
            y = (v - mu) / np.sqrt(var + np.float32(eps)) * gv
            return y if bv is None else y + bv
        y = g.op("LayerNormalization", ins, ln, axis=axis, epsilon=eps)
        desc = f"LayerNormalization {s} axis {axis} eps {eps} bias {bias}"
    elif kind == "reduce":
        op = pick(r, ["ReduceMean", "ReduceSum", "ReduceMax"])
        ints = op != "ReduceMean" and r.random() < 0.3
        as_input = op == "ReduceSum" or r.random() < 0.5
        g = Graph(r, 18 if as_input and op != "ReduceSum" else 13)
        x = g.inp(r.integers(-100, 100, s).astype(pick(r, [np.int32, np.int64]))
                  if ints else randn(r, s))
        axes = None
        if r.random() < 0.85:
            n = int(r.integers(1, rank + 1))
            axes = sorted(int(a) for a in r.choice(rank, n, replace=False))
            axes = [a - rank if r.random() < 0.3 else a for a in axes]
        keep = int(r.random() < 0.5)
        y = axes_arg(g, op, x, axes, keep, as_input)
        desc = f"{op} {s} axes {axes} keepdims {keep}{' int' if ints else ''}"
        if ints:
            g.out(y, EXACT)
            return g.case("norm", desc)
    else:  # a LayerNorm as some exporters decompose it
        g = Graph(r, 13)
        x = g.inp(randn(r, s, 2.0) + 1.0)
        mu = axes_arg(g, "ReduceMean", x, [-1], 1, False)
        c = g.op("Sub", [x, mu], np.subtract)
        var = axes_arg(g, "ReduceMean", g.op("Mul", [c, c], np.multiply), [-1],
                       1, False)
        sd = g.op("Sqrt", [g.op("Add", [var, g.const(np.array(1e-5, np.float32))],
                                np.add)], np.sqrt)
        y = g.op("Div", [c, sd], np.divide)
        desc = f"decomposed LayerNorm {s}"
    if r.random() < 0.3:
        y = activation(g, r, y, pick(r, ["Relu", "Tanh", "Neg"]))
    g.out(y, None)
    g.outputs = [(y, close(1e-4, g.scale), None)]
    return g.case("norm", desc)
