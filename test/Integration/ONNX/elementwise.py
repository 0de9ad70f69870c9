# RUN: %python %s
# ONNX elementwise ops and activations through kiln-compile + kiln-run against
# numpy: Add/Sub/Mul/Div with multidirectional broadcasting (scalar, rank
# extension, size-1 dims on both sides, initializer operands), integer
# arithmetic, Pow, the unary math ops, Clip with both, one or neither bound,
# HardSigmoid, HardSwish, Erf, Gelu-20 (approximate none and tanh), Where,
# Cast between float, integer and bool, Equal. Odd sizes throughout.
import math

import numpy as np

from onnx_testing import Suite, check_model, node, randn, rng

suite = Suite("onnx-elementwise")
R = rng(7)
f32 = np.float32


def ok(err):
    return f"max abs err {err:.2g}"


def binary(op, fn, a, b, b_const=False, name=None):
    ins = {"a": a} if b_const else {"a": a, "b": b}
    inits = {"b": b} if b_const else {}
    want = fn(a.astype(np.float64), b.astype(np.float64)).astype(a.dtype) \
        if a.dtype.kind == "f" else fn(a, b).astype(a.dtype)
    return check_model(name or op.lower(), [node(op, ["a", "b"], ["y"])], ins,
                       {"y": want}, inits)


@suite.case
def add_sub_mul_div_broadcast():
    worst = 0.0
    ops = [("Add", np.add), ("Sub", np.subtract), ("Mul", np.multiply),
           ("Div", np.divide)]
    shapes = [((3, 5, 7), (3, 5, 7)), ((2, 7, 13), (13,)),
              ((4, 1, 7), (1, 6, 1)), ((5, 1), (1, 9)), ((3, 5), ()),
              ((1,), (2, 3, 5))]
    for op, fn in ops:
        for sa, sb in shapes:
            a = randn(R, *sa)
            b = randn(R, *sb)
            if op == "Div":
                b = np.where(np.abs(b) < 0.3, f32(0.7), b).astype(f32)
            worst = max(worst, binary(op, fn, a, b, name=f"{op}{sa}{sb}"))
            worst = max(worst, binary(op, fn, a, b, b_const=True,
                                      name=f"{op}{sa}{sb}const"))
    return ok(worst)


@suite.case
def integer_arith():
    for dt in (np.int32, np.int64):
        a = R.integers(-1000, 1000, (3, 7)).astype(dt)
        b = R.integers(-1000, 1000, (7,)).astype(dt)
        for op, fn in [("Add", np.add), ("Sub", np.subtract),
                       ("Mul", np.multiply)]:
            binary(op, fn, a, b, name=f"{op}_{np.dtype(dt).name}")


@suite.case
def pow_():
    base = (R.random((3, 5, 7)) * 3 + 0.1).astype(f32)
    worst = binary("Pow", np.power, base, randn(R, 3, 5, 7), name="pow_tensor")
    for e in (2.0, 3.0, 0.5, -1.0):
        worst = max(worst, binary("Pow", np.power, base, np.array(e, f32),
                                  b_const=True, name=f"pow_{e}"))
    neg = randn(R, 13)  # integral exponents of negative bases are defined
    worst = max(worst, binary("Pow", np.power, neg, np.array([2.0, 3.0] * 6 + [2.0], f32),
                              name="pow_negative_base"))
    return ok(worst)


def unary(name, op, fn, x, rtol=1e-5, **attrs):
    want = fn(x.astype(np.float64)).astype(f32)
    return check_model(name, [node(op, ["x"], ["y"], **attrs)], {"x": x},
                       {"y": want}, rtol=rtol)


_erf = np.vectorize(math.erf)


@suite.case
def unary_math():
    x = randn(R, 3, 5, 7, scale=2.0)
    pos = (R.random((13, 7)) * 5 + 0.05).astype(f32)
    away = np.where(np.abs(x) < 0.2, f32(0.9), x).astype(f32)
    cases = [("relu", "Relu", lambda v: np.maximum(v, 0), x),
             ("neg", "Neg", np.negative, x),
             ("sigmoid", "Sigmoid", lambda v: 1 / (1 + np.exp(-v)), x),
             ("tanh", "Tanh", np.tanh, x),
             ("erf", "Erf", _erf, x),
             ("exp", "Exp", np.exp, x),
             ("log", "Log", np.log, pos),
             ("sqrt", "Sqrt", np.sqrt, pos),
             ("reciprocal", "Reciprocal", lambda v: 1 / v, away)]
    return ok(max(unary(n, op, fn, v) for n, op, fn, v in cases))


@suite.case
def clip_bounds():
    x = randn(R, 2, 7, 13, scale=4.0)
    lo, hi = np.array(-1.5, f32), np.array(2.25, f32)
    worst = 0.0
    for name, names, inits, want in [
            ("clip_both", ["x", "lo", "hi"], {"lo": lo, "hi": hi},
             np.clip(x, lo, hi)),
            ("clip_relu6", ["x", "lo", "hi"],
             {"lo": np.array(0, f32), "hi": np.array(6, f32)}, np.clip(x, 0, 6)),
            ("clip_min_only", ["x", "lo"], {"lo": lo}, np.maximum(x, lo)),
            ("clip_max_only", ["x", "", "hi"], {"hi": hi}, np.minimum(x, hi)),
            ("clip_none", ["x"], {}, x)]:
        worst = max(worst, check_model(name, [node("Clip", names, ["y"])],
                                       {"x": x}, {"y": want.astype(f32)}, inits))
    return ok(worst)


@suite.case
def hard_sigmoid_hard_swish():
    x = randn(R, 3, 5, 7, scale=5.0)
    hs = lambda v, a=0.2, b=0.5: np.clip(a * v + b, 0, 1)
    worst = unary("hardsigmoid_default", "HardSigmoid", hs, x)
    worst = max(worst, unary("hardsigmoid_attrs", "HardSigmoid",
                             lambda v: hs(v, 1 / 6, 0.5), x,
                             alpha=1 / 6, beta=0.5))
    worst = max(worst, unary("hardswish", "HardSwish",
                             lambda v: v * hs(v, 1 / 6, 0.5), x))
    return ok(worst)


@suite.case
def gelu_20():
    x = randn(R, 2, 5, 13, scale=3.0)
    exact = lambda v: 0.5 * v * (1 + _erf(v / math.sqrt(2)))
    tanh = lambda v: 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                            (v + 0.044715 * v ** 3)))
    worst = 0.0
    for name, fn, attrs in [("gelu_default", exact, {}),
                            ("gelu_none", exact, {"approximate": "none"}),
                            ("gelu_tanh", tanh, {"approximate": "tanh"})]:
        want = fn(x.astype(np.float64)).astype(f32)
        worst = max(worst, check_model(
            name, [node("Gelu", ["x"], ["y"], **attrs)], {"x": x}, {"y": want},
            opset=20))
    return ok(worst)


# Kiln's graph inputs and outputs are float or signed int (bool and uint8
# live inside the graph only), so bool values enter through Cast or Equal and
# leave through Cast.
def bool_in(name):
    return [node("Cast", [name + "_f"], [name], name=name + "_to_bool", to=9)]


@suite.case
def where_():
    c = R.random((3, 1, 7)) > 0.5
    x, y = randn(R, 3, 5, 7), randn(R, 5, 1)
    worst = check_model("where_broadcast",
                        bool_in("c") + [node("Where", ["c", "x", "y"], ["o"])],
                        {"c_f": c.astype(f32), "x": x, "y": y}, {"o": np.where(c, x, y)})
    # masked_fill as torch exports it: Where(constant mask, -inf, x).
    mask = np.triu(np.ones((7, 7), bool), 1)
    s = randn(R, 2, 7, 7)
    worst = max(worst, check_model(
        "where_masked_fill", [node("Where", ["m", "ninf", "s"], ["o"])],
        {"s": s}, {"o": np.where(mask, f32(-np.inf), s)},
        {"m": mask, "ninf": np.array(-np.inf, f32)}))
    # A constant mask of the data's own shape (no broadcast): the select
    # reads the i1 tensor directly. The row-wise vectorizer once read it as
    # a vector of i1, i.e. packed bits, from a byte-per-element buffer.
    mask = R.random((3, 37)) > 0.5
    s = randn(R, 3, 37)
    worst = max(worst, check_model(
        "where_full_constant_mask", [node("Where", ["m", "ninf", "s"], ["o"])],
        {"s": s}, {"o": np.where(mask, f32(-np.inf), s)},
        {"m": mask, "ninf": np.array(-np.inf, f32)}))
    # The condition computed by Equal on integers.
    a = R.integers(0, 3, (5, 7)).astype(np.int64)
    b = R.integers(0, 3, (7,)).astype(np.int64)
    worst = max(worst, check_model(
        "where_of_equal", [node("Equal", ["a", "b"], ["c"]),
                           node("Where", ["c", "x", "y"], ["o"])],
        {"a": a, "b": b, "x": x[0], "y": y}, {"o": np.where(a == b, x[0], y)}))
    # Integer branches.
    ia, ib = R.integers(-9, 9, (5, 7)).astype(np.int64), np.array([-1], np.int64)
    worst = max(worst, check_model(
        "where_int64", [node("Equal", ["a", "b"], ["c"]),
                        node("Where", ["c", "ia", "ib"], ["o"])],
        {"a": a, "b": b, "ia": ia, "ib": ib}, {"o": np.where(a == b, ia, ib)}))
    return ok(worst)


@suite.case
def equal():
    a = R.integers(-3, 3, (3, 5, 7)).astype(np.int64)
    b = R.integers(-3, 3, (5, 1)).astype(np.int64)
    out = [node("Cast", ["e"], ["y"], to=6)]  # bool -> int32
    check_model("equal_i64", [node("Equal", ["a", "b"], ["e"])] + out,
                {"a": a, "b": b}, {"y": (a == b).astype(np.int32)})
    ai, bi = a.astype(np.int32), b.astype(np.int32)
    check_model("equal_i32", [node("Equal", ["a", "b"], ["e"])] + out,
                {"a": ai, "b": bi}, {"y": (ai == bi).astype(np.int32)})
    fa = np.round(randn(R, 7, 13)).astype(f32)
    fb = np.round(randn(R, 13)).astype(f32)
    check_model("equal_f32", [node("Equal", ["a", "b"], ["e"]),
                              node("Cast", ["e"], ["y"], to=1)],
                {"a": fa, "b": fb}, {"y": (fa == fb).astype(f32)})


@suite.case
def cast():
    TP = {np.float32: 1, np.int8: 3, np.int32: 6, np.int64: 7, np.bool_: 9}
    x = (randn(R, 5, 13) * 50).astype(f32)
    cases = [("f32_to_i32", x, np.int32), ("f32_to_i64", x, np.int64),
             ("f32_to_i8", x.clip(-128, 127), np.int8),
             ("i32_to_f32", R.integers(-1 << 20, 1 << 20, (5, 13)).astype(np.int32), f32),
             ("i64_to_f32", R.integers(-1 << 20, 1 << 20, (7,)).astype(np.int64), f32),
             ("i64_to_i32", R.integers(-1 << 30, 1 << 30, (7,)).astype(np.int64), np.int32),
             ("i32_to_i64", R.integers(-1 << 30, 1 << 30, (7,)).astype(np.int32), np.int64),
             ("i8_to_f32", R.integers(-128, 128, (13,)).astype(np.int8), f32),
             ("i8_to_i32", R.integers(-128, 128, (13,)).astype(np.int8), np.int32),
             ("f32_to_f32", x, f32)]
    for name, v, to in cases:
        # Float -> int truncates toward zero (values are in range).
        check_model("cast_" + name, [node("Cast", ["x"], ["y"], to=TP[to])],
                    {"x": v}, {"y": v.astype(to)})
        # The same cast of a constant (folded at import; no graph inputs).
        check_model("cast_const_" + name, [node("Cast", ["c"], ["y"], to=TP[to])],
                    {}, {"y": v.astype(to)}, {"c": v})
    # Through bool and back: nonzero -> true -> 1.
    z = np.where(R.random((5, 13)) < 0.3, 0, x).astype(f32)
    for to, dt in [(1, f32), (6, np.int32)]:
        check_model(f"cast_f32_bool_{np.dtype(dt).name}",
                    [node("Cast", ["x"], ["b"], to=9), node("Cast", ["b"], ["y"], to=to)],
                    {"x": z}, {"y": (z != 0).astype(dt)})


@suite.case
def silu_chain_unknown_output_shape():
    # x * sigmoid(x) + 1 with the output shape left to the importer.
    x = randn(R, 2, 13, 7)
    want = (x * (1 / (1 + np.exp(-x.astype(np.float64)))) + 1).astype(f32)
    return ok(check_model(
        "silu_chain", [node("Sigmoid", ["x"], ["s"]),
                       node("Mul", ["x", "s"], ["m"]),
                       node("Add", ["m", "one"], ["y"])],
        {"x": x}, {"y": want}, {"one": np.array([1.0], f32)}, out_shapes=False))


suite.main()
