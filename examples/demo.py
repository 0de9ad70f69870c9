#!/usr/bin/env python3
"""Kiln's main job on the shipped examples: compile each with kiln-compile to
a shared library, run it with kiln-run on seeded inputs (.npy), check every
output against numpy with kiln-run --check, and time it with --bench.

Usage: demo.py BUILD_DIR   (run by `make demo`)
"""
import os
import subprocess
import sys
import time

import numpy as np

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
BIN = os.path.join(BUILD, "bin")
OUT = os.path.join(BUILD, "demo")
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def attention():
    q, k, v = randn(1, 8, 200, 64), randn(1, 2, 200, 64), randn(1, 2, 200, 64)
    kk, vv = np.repeat(k, 4, axis=1), np.repeat(v, 4, axis=1)  # GQA: h -> h // 4
    s = np.einsum("bhqd,bhkd->bhqk", q.astype(np.float64), kk) / np.sqrt(64)
    s = np.where(np.tril(np.ones((200, 200), bool)), s, -np.inf)
    m = s.max(-1, keepdims=True)
    p = np.exp(s - m)
    lse = (m + np.log(p.sum(-1, keepdims=True)))[..., 0]
    o = np.einsum("bhqk,bhkd->bhqd", p / p.sum(-1, keepdims=True), vv)
    return [q, k, v], [o, lse], 1e-4


def conv_block():
    def conv(x, w, groups=1, pad=0):
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        oh, ow = h - kh + 1, wd - kw + 1
        y = np.zeros((n, o, oh, ow))
        og = o // groups
        for g in range(groups):
            xs = x[:, g * cg:(g + 1) * cg]
            for i in range(kh):
                for j in range(kw):
                    y[:, g * og:(g + 1) * og] += np.einsum(
                        "nchw,oc->nohw", xs[:, :, i:i + oh, j:j + ow],
                        w[g * og:(g + 1) * og, :, i, j])
        return y
    x = randn(1, 16, 28, 28)
    we, be = randn(96, 16, 1, 1, scale=0.3), randn(96, scale=0.1)
    wd, bd = randn(96, 1, 3, 3, scale=0.3), randn(96, scale=0.1)
    wp, bp = randn(16, 96, 1, 1, scale=0.1), randn(16, scale=0.1)
    r6 = lambda t: np.clip(t, 0, 6)
    e = r6(conv(x, we) + be[None, :, None, None])
    d = r6(conv(e, wd, groups=96, pad=1) + bd[None, :, None, None])
    y = conv(d, wp) + bp[None, :, None, None] + x
    return [x, we, be, wd, bd, wp, bp], [y], 1e-4


def quantized_matmul():
    x, w = randn(16, 256), randn(512, 256, scale=0.05)
    s = (np.abs(w).max(1) / 127).astype(np.float32)
    q = np.clip(np.rint(w / s[:, None]), -128, 127)  # rint: half to even
    return [x, w, s], [x.astype(np.float64) @ w.T.astype(np.float64),
                       x.astype(np.float64) @ (q * s[:, None]).T], 1e-4


def matmul():
    a, b = randn(512, 512), randn(512, 512)
    return [a, b], [a.astype(np.float64) @ b], 1e-4


EXAMPLES = [("matmul", matmul), ("attention", attention),
            ("conv-block", conv_block), ("quantized-matmul", quantized_matmul)]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make in EXAMPLES:
        src = os.path.join(HERE, name + ".mlir")
        title = open(src).readline().replace("// Demo: ", "").strip()
        print(f"=== {name}: {title}")
        so = os.path.join(OUT, name + ".so")
        t0 = time.time()
        run([os.path.join(BIN, "kiln-compile"), src, "-o", so])
        print(f"kiln-compile: {so} in {time.time() - t0:.1f} s")
        inputs, refs, rtol = make()
        cmd = [os.path.join(BIN, "kiln-run"), so]
        for i, a in enumerate(inputs):
            path = os.path.join(OUT, f"{name}.in{i}.npy")
            np.save(path, a)
            cmd += ["--input", path]
        for i, ref in enumerate(refs):
            path = os.path.join(OUT, f"{name}.ref{i}.npy")
            np.save(path, ref.astype(np.float32))
            cmd += ["--check", path]
        cmd += ["--rtol", str(rtol), "--atol", str(rtol), "--bench", "5"]
        print(run(cmd).strip())
        if name == "quantized-matmul":
            err = np.abs(refs[0] - refs[1]).max()
            print(f"int8 quantization error of the layer: max |f32 - int8| = {err:.4f}")
    print("all examples compiled, ran and matched numpy")
    # The models end to end: ONNX exported from PyTorch, checked against it.
    print("=== ONNX models (examples/onnx/quickstart.py)")
    quickstart = os.path.join(HERE, "onnx", "quickstart.py")
    sys.exit(subprocess.call([sys.executable, quickstart, BUILD]))


if __name__ == "__main__":
    main()
