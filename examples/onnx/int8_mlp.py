"""An int8-quantized MLP in ONNX's QDQ form, built with onnx.helper:

    x  -> QuantizeLinear(int8, per tensor) -> DequantizeLinear
       -> MatMul(DequantizeLinear(W1: int8, per-output-channel scales)) -> Add b1 -> Relu
       -> QuantizeLinear(uint8, per tensor) -> DequantizeLinear
       -> MatMul(DequantizeLinear(W2: int8, per-output-channel scales)) -> Add b2 -> y

Weights are quantized symmetrically per output channel; the activation
scales are calibrated on a seeded batch (max |x| / 127 for the input,
max relu(h) / 255 for the hidden layer). The PyTorch reference computes the
same with explicit torch ops: round (half to even, as ONNX), clamp, scale.

    export(path)              writes the ONNX model (opset 13)
    make_inputs(batch, seed)  seeded inputs, as a list of numpy arrays
    torch_reference(inputs)   PyTorch's outputs for them
    tolerance(inputs, ref)    the allowed max |error| and why
"""
import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

NAME = "int8_mlp"
IN, HIDDEN, OUT, BATCH = 256, 512, 16, 32


_PARAMS = None


def _params():
    global _PARAMS
    if _PARAMS is None:
        _PARAMS = _make_params()
    return _PARAMS


def _make_params():
    rng = np.random.default_rng(0)
    w1 = (rng.standard_normal((IN, HIDDEN)) / np.sqrt(IN)).astype(np.float32)
    w2 = (rng.standard_normal((HIDDEN, OUT)) / np.sqrt(HIDDEN)).astype(np.float32)
    b1 = (rng.standard_normal(HIDDEN) * 0.1).astype(np.float32)
    b2 = (rng.standard_normal(OUT) * 0.1).astype(np.float32)
    p = {"b1": b1, "b2": b2}
    for name, w in (("w1", w1), ("w2", w2)):
        s = (np.abs(w).max(0) / 127).astype(np.float32)  # per output column
        p[name + "_q"] = np.clip(np.rint(w / s), -127, 127).astype(np.int8)
        p[name + "_s"] = s
    # Calibration on a seeded batch (not the evaluation inputs).
    cal = make_inputs(BATCH, seed=1234)[0]
    p["sx"] = np.float32(np.abs(cal).max() / 127)
    h = np.maximum(cal @ _dq_weight(p, "w1", np) + b1, 0)
    p["sh"] = np.float32(h.max() / 255)
    return p


def _dq_weight(p, name, lib):
    q = p[name + "_q"]
    if lib is torch:
        return torch.from_numpy(q).float() * torch.from_numpy(p[name + "_s"])
    return q.astype(np.float32) * p[name + "_s"]


def make_inputs(batch=BATCH, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, IN)).astype(np.float32)]


def build(batch=BATCH):
    p = _params()
    t = numpy_helper.from_array
    inits = [t(p["w1_q"], "w1_q"), t(p["w1_s"], "w1_s"), t(np.zeros(HIDDEN, np.int8), "w1_z"),
             t(p["w2_q"], "w2_q"), t(p["w2_s"], "w2_s"), t(np.zeros(OUT, np.int8), "w2_z"),
             t(p["b1"], "b1"), t(p["b2"], "b2"),
             t(np.array(p["sx"], np.float32), "sx"), t(np.array(0, np.int8), "zx"),
             t(np.array(p["sh"], np.float32), "sh"), t(np.array(0, np.uint8), "zh")]
    n = helper.make_node
    nodes = [n("QuantizeLinear", ["x", "sx", "zx"], ["xq"], name="quant_x"),
             n("DequantizeLinear", ["xq", "sx", "zx"], ["xd"], name="dequant_x"),
             n("DequantizeLinear", ["w1_q", "w1_s", "w1_z"], ["w1"], name="dequant_w1", axis=1),
             n("MatMul", ["xd", "w1"], ["h0"], name="fc1"),
             n("Add", ["h0", "b1"], ["h1"], name="fc1_bias"),
             n("Relu", ["h1"], ["h2"], name="relu"),
             n("QuantizeLinear", ["h2", "sh", "zh"], ["hq"], name="quant_h"),
             n("DequantizeLinear", ["hq", "sh", "zh"], ["hd"], name="dequant_h"),
             n("DequantizeLinear", ["w2_q", "w2_s", "w2_z"], ["w2"], name="dequant_w2", axis=1),
             n("MatMul", ["hd", "w2"], ["y0"], name="fc2"),
             n("Add", ["y0", "b2"], ["y"], name="fc2_bias")]
    graph = helper.make_graph(
        nodes, NAME, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, IN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, OUT])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="kiln-examples")
    onnx.checker.check_model(model)
    return model


def export(path, batch=BATCH):
    onnx.save(build(batch), path)


def torch_callable(inputs):
    p = _params()
    x = torch.from_numpy(inputs[0])
    w1, w2 = _dq_weight(p, "w1", torch), _dq_weight(p, "w2", torch)
    b1, b2 = torch.from_numpy(p["b1"]), torch.from_numpy(p["b2"])
    sx, sh = float(p["sx"]), float(p["sh"])

    def run():
        xd = torch.clamp(torch.round(x / sx), -128, 127) * sx  # round: half to even
        h = torch.relu(xd @ w1 + b1)
        hd = torch.clamp(torch.round(h / sh), 0, 255) * sh
        return hd @ w2 + b2
    return run


def torch_reference(inputs):
    with torch.no_grad():
        return [torch_callable(inputs)().numpy()]


def tolerance(inputs, ref):
    """fp32 rounding (1e-4 * max|ref|, as for the fp32 models) plus two steps
    of the hidden quantizer: a hidden value within fp32 rounding error of a
    rounding tie may land on the other code in Kiln than in PyTorch (their
    f32 sums run in different orders), which moves each output by
    sh * |W2[j, n]|; allowing two such flips per output covers it while a
    wrong scale, zero point or rounding mode is still far outside."""
    p = _params()
    w2 = np.abs(_dq_weight(p, "w2", np)).max()
    return 1e-4 * float(np.abs(ref).max()) + 2 * float(p["sh"]) * float(w2), \
        "1e-4*max|ref| + 2 hidden-quantizer steps (sh*max|W2|)"
