#!/usr/bin/env python3
"""Kiln's quickstart: compile the example models (models.py) with the kiln
Python package, check each against PyTorch and time both on CPU.

Usage: quickstart.py [BUILD_DIR]   (run by `make demo`)

Pass: max|kiln - torch| <= 1e-4 * max|torch| (fp32 models); the int8 MLP
allows one quantization step of its activations (an f32 rounding difference
can move a value across a rounding boundary). Timings: median of 20 calls
after 3 warm-ups, both on all cores, in this process; they are a rough
ratio, not a benchmark (make bench is).
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build")
sys.path.insert(0, os.path.join(BUILD, "python"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

import kiln  # noqa: E402
import models  # noqa: E402


def median_ms(fn, reps=20):
    for _ in range(3):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def main():
    torch.set_num_threads(os.cpu_count())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"kiln on {os.cpu_count()} cores")
    print(f"{'model':<12} {'max err':>9} {'tolerance':>9} {'kiln ms':>8} "
          f"{'torch ms':>8} {'torch/kiln':>10}")
    failures = 0
    for name, build in models.MODELS.items():
        data, inputs, refs, torch_run = build()
        t0 = time.perf_counter()
        compiled = kiln.compile(data)
        compile_s = time.perf_counter() - t0
        out = compiled(*inputs)
        ref = refs[0]
        err = float(np.abs(out - ref).max())
        tol = 1e-4 * float(np.abs(ref).max())
        if name == "int8_mlp":
            tol = 0.05 * float(np.abs(ref).max())  # one activation step
        ok = err <= tol
        failures += not ok
        kiln_ms = median_ms(lambda: compiled(*inputs))
        torch_ms = median_ms(lambda: torch_run(*inputs))
        print(f"{name:<12} {err:>9.2e} {tol:>9.2e} {kiln_ms:>8.2f} "
              f"{torch_ms:>8.2f} {torch_ms / kiln_ms:>9.2f}x"
              f"  {'ok' if ok else 'FAILED'} (compiled in {compile_s:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
