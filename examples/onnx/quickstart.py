#!/usr/bin/env python3
"""Kiln's quickstart: export the example models to ONNX, compile them with
the kiln Python package, check each against PyTorch and time both on CPU.

Usage: quickstart.py [BUILD_DIR]   (run by `make demo`)

The models (one module each, shared with test/Integration/ONNX):
gpt_block.py (causal attention through masked_fill, fused into one
kiln.attention), convbn_net.py (MobileNetV2-style, BatchNormalization kept
in the export for kiln-fold-conv-bn), int8_mlp.py (QDQ int8 MLP).

Pass: max|kiln - torch| <= 1e-4 * max|torch| for the fp32 models, the int8
MLP's own tolerance (int8_mlp.tolerance). Timing: median of 20 calls after
3 warm-ups in this process, Kiln at PyTorch's thread count (torch's default
here; more torch threads only compete with its BLAS threads), and Kiln on
all cores. A rough ratio, not a benchmark: `make bench` is.
"""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build")
sys.path.insert(0, os.path.join(BUILD, "python"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import convbn_net  # noqa: E402
import gpt_block  # noqa: E402
import int8_mlp  # noqa: E402
import kiln  # noqa: E402

MODELS = (gpt_block, convbn_net, int8_mlp)


def median_ms(fn, reps=20):
    for _ in range(3):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def blas():
    """The BLAS PyTorch's matmuls reach: Debian's torch uses the system
    libblas.so.3 (OpenBLAS when libopenblas-dev is installed)."""
    link = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    return os.path.realpath(link) if os.path.exists(link) else "unknown"


def main():
    threads = torch.get_num_threads()
    print(f"PyTorch {torch.__version__} on {threads} thread(s), BLAS "
          f"{blas()}; Kiln on {threads} and on all {os.cpu_count()} cores")
    print(f"{'model':<11} {'max err':>9} {'tolerance':>9} {'compile s':>9} "
          f"{'torch ms':>9} {'kiln ms':>8} {'ratio':>6} {'kiln all':>8}")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for m in MODELS:
            path = os.path.join(tmp, m.NAME + ".onnx")
            m.export(path)
            inputs = m.make_inputs()
            ref = m.torch_reference(inputs)[0]
            t0 = time.perf_counter()
            compiled = kiln.compile(path)
            compile_s = time.perf_counter() - t0
            err = float(np.abs(compiled(*inputs) - ref).max())
            tol = (m.tolerance(inputs, ref)[0] if hasattr(m, "tolerance")
                   else 1e-4 * float(np.abs(ref).max()))
            ok = err <= tol
            failures += not ok
            run_torch = m.torch_callable(inputs)
            with torch.no_grad():
                torch_ms = median_ms(run_torch)
            kiln.set_num_threads(threads)
            kiln_ms = median_ms(lambda: compiled(*inputs))
            kiln.set_num_threads(0)
            kiln_all = median_ms(lambda: compiled(*inputs))
            print(f"{m.NAME:<11} {err:>9.2e} {tol:>9.2e} {compile_s:>9.1f} "
                  f"{torch_ms:>9.2f} {kiln_ms:>8.2f} "
                  f"{torch_ms / kiln_ms:>5.2f}x {kiln_all:>8.2f}  "
                  f"{'ok' if ok else 'FAILED'}")
    print("ratio = PyTorch time / Kiln time at the same thread count")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
