# RUN: %python %s
# ONNX shape and data-movement ops through kiln-compile + kiln-run against
# numpy: Transpose, Reshape (0 = copy, -1 = infer), Flatten, Squeeze and
# Unsqueeze in the opset-13 form (axes as an input), Concat, Slice (negative
# starts, negative steps, clamped ends, omitted axes), Gather on axis 0 and 1
# with negative, scalar, constant and run-time indices, Split with and without
# split sizes, Expand, Identity, Constant (value, value_float, value_ints), and
# the Shape -> Gather -> Unsqueeze -> Concat -> Reshape subgraph torch exports,
# with static and with dynamic (dim_param) batch.
import numpy as np

from onnx_testing import (Artifact, Suite, assert_close, check_model,
                          make_model, node, randn, rng, tensor)

suite = Suite("onnx-shape-ops")
R = rng(11)
f32, i64 = np.float32, np.int64
I64_MAX = np.iinfo(np.int64).max


def one(name, op, inputs, want, inits=None, opset=13, **attrs):
    names = list(inputs) + list(inits or {})
    return check_model(name, [node(op, names, ["y"], **attrs)], inputs,
                       {"y": want}, inits, opset=opset)


@suite.case
def transpose():
    x = randn(R, 3, 5, 7)
    one("transpose_perm", "Transpose", {"x": x}, x.transpose(2, 0, 1), perm=[2, 0, 1])
    one("transpose_default", "Transpose", {"x": x}, x.transpose())
    x4 = randn(R, 2, 5, 3, 13)
    one("transpose_4d", "Transpose", {"x": x4}, x4.transpose(0, 2, 1, 3),
        perm=[0, 2, 1, 3])
    one("transpose_int64", "Transpose", {"x": np.arange(35, dtype=i64).reshape(5, 7)},
        np.arange(35, dtype=i64).reshape(5, 7).T, perm=[1, 0])


@suite.case
def reshape():
    x = randn(R, 2, 3, 5, 7)
    for name, shape, want in [
            ("reshape_plain", [6, 35], (6, 35)),
            ("reshape_zero_copies", [0, 0, -1], (2, 3, 35)),
            ("reshape_minus_one_first", [-1, 7], (30, 7)),
            ("reshape_zero_and_minus_one", [0, -1, 5, 7], (2, 3, 5, 7)),
            ("reshape_flatten_all", [-1], (210,)),
            ("reshape_add_unit_dims", [1, 2, 1, 105], (1, 2, 1, 105))]:
        one(name, "Reshape", {"x": x}, x.reshape(want),
            {"shape": np.array(shape, i64)}, opset=14)


@suite.case
def flatten():
    x = randn(R, 2, 3, 5, 7)
    for axis in (0, 1, 2, 4, -1, -3):
        a = axis % 5 if axis < 0 else axis
        lead = int(np.prod(x.shape[:a]))
        one(f"flatten_{axis}", "Flatten", {"x": x}, x.reshape(lead, -1), axis=axis)


@suite.case
def squeeze_unsqueeze():
    x = randn(R, 1, 5, 1, 7, 1)
    one("squeeze_axes", "Squeeze", {"x": x}, x.reshape(5, 1, 7, 1),
        {"axes": np.array([0], i64)})
    one("squeeze_negative_axes", "Squeeze", {"x": x}, x.reshape(1, 5, 7),
        {"axes": np.array([-1, 2], i64)})
    one("squeeze_all", "Squeeze", {"x": x}, x.reshape(5, 7))
    y = randn(R, 5, 7)
    one("unsqueeze_front", "Unsqueeze", {"x": y}, y.reshape(1, 5, 7),
        {"axes": np.array([0], i64)})
    one("unsqueeze_many", "Unsqueeze", {"x": y}, y.reshape(1, 5, 1, 7, 1),
        {"axes": np.array([4, 0, 2], i64)})
    one("unsqueeze_negative", "Unsqueeze", {"x": y}, y.reshape(5, 7, 1),
        {"axes": np.array([-1], i64)})
    s = np.array(3.5, f32)
    one("unsqueeze_scalar", "Unsqueeze", {"x": s}, s.reshape(1),
        {"axes": np.array([0], i64)})


@suite.case
def concat():
    a, b, c = randn(R, 2, 3, 5), randn(R, 2, 4, 5), randn(R, 2, 1, 5)
    check_model("concat_axis1", [node("Concat", ["a", "b", "c"], ["y"], axis=1)],
                {"a": a, "b": b, "c": c}, {"y": np.concatenate([a, b, c], 1)})
    d = randn(R, 2, 3, 7)
    check_model("concat_negative_axis_const", [node("Concat", ["a", "d"], ["y"], axis=-1)],
                {"a": a}, {"y": np.concatenate([a, d], -1)}, {"d": d})
    ia, ib = np.arange(3, dtype=i64), np.array([7, 9], i64)
    check_model("concat_int64", [node("Concat", ["a", "b"], ["y"], axis=0)],
                {"a": ia, "b": ib}, {"y": np.concatenate([ia, ib])})


def slice_case(name, x, starts, ends, axes=None, steps=None):
    inits = {"starts": np.array(starts, i64), "ends": np.array(ends, i64)}
    names = ["x", "starts", "ends"]
    idx = [slice(None)] * x.ndim
    ax = axes if axes is not None else list(range(len(starts)))
    st = steps if steps is not None else [1] * len(starts)
    for a, s, e, k in zip(ax, starts, ends, st):
        dim = x.shape[a]
        # numpy's slice clamps like ONNX once the sentinels are mapped.
        s_ = s + dim if s < 0 else s
        e_ = e + dim if e < 0 else e
        if k < 0:
            s_ = min(s_, dim - 1)
            e_ = None if e_ < 0 else e_
        else:
            e_ = min(e_, dim)
        idx[a] = slice(s_, e_, k)
    if axes is not None:
        inits["axes"] = np.array(axes, i64)
        names.append("axes")
    if steps is not None:
        if axes is None:
            inits["axes"] = np.arange(len(starts), dtype=i64)
            names.append("axes")
        inits["steps"] = np.array(steps, i64)
        names.append("steps")
    return check_model(name, [node("Slice", names, ["y"])], {"x": x},
                       {"y": x[tuple(idx)]}, inits, opset=13)


@suite.case
def slice_():
    x = randn(R, 5, 7, 13)
    slice_case("slice_basic", x, [1, 2], [4, 6])
    slice_case("slice_axes", x, [3], [11], axes=[2])
    slice_case("slice_negative_start", x, [-3], [I64_MAX], axes=[1])
    slice_case("slice_negative_end", x, [0, 1], [-1, -2], axes=[0, 2])
    slice_case("slice_negative_axis", x, [2], [9], axes=[-1])
    slice_case("slice_step2", x, [0, 1], [13, 7], axes=[2, 1], steps=[2, 3])
    slice_case("slice_reverse", x, [-1], [-I64_MAX], axes=[1], steps=[-1])
    slice_case("slice_reverse_step2", x, [11], [1], axes=[2], steps=[-2])
    slice_case("slice_clamped_end", x, [2], [1000], axes=[0])
    slice_case("slice_empty_extent_one", x, [4], [5], axes=[0])


@suite.case
def gather():
    x = randn(R, 5, 7, 3)
    idx0 = np.array([4, 0, -1, 2, -5, 4], i64)
    one("gather_axis0_const_negative", "Gather", {"x": x}, x[idx0],
        {"i": idx0}, axis=0)
    idx1 = np.array([[6, -7], [0, 3], [-2, 5]], i64)
    one("gather_axis1_2d_const", "Gather", {"x": x}, np.take(x, idx1, axis=1),
        {"i": idx1}, axis=1)
    one("gather_scalar_index", "Gather", {"x": x}, x[:, 2], {"i": np.array(2, i64)},
        axis=1)
    one("gather_negative_axis", "Gather", {"x": x}, np.take(x, [2, 0], axis=2),
        {"i": np.array([2, 0], i64)}, axis=-1)
    # Run-time indices: int64 and int32, with negative values.
    rt = np.array([[1, -1, 3], [0, 4, -5]], i64)
    check_model("gather_runtime_axis0", [node("Gather", ["x", "i"], ["y"], axis=0)],
                {"x": x, "i": rt}, {"y": np.take(x, rt, axis=0)}, opset=13)
    rt1 = np.array([6, -3, 0, 2], np.int32)
    check_model("gather_runtime_axis1_i32", [node("Gather", ["x", "i"], ["y"], axis=1)],
                {"x": x, "i": rt1}, {"y": np.take(x, rt1, axis=1)}, opset=13)
    # Embedding lookup: a weight initializer gathered by token ids.
    w = randn(R, 13, 8)
    ids = np.array([[0, 12, 5, 5, 7]], i64)
    check_model("gather_embedding", [node("Gather", ["w", "ids"], ["y"])],
                {"ids": ids}, {"y": w[ids]}, {"w": w}, opset=13)


@suite.case
def split():
    x = randn(R, 3, 7, 5)
    sizes = [2, 4, 1]
    parts = np.split(x, np.cumsum(sizes)[:-1], axis=1)
    check_model("split_sizes", [node("Split", ["x", "split"], ["a", "b", "c"], axis=1)],
                {"x": x}, dict(zip("abc", parts)), {"split": np.array(sizes, i64)})
    eq = np.split(x, 5, axis=-1)
    check_model("split_equal", [node("Split", ["x"], list("abcde"), axis=-1)],
                {"x": x}, dict(zip("abcde", eq)))
    check_model("split_default_axis0", [node("Split", ["x"], ["a", "b", "c"])],
                {"x": x}, dict(zip("abc", np.split(x, 3))))


@suite.case
def expand():
    x = randn(R, 1, 4, 1)
    for name, shape in [("expand_both_sides", [3, 1, 5]),
                        ("expand_more_rank", [2, 3, 4, 5]),
                        ("expand_shorter_shape", [5]),
                        ("expand_ones", [1, 1, 1])]:
        want = x * np.ones(shape, f32)
        one(name, "Expand", {"x": x}, want, {"shape": np.array(shape, i64)})


@suite.case
def identity_and_constant():
    x = randn(R, 5, 7)
    one("identity", "Identity", {"x": x}, x)
    c = randn(R, 5, 7)
    check_model("constant_value", [node("Constant", [], ["c"], value=tensor("c", c)),
                                   node("Add", ["x", "c"], ["y"])],
                {"x": x}, {"y": x + c})
    check_model("constant_value_float", [node("Constant", [], ["c"], value_float=2.5),
                                         node("Mul", ["x", "c"], ["y"])],
                {"x": x}, {"y": x * f32(2.5)})
    check_model("constant_value_ints", [node("Constant", [], ["s"], value_ints=[7, 5]),
                                        node("Reshape", ["x", "s"], ["y"])],
                {"x": x}, {"y": x.reshape(7, 5)})


def shape_subgraph_nodes():
    """[B, S, 12] -> [B, S, 3, 4] with B and S read through Shape, as torch
    exports x.view(B, T, H, D)."""
    return [node("Shape", ["x"], ["shape"]),
            node("Gather", ["shape", "i0"], ["b"], axis=0),
            node("Gather", ["shape", "i1"], ["s"], axis=0),
            node("Unsqueeze", ["b", "ax0"], ["bu"]),
            node("Unsqueeze", ["s", "ax0"], ["su"]),
            node("Concat", ["bu", "su", "tail"], ["target"], axis=0),
            node("Reshape", ["x", "target"], ["r"]),
            node("Transpose", ["r"], ["y"], perm=[0, 2, 1, 3])]


SHAPE_INITS = {"i0": np.array(0, i64), "i1": np.array(1, i64),
               "ax0": np.array([0], i64), "tail": np.array([3, 4], i64)}


@suite.case
def shape_subgraph_static():
    x = randn(R, 2, 5, 12)
    want = x.reshape(2, 5, 3, 4).transpose(0, 2, 1, 3)
    return check_model("shape_subgraph", shape_subgraph_nodes(), {"x": x},
                       {"y": want}, SHAPE_INITS, opset=13)


@suite.case
def shape_subgraph_dynamic_batch():
    model = make_model(shape_subgraph_nodes(), [("x", f32, ["batch", 5, 12])],
                       [("y", f32, ["batch", 3, 5, 4])], SHAPE_INITS, opset=13)
    with Artifact(model) as art:
        for b in (1, 3):
            x = randn(R, b, 5, 12)
            y, = art.run([x])
            assert_close(f"shape_subgraph_batch{b}", y,
                         x.reshape(b, 5, 3, 4).transpose(0, 2, 1, 3))


@suite.case
def shape_with_start_end():
    # Shape-15 start/end (negative start), folded into a reshape target.
    x = randn(R, 3, 5, 7)
    nodes = [node("Shape", ["x"], ["s"], start=-2, end=3),
             node("Concat", ["s", "m1"], ["t"], axis=0),
             node("Reshape", ["x", "t"], ["y"])]
    return check_model("shape_start_end", nodes, {"x": x},
                       {"y": x.reshape(5, 7, 3)}, {"m1": np.array([-1], i64)},
                       opset=15)


suite.main()
