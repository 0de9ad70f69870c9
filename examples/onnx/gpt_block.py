"""A GPT-style transformer block, written the way GPT implementations spell
it: pre-LayerNorm, causal self-attention with the heads split by view /
transpose, scores q @ k^T * scale, a causal tril buffer applied with
masked_fill(-inf), softmax, @ v, an output projection, and a GELU MLP.

Kiln recognizes the attention (matmul, scale, constant causal mask, softmax,
matmul) in the exported ONNX graph and fuses it into one causal
kiln.attention (see `kiln-compile model.onnx --compile-to=graph`).

    export(path)              writes the ONNX model (opset 17)
    make_inputs(batch, seed)  seeded inputs, as a list of numpy arrays
    torch_reference(inputs)   PyTorch's outputs for them
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NAME = "gpt_block"
D_MODEL, N_HEAD, SEQ, MLP_RATIO = 128, 4, 128, 4


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model=D_MODEL, n_head=N_HEAD, max_seq=SEQ):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.register_buffer("causal", torch.tril(torch.ones(max_seq, max_seq))
                             .view(1, 1, max_seq, max_seq))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        hd = c // self.n_head
        q = q.view(b, t, self.n_head, hd).transpose(1, 2)
        k = k.view(b, t, self.n_head, hd).transpose(1, 2)
        v = v.view(b, t, self.n_head, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        att = att.masked_fill(self.causal[:, :, :t, :t] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.proj(y)


class GPTBlock(nn.Module):
    def __init__(self, d_model=D_MODEL, n_head=N_HEAD, max_seq=SEQ):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_head, max_seq)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, MLP_RATIO * d_model), nn.GELU(),
                                 nn.Linear(MLP_RATIO * d_model, d_model))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


_MODEL = None


def model():
    """The block with seeded random weights (LayerNorm affine too), in eval mode."""
    global _MODEL
    if _MODEL is None:
        torch.manual_seed(0)
        m = GPTBlock()
        with torch.no_grad():
            for ln in (m.ln1, m.ln2):
                ln.weight.normal_(1.0, 0.2)
                ln.bias.normal_(0.0, 0.2)
        _MODEL = m.eval()
    return _MODEL


def make_inputs(batch=1, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, SEQ, D_MODEL)).astype(np.float32)]


def export(path, batch=1, dynamic_batch=False):
    x = torch.from_numpy(make_inputs(batch)[0])
    dynamic = {"x": {0: "batch"}, "y": {0: "batch"}} if dynamic_batch else None
    torch.onnx.export(model(), (x,), path, opset_version=17, do_constant_folding=True,
                      input_names=["x"], output_names=["y"], dynamic_axes=dynamic)


def torch_callable(inputs):
    """A no-argument function running the PyTorch model on `inputs`."""
    ts = [torch.from_numpy(a) for a in inputs]
    m = model()
    return lambda: m(*ts)


def torch_reference(inputs):
    with torch.no_grad():
        return [torch_callable(inputs)().numpy()]
