"""The quickstart's example models, each with its PyTorch reference.

- gpt_block: a GPT-style transformer block (pre-LayerNorm, causal
  self-attention through a tril buffer and masked_fill, GELU MLP);
- convbn_net: a MobileNetV2-style ConvBN network (conv-BN-ReLU6 stem, two
  inverted residual blocks with depthwise convs, pooling, a classifier),
  exported with its BatchNormalization nodes so kiln-fold-conv-bn folds
  them;
- int8_mlp: an int8-quantized MLP in QDQ form (uint8 activations per tensor,
  int8 weights per output channel), built with onnx.helper; its reference
  is the same arithmetic in torch ops.

Each builder returns (onnx bytes, inputs, reference outputs, a torch
callable computing the reference from the inputs, for timing).
"""
import io
import math

import numpy as np
import onnx
import onnx.helper as oh
import onnx.numpy_helper
import torch


class GPTBlock(torch.nn.Module):
    def __init__(self, d=256, heads=8, seq=64):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        self.fc, self.out = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)
        self.register_buffer("tril", torch.tril(torch.ones(seq, seq))
                             .view(1, 1, seq, seq))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        split = lambda z: z.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.tril[:, :, :t, :t] == 0, float("-inf"))
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.out(torch.nn.functional.gelu(self.fc(self.ln2(x))))


def _bn(c):
    bn = torch.nn.BatchNorm2d(c)
    with torch.no_grad():  # non-trivial statistics, as after training
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.2, 0.2)
    return bn


class InvertedResidual(torch.nn.Module):
    def __init__(self, c, expand=4):
        super().__init__()
        h = c * expand
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(c, h, 1, bias=False), _bn(h), torch.nn.ReLU6(),
            torch.nn.Conv2d(h, h, 3, padding=1, groups=h, bias=False), _bn(h),
            torch.nn.ReLU6(),
            torch.nn.Conv2d(h, c, 1, bias=False), _bn(c))

    def forward(self, x):
        return x + self.body(x)


class ConvBNNet(torch.nn.Module):
    def __init__(self, classes=100):
        super().__init__()
        self.stem = torch.nn.Sequential(
            torch.nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False),
            _bn(32), torch.nn.ReLU6())
        self.blocks = torch.nn.Sequential(InvertedResidual(32),
                                          InvertedResidual(32))
        self.head = torch.nn.Linear(32, classes)

    def forward(self, x):
        y = self.blocks(self.stem(x))
        return self.head(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(y, 1), 1))


def _export(module, x, **kwargs):
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, (x,), buf, opset_version=17, **kwargs)
        ref = module(x)

    def run(a):
        with torch.no_grad():
            return module(torch.from_numpy(a))
    return buf.getvalue(), [x.numpy()], [ref.numpy()], run


def gpt_block():
    torch.manual_seed(0)
    m = GPTBlock().eval()
    return _export(m, torch.randn(2, 64, 256))


def convbn_net():
    torch.manual_seed(1)
    m = ConvBNNet().eval()
    # PRESERVE keeps BatchNormalization nodes for Kiln to fold.
    return _export(m, torch.randn(1, 3, 112, 112),
                   training=torch.onnx.TrainingMode.PRESERVE,
                   do_constant_folding=False)


def int8_mlp(batch=32, dims=(256, 512, 128)):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((batch, dims[0])).astype(np.float32)
    nodes, inits = [], []
    act_scale, act_zp = np.float32(0.05), np.uint8(128)
    inits += [onnx.numpy_helper.from_array(np.array(act_scale), "xs"),
              onnx.numpy_helper.from_array(np.array(act_zp), "xz")]
    layers, cur = [], "x"
    for i, (k, n) in enumerate(zip(dims[:-1], dims[1:])):
        w = rng.standard_normal((k, n)).astype(np.float32) / np.sqrt(k)
        ws = (np.abs(w).max(axis=0) / 127).astype(np.float32)
        wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
        b = (rng.standard_normal(n) * 0.1).astype(np.float32)
        layers.append((wq, ws, b))
        inits += [onnx.numpy_helper.from_array(wq, f"w{i}"),
                  onnx.numpy_helper.from_array(ws, f"ws{i}"),
                  onnx.numpy_helper.from_array(b, f"b{i}")]
        nodes += [
            oh.make_node("QuantizeLinear", [cur, "xs", "xz"], [f"q{i}"]),
            oh.make_node("DequantizeLinear", [f"q{i}", "xs", "xz"], [f"d{i}"]),
            oh.make_node("DequantizeLinear", [f"w{i}", f"ws{i}"], [f"wd{i}"],
                         axis=1),
            oh.make_node("MatMul", [f"d{i}", f"wd{i}"], [f"m{i}"]),
            oh.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"])]
        cur = f"a{i}"
        if i + 2 < len(dims):
            nodes.append(oh.make_node("Relu", [cur], [f"r{i}"]))
            cur = f"r{i}"
    nodes.append(oh.make_node("Identity", [cur], ["y"]))
    graph = oh.make_graph(
        nodes, "int8_mlp",
        [oh.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [batch, dims[0]])],
        [oh.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [batch, dims[-1]])],
        inits)
    model = oh.make_model(graph, opset_imports=[oh.make_opsetid("", 17)])
    # PyTorch reference: uint8 fake quantization (round half to even, as
    # ONNX's QuantizeLinear) and per-channel int8 weights.
    weights = [(torch.from_numpy(wq).float() * torch.from_numpy(ws),
                torch.from_numpy(b)) for wq, ws, b in layers]

    def run(a):
        t = torch.from_numpy(a)
        for i, (w, b) in enumerate(weights):
            q = torch.clamp(torch.round(t / float(act_scale)) + 128, 0, 255)
            t = (q - 128) * float(act_scale) @ w + b
            if i + 1 < len(weights):
                t = torch.relu(t)
        return t
    return model.SerializeToString(), [x], [run(x).numpy()], run


MODELS = {"gpt_block": gpt_block, "convbn_net": convbn_net,
          "int8_mlp": int8_mlp}
