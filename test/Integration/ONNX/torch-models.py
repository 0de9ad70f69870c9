# REQUIRES: torch
# RUN: %python %s
# Acceptance: whole PyTorch models exported with torch.onnx.export (opset 17,
# constant folding), compiled with kiln-compile, run with kiln-run, and
# checked against PyTorch: max|kiln - torch| <= 1e-4 * max|torch|. Models:
# torchvision resnet18 and mobilenet_v2 (seeded random weights, random
# BatchNorm statistics, eval mode, 1x3x224x224), the GPT block of
# examples/onnx/gpt_block.py and nn.MultiheadAttention with a causal attn_mask
# (float and bool), both of which must also show a fused kiln.attention in
# `--compile-to=graph`; and dynamic batch: the GPT block and the ConvBN net of
# examples/onnx exported with a symbolic batch dim, compiled once, run with
# batch 1 and 3 (the line says whether attention was fused there too). Each
# line gives the error and the compile / run seconds.
import io
import os
import sys
import time
import warnings

import numpy as np
import torch
import torchvision

from onnx_testing import Artifact, Suite, assert_close, compile_to

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir, os.pardir, "examples", "onnx"))
import convbn_net  # noqa: E402
import gpt_block  # noqa: E402

warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
warnings.filterwarnings("ignore", category=UserWarning)
suite = Suite("onnx-torch-models")


def export(module, inputs, dynamic_batch=False):
    """ONNX bytes of `module` (opset 17, constant folding)."""
    names = [f"x{i}" for i in range(len(inputs))]
    dynamic = {n: {0: "batch"} for n in names + ["y"]} if dynamic_batch else None
    buf = io.BytesIO()
    torch.onnx.export(module, tuple(torch.from_numpy(a) for a in inputs), buf,
                      opset_version=17, do_constant_folding=True, input_names=names,
                      output_names=["y"], dynamic_axes=dynamic)
    return buf.getvalue()


def reference(module, inputs):
    with torch.no_grad():
        return module(*[torch.from_numpy(a) for a in inputs]).numpy()


def check(name, got, ref):
    """max|got - ref| <= 1e-4 * max|ref|."""
    return assert_close(name, got, ref, rtol=0, atol=1e-4 * float(np.abs(ref).max()))


def run_and_check(name, module, inputs, want_attention=False):
    t0 = time.perf_counter()
    data = export(module, inputs)
    with Artifact(data) as art:
        t1 = time.perf_counter()
        got, = art.run(inputs)
        t2 = time.perf_counter()
    ref = reference(module, inputs)
    err = check(name, got, ref)
    detail = (f"max err {err:.2e} (max|ref| {np.abs(ref).max():.3g}); "
              f"export+compile {t1 - t0:.1f} s, run {t2 - t1:.2f} s")
    if want_attention:
        graph = compile_to(data, "graph")
        n = graph.count("kiln.attention")
        if n == 0:
            raise AssertionError(f"{name}: numerics ok ({detail}) but no kiln.attention "
                                 "in --compile-to=graph")
        detail += f"; {n} kiln.attention"
    return detail


def randomize_batch_norms(module):
    convbn_net.randomize_batch_norms(module)
    return module


def torchvision_model(name):
    torch.manual_seed(0)
    return randomize_batch_norms(getattr(torchvision.models, name)(weights=None)).eval()


def image(batch=1, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, 3, 224, 224)).astype(np.float32)


@suite.case
def resnet18():
    return run_and_check("resnet18", torchvision_model("resnet18"), [image()])


@suite.case
def mobilenet_v2():
    return run_and_check("mobilenet_v2", torchvision_model("mobilenet_v2"), [image()])


@suite.case
def gpt_block_causal_attention():
    return run_and_check("gpt_block", gpt_block.model(), gpt_block.make_inputs(2),
                         want_attention=True)


class CausalMHA(torch.nn.Module):
    """nn.MultiheadAttention self-attention under a causal attn_mask."""

    def __init__(self, d=64, heads=4, seq=32, bool_mask=False):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(d, heads, batch_first=True)
        if bool_mask:  # True = masked out
            mask = torch.triu(torch.ones(seq, seq, dtype=torch.bool), 1)
        else:
            mask = torch.triu(torch.full((seq, seq), float("-inf")), 1)
        self.register_buffer("mask", mask)

    def forward(self, x):
        return self.mha(x, x, x, attn_mask=self.mask, need_weights=False)[0]


def mha_case(bool_mask):
    torch.manual_seed(0)
    m = CausalMHA(bool_mask=bool_mask).eval()
    x = np.random.default_rng(1).standard_normal((2, 32, 64)).astype(np.float32)
    return run_and_check("mha_bool_mask" if bool_mask else "mha_float_mask", m, [x],
                         want_attention=True)


@suite.case
def multihead_attention_causal_float_mask():
    return mha_case(False)


@suite.case
def multihead_attention_causal_bool_mask():
    return mha_case(True)


def dynamic_batch(name, module, make_inputs, attention=False):
    data = export(module, make_inputs(2), dynamic_batch=True)
    errs = []
    with Artifact(data) as art:
        for batch in (1, 3):
            inputs = make_inputs(batch, seed=batch)
            got, = art.run(inputs)
            errs.append(check(f"{name}_batch{batch}", got, reference(module, inputs)))
    detail = f"batch 1 and 3 from one artifact, max err {max(errs):.2e}"
    if attention:  # reported, not required: fusion with a dynamic batch too
        detail += f"; {compile_to(data, 'graph').count('kiln.attention')} kiln.attention"
    return detail


@suite.case
def gpt_block_dynamic_batch():
    return dynamic_batch("gpt_block", gpt_block.model(), gpt_block.make_inputs, True)


@suite.case
def convbn_net_dynamic_batch():
    return dynamic_batch("convbn_net", convbn_net.model(), convbn_net.make_inputs)


suite.main()
