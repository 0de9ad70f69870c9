# RUN: %python %s
# Malformed, truncated and adversarial ONNX files: kiln-compile must exit 1
# with a '<file>: error: ...' diagnostic (never a crash, never a hang), naming
# the node as "node 'NAME' (OpType)" wherever a node is at fault. Covers
# bytes that are not a model (random, empty, text, truncated at several
# points, no graph), huge and negative dims, element-count overflow, cycles,
# undefined and duplicate names, initializers whose data does not match their
# dims or whose type is unsupported, untyped inputs, unsupported domains and
# opsets, a 20000-node chain (no stack overflow), and kiln-run given wrong
# inputs for a compiled ONNX model. Single malformed nodes (shapes,
# attributes, axes, indices, ops) are in malformed-nodes.py. One line per
# case: the diagnostic seen.
import os
import subprocess
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

from onnx_testing import (Artifact, Suite, assert_clean_failure, compile_error,
                          make_model, node, node_ref, rng, tensor, tool)

suite = Suite("onnx-malformed")
R = rng(17)
F = TensorProto.FLOAT
f32, i64 = np.float32, np.int64


def bad(nodes, inputs, outputs, inits=(), opset=17, **kw):
    """A model onnx.checker is not asked about."""
    return make_model(nodes, inputs, outputs, inits, opset=opset, check=False, **kw)


def relu_of(shape):
    return bad([node("Relu", ["x"], ["y"], name="r")], [("x", F, shape)], [("y", F, shape)])


def valid_model():
    w = tensor("w", R.standard_normal((8, 3, 3, 3)).astype(f32))
    m = tensor("m", R.standard_normal((8 * 5 * 5, 10)).astype(f32))
    return make_model([node("Conv", ["x", "w"], ["c"], name="conv1"),
                       node("Relu", ["c"], ["r"], name="relu1"),
                       node("Flatten", ["r"], ["f"], name="flat"),
                       node("MatMul", ["f", "m"], ["y"], name="fc")],
                      [("x", F, [1, 3, 7, 7])], [("y", F, [1, 10])], [w, m])


# ------------------------------------------------------------- not a model

@suite.case
def random_bytes():
    lines = []
    for seed, size in [(1, 1), (2, 97), (3, 4096), (4, 100000)]:
        data = np.random.default_rng(seed).integers(0, 256, size, np.uint8).tobytes()
        lines.append(compile_error(data))
    return lines[-1]


@suite.case
def empty_file():
    return compile_error(b"")


@suite.case
def text_file():
    return compile_error(b"func.func @main() {\n  return\n}\n")


@suite.case
def truncated():
    data = valid_model().SerializeToString()
    line = ""
    for frac in (0.01, 0.1, 0.5, 0.9, 0.999):
        cut = max(1, int(len(data) * frac))
        # Cut where protobuf itself cannot parse the prefix.
        while cut < len(data) and _parses(data[:cut]):
            cut += 1
        line = compile_error(data[:cut])
    return line + f" ({len(data)} bytes, 5 cuts)"


def _parses(data):
    try:
        onnx.ModelProto().ParseFromString(data)
        return True
    except Exception:  # google.protobuf.message.DecodeError
        return False


@suite.case
def no_graph():
    m = onnx.ModelProto()
    m.ir_version = 8
    m.opset_import.add().version = 17
    return compile_error(m)


# ------------------------------------------------------------------ dims

@suite.case
def huge_input_dim():
    # Dims up to 2^40 are accepted; one more is refused.
    return compile_error(relu_of([2 ** 40 + 1]), ["'x'"])


@suite.case
def element_count_overflow():
    compile_error(relu_of([2 ** 21, 2 ** 21, 2 ** 21]))  # 2^63: wraps negative
    return compile_error(relu_of([2 ** 32, 2 ** 32, 4]), ["'x'"])


@suite.case
def negative_dims():
    compile_error(relu_of([2, -3]), ["'x'"])
    return compile_error(bad([node("Add", ["x", "c"], ["y"], name="add0")],
                             [("x", F, [2])], [("y", F, [2])],
                             [TensorProto(name="c", dims=[-2], data_type=F)]), ["'c'"])


# ------------------------------------------------------------------ names

@suite.case
def cycle_two_nodes():
    return compile_error(bad([node("Add", ["x", "b"], ["a"], name="n_add"),
                              node("Relu", ["a"], ["b"], name="n_relu")],
                             [("x", F, [3])], [("b", F, [3])]),
                         [(node_ref("n_add", "Add"), node_ref("n_relu", "Relu"))])


@suite.case
def cycle_self():
    return compile_error(bad([node("Relu", ["y"], ["y"], name="loop")],
                             [("x", F, [3])], [("y", F, [3])]),
                         [node_ref("loop", "Relu")])


@suite.case
def missing_producer():
    return compile_error(bad([node("Add", ["x", "w_missing"], ["y"], name="add0")],
                             [("x", F, [3])], [("y", F, [3])]),
                         [node_ref("add0", "Add"), "w_missing"])


@suite.case
def output_not_produced():
    return compile_error(bad([node("Relu", ["x"], ["r"], name="r")],
                             [("x", F, [3])], [("nowhere", F, [3])]), ["nowhere"])


@suite.case
def duplicate_node_outputs():
    return compile_error(bad([node("Relu", ["x"], ["y"], name="first"),
                              node("Neg", ["x"], ["y"], name="second")],
                             [("x", F, [3])], [("y", F, [3])]),
                         [("'y'", node_ref("second", "Neg"))])


@suite.case
def duplicate_graph_outputs():
    return compile_error(bad([node("Relu", ["x"], ["y"], name="r")],
                             [("x", F, [3])], [("y", F, [3]), ("y", F, [3])]), ["'y'"])


@suite.case
def duplicate_graph_inputs():
    return compile_error(bad([node("Add", ["x", "x"], ["y"], name="a")],
                             [("x", F, [3]), ("x", F, [3])], [("y", F, [3])]), ["'x'"])


@suite.case
def no_outputs():
    return compile_error(bad([node("Relu", ["x"], ["y"], name="r")], [("x", F, [3])], []))


# ------------------------------------------------------------ initializers

def with_init(t, shape):
    return bad([node("Add", ["x", t.name], ["y"], name="add0")],
               [("x", F, shape)], [("y", F, shape)], [t])


@suite.case
def raw_data_size_mismatch():
    t = TensorProto(name="c", dims=[4], data_type=F, raw_data=bytes(12))
    return compile_error(with_init(t, [4]), ["'c'"])


@suite.case
def typed_data_count_mismatch():
    t = TensorProto(name="c", dims=[4], data_type=F, float_data=[1.0, 2.0])
    compile_error(with_init(t, [4]), ["'c'"])
    t = TensorProto(name="c", dims=[2 ** 40], data_type=F)  # claims 4 TiB, holds nothing
    return compile_error(with_init(t, [1]), ["'c'"])


@suite.case
def unsupported_initializer_type():
    t = helper.make_tensor("c", TensorProto.STRING, [1], [b"abc"])
    compile_error(with_init(t, [1]), ["'c'"])
    t = TensorProto(name="c", dims=[1], data_type=TensorProto.UNDEFINED)
    return compile_error(with_init(t, [1]), ["'c'"])


@suite.case
def input_without_type():
    g = helper.make_graph([node("Relu", ["x"], ["y"], name="r")], "g",
                          [onnx.ValueInfoProto(name="x")],
                          [helper.make_tensor_value_info("y", F, [3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    return compile_error(m, ["'x'"])


# ---------------------------------------------------- ops, domains, opsets

@suite.case
def unsupported_domain():
    compile_error(bad([node("Relu", ["x"], ["y"], name="r", domain="com.example")],
                      [("x", F, [3])], [("y", F, [3])], extra_opsets={"com.example": 1}),
                  [node_ref("r", "Relu"), "com.example"])
    return compile_error(bad([node("Relu", ["x"], ["y"], name="r", domain="ai.nowhere")],
                             [("x", F, [3])], [("y", F, [3])]), ["ai.nowhere"])


@suite.case
def unsupported_opset():
    compile_error(relu_of_opset(7), ["7"])
    return compile_error(relu_of_opset(99), ["99"])


def relu_of_opset(v):
    return bad([node("Relu", ["x"], ["y"], name="r")], [("x", F, [3])], [("y", F, [3])],
               opset=v)


@suite.case
def long_chain_no_crash():
    # 20000 nodes: no recursion may overflow the stack; success is fine too.
    n = 20000
    nodes = [node("Neg", [f"v{i}"], [f"v{i + 1}"]) for i in range(n)]
    m = bad(nodes, [("v0", F, [3])], [(f"v{n}", F, [3])])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "chain.onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        proc = subprocess.run([tool("kiln-compile"), path, "--compile-to=input", "-o",
                               os.devnull], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            assert_clean_failure(proc, (), path, "kiln-compile")
        return f"rc {proc.returncode}"


# ---------------------------------------------------------------- kiln-run

@suite.case
def kiln_run_wrong_inputs():
    with Artifact(valid_model()) as art:
        x = np.zeros((1, 3, 7, 7), f32)
        art.run([x])
        lines = []
        for name, inputs in [("dtype", [x.astype(np.int32)]),
                             ("shape", [np.zeros((1, 3, 7, 8), f32)]),
                             ("count", [x, x])]:
            paths = []
            for i, a in enumerate(inputs):
                paths += ["--input", os.path.join(art.dir, f"bad_{name}{i}.npy")]
                np.save(paths[-1], a)
            proc = subprocess.run([tool("kiln-run"), art.so] + paths,
                                  capture_output=True, text=True)
            lines.append(assert_clean_failure(proc, ["kiln-run: error:"],
                                              what=f"kiln-run ({name})").strip())
        trunc = os.path.join(art.dir, "trunc.npy")
        np.save(trunc, x)
        with open(trunc, "r+b") as f:
            f.truncate(100)
        proc = subprocess.run([tool("kiln-run"), art.so, "--input", trunc],
                              capture_output=True, text=True)
        assert_clean_failure(proc, ["kiln-run: error:"], what="kiln-run (truncated .npy)")
        return lines[0].splitlines()[0]


suite.main()
