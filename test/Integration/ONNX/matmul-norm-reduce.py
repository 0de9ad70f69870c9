# RUN: %python %s
# ONNX contractions, normalizations and reductions through kiln-compile +
# kiln-run against numpy (float64 references): MatMul 1-D/2-D/3-D/4-D, with
# broadcast batch dims and constant weights; Gemm with transA, transB, alpha,
# beta and C of every broadcastable shape (or none); Softmax on any axis
# (opset 13); LayerNormalization (opset 17) over the last one or two axes,
# with and without bias; ReduceMean, ReduceSum and ReduceMax with keepdims 0
# and 1, negative axes, axes as an attribute (ReduceMean-13, ReduceMax-13) and
# as an input (ReduceSum-13, ReduceMean-18, ReduceMax-18), and no axes.
import numpy as np

from onnx_testing import Suite, check_model, node, randn, rng

suite = Suite("onnx-matmul-norm-reduce")
R = rng(3)
f32, i64 = np.float32, np.int64


def ok(err):
    return f"max abs err {err:.2g}"


def d(a):
    return np.asarray(a, np.float64)


@suite.case
def matmul():
    worst = 0.0
    for name, sa, sb in [("mm_2d", (7, 13), (13, 5)), ("mm_3d", (3, 7, 13), (3, 13, 5)),
                         ("mm_4d", (2, 3, 5, 7), (2, 3, 7, 4)),
                         ("mm_broadcast_batch", (2, 1, 5, 7), (3, 7, 4)),
                         ("mm_3d_by_2d", (2, 9, 16), (16, 8)),
                         ("mm_2d_by_3d", (5, 7), (3, 7, 4)),
                         ("mm_vec_left", (13,), (13, 5)), ("mm_vec_right", (7, 13), (13,)),
                         ("mm_square_64", (64, 64), (64, 64))]:
        a, b = randn(R, *sa), randn(R, *sb)
        want = np.matmul(d(a), d(b)).astype(f32)
        worst = max(worst, check_model(name, [node("MatMul", ["a", "b"], ["y"])],
                                       {"a": a, "b": b}, {"y": want}))
    # Constant weights (a Linear layer as torch exports it: MatMul + Add).
    x, w, bias = randn(R, 2, 7, 13), randn(R, 13, 11), randn(R, 11)
    worst = max(worst, check_model(
        "mm_linear_const", [node("MatMul", ["x", "w"], ["m"]), node("Add", ["m", "b"], ["y"])],
        {"x": x}, {"y": (d(x) @ d(w) + bias).astype(f32)}, {"w": w, "b": bias}))
    return ok(worst)


@suite.case
def gemm():
    a, b = randn(R, 7, 13), randn(R, 13, 5)
    worst = 0.0
    for name, ta, tb, alpha, beta, c in [
            ("gemm_plain_c1d", 0, 0, 1.0, 1.0, randn(R, 5)),
            ("gemm_transA", 1, 0, 1.0, 1.0, randn(R, 7, 5)),
            ("gemm_transB_alpha_beta", 0, 1, 0.5, 2.0, randn(R, 7, 5)),
            ("gemm_both_trans_c_row", 1, 1, 1.5, -1.0, randn(R, 1, 5)),
            ("gemm_c_col", 0, 0, 1.0, 0.25, randn(R, 7, 1)),
            ("gemm_c_scalar", 0, 1, 2.0, 1.0, np.array(0.75, f32)),
            ("gemm_no_c", 0, 0, 0.5, 1.0, None)]:
        ga = a.T.copy() if ta else a
        gb = b.T.copy() if tb else b
        want = alpha * (d(a) @ d(b)) + (0 if c is None else beta * d(c))
        names = ["a", "b"] + ([] if c is None else ["c"])
        # B and C as initializers (torch's Linear), A at run time.
        inits = {"b": gb} | ({} if c is None else {"c": c})
        worst = max(worst, check_model(
            name, [node("Gemm", names, ["y"], transA=ta, transB=tb, alpha=alpha, beta=beta)],
            {"a": ga}, {"y": want.astype(f32)}, inits))
    # Everything at run time.
    c = randn(R, 5)
    worst = max(worst, check_model(
        "gemm_runtime_operands", [node("Gemm", ["a", "b", "c"], ["y"], transB=1)],
        {"a": a, "b": b.T.copy(), "c": c}, {"y": (d(a) @ d(b) + c).astype(f32)}))
    return ok(worst)


def softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@suite.case
def softmax_axes():
    x = randn(R, 3, 5, 13, scale=3.0)
    worst = 0.0
    for axis in (-1, 2, 1, 0, -2):
        worst = max(worst, check_model(
            f"softmax_axis{axis}", [node("Softmax", ["x"], ["y"], axis=axis)],
            {"x": x}, {"y": softmax(d(x), axis).astype(f32)}, opset=13))
    worst = max(worst, check_model("softmax_default_axis", [node("Softmax", ["x"], ["y"])],
                                   {"x": x}, {"y": softmax(d(x), -1).astype(f32)}))
    # Rows with -inf entries (masked attention scores).
    m = x.copy()
    m[:, :, 7:] = -np.inf
    worst = max(worst, check_model("softmax_masked", [node("Softmax", ["x"], ["y"])],
                                   {"x": m}, {"y": softmax(d(m), -1).astype(f32)}))
    return ok(worst)


def layer_norm(x, axis, scale, bias, eps):
    axes = tuple(range(axis % x.ndim, x.ndim))
    mu = x.mean(axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axes, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps) * scale
    return y + bias if bias is not None else y


@suite.case
def layer_normalization():
    x = randn(R, 2, 7, 13, scale=2.0) + 1.5
    s, b = randn(R, 13), randn(R, 13)
    worst = check_model("layernorm_last", [node("LayerNormalization", ["x", "s", "b"], ["y"])],
                        {"x": x}, {"y": layer_norm(d(x), -1, s, b, 1e-5).astype(f32)},
                        {"s": s, "b": b})
    worst = max(worst, check_model(
        "layernorm_no_bias_eps", [node("LayerNormalization", ["x", "s"], ["y"], epsilon=1e-3)],
        {"x": x}, {"y": layer_norm(d(x), -1, s, None, 1e-3).astype(f32)}, {"s": s}))
    s2, b2 = randn(R, 7, 13), randn(R, 7, 13)
    worst = max(worst, check_model(
        "layernorm_last_two", [node("LayerNormalization", ["x", "s", "b"], ["y"], axis=-2)],
        {"x": x}, {"y": layer_norm(d(x), -2, s2, b2, 1e-5).astype(f32)},
        {"s": s2, "b": b2}))
    x64 = randn(R, 3, 64)
    s64, b64 = randn(R, 64), randn(R, 64)
    worst = max(worst, check_model(
        "layernorm_axis1_of_2d", [node("LayerNormalization", ["x", "s", "b"], ["y"], axis=1)],
        {"x": x64}, {"y": layer_norm(d(x64), 1, s64, b64, 1e-5).astype(f32)},
        {"s": s64, "b": b64}))
    return ok(worst)


REDUCE = {"ReduceMean": np.mean, "ReduceSum": np.sum, "ReduceMax": np.max}


def reduce_case(op, x, axes, keepdims, opset, axes_as_input):
    fn = REDUCE[op]
    ax = None if axes is None else tuple(axes)
    want = fn(d(x), axis=ax, keepdims=bool(keepdims)).astype(f32)
    attrs = {"keepdims": keepdims}
    names, inits = ["x"], {}
    if axes is not None:
        if axes_as_input:
            names.append("axes")
            inits["axes"] = np.array(axes, i64)
        else:
            attrs["axes"] = list(axes)
    name = f"{op}{opset}_axes{axes}_keep{keepdims}"
    return check_model(name, [node(op, names, ["y"], **attrs)], {"x": x},
                       {"y": want}, inits, opset=opset)


@suite.case
def reductions():
    x = randn(R, 3, 5, 7, 2)
    worst = 0.0
    for axes in ([1], [-1], [0, 2], [-3, -1], None):
        for keep in (1, 0):
            worst = max(worst, reduce_case("ReduceMean", x, axes, keep, 13, False))
            worst = max(worst, reduce_case("ReduceMean", x, axes, keep, 18, True))
            worst = max(worst, reduce_case("ReduceSum", x, axes, keep, 13, True))
            worst = max(worst, reduce_case("ReduceMax", x, axes, keep, 13, False))
            worst = max(worst, reduce_case("ReduceMax", x, axes, keep, 18, True))
    return ok(worst)


@suite.case
def reduce_mean_row_statistics():
    # The decomposed LayerNorm some exporters emit: mean, centred square mean.
    x = randn(R, 2, 9, 13)
    nodes = [node("ReduceMean", ["x"], ["mu"], axes=[-1]),
             node("Sub", ["x", "mu"], ["c"]),
             node("Mul", ["c", "c"], ["sq"]),
             node("ReduceMean", ["sq"], ["var"], axes=[-1]),
             node("Add", ["var", "eps"], ["ve"]),
             node("Sqrt", ["ve"], ["sd"]),
             node("Div", ["c", "sd"], ["y"])]
    want = layer_norm(d(x), -1, 1.0, None, 1e-5).astype(f32)
    return ok(check_model("decomposed_layernorm", nodes, {"x": x}, {"y": want},
                          {"eps": np.array(1e-5, f32)}, opset=13))


suite.main()
