# RUN: %python %s
# Seeded structural mutations of real exported models (the GPT block with a
# dynamic batch, the ConvBN network): op types swapped, attributes and dims
# set to edge values (0, -1, 2^40, NaN), inputs rewired, nodes and inputs
# deleted. kiln-compile --compile-to=graph must exit 0, or 1 with an
# 'error:' diagnostic; a signal or any other code fails the test. (This
# found a crash on a node with too few inputs and one on a dynamic shape
# returned as a graph output.)
import copy
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

from onnx_testing import crashed, tool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples", "onnx"))
import convbn_net  # noqa: E402
import gpt_block  # noqa: E402

OPS = ["Add", "Relu", "Conv", "MatMul", "Gemm", "Reshape", "Transpose",
       "Concat", "Slice", "Gather", "Split", "Softmax", "LayerNormalization",
       "ReduceMean", "MaxPool", "AveragePool", "Where", "Expand", "Squeeze",
       "Unsqueeze", "QuantizeLinear", "DequantizeLinear", "ConvTranspose",
       "BatchNormalization", "Flatten", "Cast", "Clip", "Pow", "QLinearConv",
       "MatMulInteger", "GlobalAveragePool", "Shape", "ConstantOfShape"]
rng = np.random.default_rng(2026)


def pick(seq):
    return seq[int(rng.integers(len(seq)))]


def mutate(model):
    g = model.graph
    for _ in range(int(rng.integers(1, 4))):
        kind = int(rng.integers(0, 7))
        if not len(g.node):
            return
        n = pick(g.node)
        if kind == 0:
            n.op_type = pick(OPS)
        elif kind == 1 and len(n.attribute):
            a = pick(n.attribute)
            if a.type == onnx.AttributeProto.INT:
                a.i = int(pick([-5, -1, 0, 1, 2, 7, 1 << 40, -(1 << 62)]))
            elif a.type == onnx.AttributeProto.INTS and len(a.ints):
                a.ints[int(rng.integers(len(a.ints)))] = int(
                    pick([-3, -1, 0, 1, 5, 1 << 41]))
            elif a.type == onnx.AttributeProto.FLOAT:
                a.f = float(pick([0.0, -1.0, 1e38, float("nan")]))
        elif kind == 2 and len(n.input):
            names = ([o for x in g.node for o in x.output] +
                     [i.name for i in g.input] + [t.name for t in g.initializer])
            n.input[int(rng.integers(len(n.input)))] = pick(names)
        elif kind == 3 and len(g.initializer):
            t = pick(g.initializer)
            if len(t.dims):
                t.dims[int(rng.integers(len(t.dims)))] = int(
                    pick([0, 1, 3, 1 << 20, -1]))
        elif kind == 4 and len(g.input):
            dims = pick(g.input).type.tensor_type.shape.dim
            if len(dims):
                dims[int(rng.integers(len(dims)))].dim_value = int(
                    pick([1, 2, 3, 5, 1 << 30]))
        elif kind == 5:
            g.node.remove(n)
        elif kind == 6 and len(n.input):
            del n.input[int(rng.integers(len(n.input)))]


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        seeds = []
        for module, kw in ((gpt_block, {"dynamic_batch": True}),
                           (convbn_net, {})):
            path = os.path.join(tmp, module.NAME + ".onnx")
            module.export(path, **kw)
            seeds.append(onnx.load(path))
        path = os.path.join(tmp, "mutant.onnx")
        counts = {0: 0, 1: 0}
        for i in range(160):
            model = copy.deepcopy(seeds[i % len(seeds)])
            mutate(model)
            with open(path, "wb") as f:
                f.write(model.SerializeToString())
            run = subprocess.run([tool("kiln-compile"), path,
                                  "--compile-to=graph", "-o", os.devnull],
                                 capture_output=True, timeout=300)
            err = run.stderr.decode(errors="replace")
            ok = run.returncode == 0 or (run.returncode == 1 and
                                         "error:" in err)
            if not ok or crashed(run.returncode):
                failures += 1
                print(f"mutant {i}: rc {run.returncode}: {err[-500:]}")
            else:
                counts[run.returncode] += 1
    print(f"mutations: {counts[0]} compiled, {counts[1]} rejected with a "
          f"diagnostic, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
