#!/usr/bin/env python3
"""The ONNX quickstart through the command-line tools: for each example model
(gpt_block.py, convbn_net.py, int8_mlp.py) export it to ONNX, compile it with
`kiln-compile model.onnx -o model.so`, run it with `kiln-run` on seeded
inputs, check it against PyTorch, and time both on CPU.

Usage: quickstart_cli.py --tools BUILD/bin [--runs 20] [--threads N] [--keep DIR]

Pass: max|kiln - torch| <= 1e-4 * max|torch| for the fp32 models; the int8
MLP allows two steps of its hidden quantizer on top (int8_mlp.tolerance says
why). Kiln's time is `kiln-run --bench RUNS` (median, after one warm-up run);
PyTorch's is the median of RUNS calls under torch.no_grad() after 5 warm-up
calls. Both use the same number of threads: torch.get_num_threads() unless
--threads is given. Exits 1 if any model fails to compile, run or match.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convbn_net  # noqa: E402
import gpt_block  # noqa: E402
import int8_mlp  # noqa: E402

MODELS = [gpt_block, convbn_net, int8_mlp]
BENCH = re.compile(r"bench \S+: \d+ runs, median ([0-9.]+) ms")


def blas_libraries():
    """The BLAS / oneDNN / MKL libraries mapped into this process (after torch
    ran a matmul and a conv), resolved through Debian's alternatives."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    torch.nn.functional.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3))
    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if re.search(r"blas|mkl|dnnl|lapack", os.path.basename(path)):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def torch_ms(fn, runs):
    with torch.no_grad():
        for _ in range(5):
            fn()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{os.path.basename(cmd[0])} exited {proc.returncode}: "
                           f"{proc.stderr.strip()}")
    return proc.stdout


def check_model(mod, tools, workdir, runs, threads):
    onnx_path = os.path.join(workdir, mod.NAME + ".onnx")
    so_path = os.path.join(workdir, mod.NAME + ".so")
    mod.export(onnx_path)
    t0 = time.perf_counter()
    run([os.path.join(tools, "kiln-compile"), onnx_path, "-o", so_path])
    compile_s = time.perf_counter() - t0
    inputs = mod.make_inputs()
    args = []
    for i, a in enumerate(inputs):
        args += ["--input", os.path.join(workdir, f"{mod.NAME}_in{i}.npy")]
        np.save(args[-1], a)
    out = os.path.join(workdir, f"{mod.NAME}_out.npy")
    kiln_run = [os.path.join(tools, "kiln-run"), so_path, "--threads", str(threads)] + args
    run(kiln_run + ["--output", out])
    got, ref = np.load(out), mod.torch_reference(inputs)[0]
    if got.shape != ref.shape:
        raise RuntimeError(f"output shape {got.shape}, PyTorch's is {ref.shape}")
    err = float(np.abs(got.astype(np.float64) - ref).max())
    if hasattr(mod, "tolerance"):
        tol, why = mod.tolerance(inputs, ref)
    else:
        tol, why = 1e-4 * float(np.abs(ref).max()), "1e-4*max|ref|"
    m = BENCH.search(run(kiln_run + ["--bench", str(runs)]))
    if not m:
        raise RuntimeError("no bench line in kiln-run's output")
    return err, tol, why, float(m.group(1)), torch_ms(mod.torch_callable(inputs), runs), compile_s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tools", required=True, help="directory of kiln-compile and kiln-run")
    ap.add_argument("--runs", type=int, default=20, help="timed runs (>= 20 recommended)")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for both (default: torch.get_num_threads())")
    ap.add_argument("--keep", help="write the .onnx/.so/.npy files here")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}: {threads} thread(s) (os.cpu_count() = {os.cpu_count()});"
          f" kiln-run --threads {threads}")
    libs = blas_libraries()
    backend = [ln.strip() for ln in torch.__config__.parallel_info().splitlines()
               if ln.startswith("ATen parallel backend")]
    print("torch BLAS/DNN libraries: " + (", ".join(libs) if libs else "none found in "
          "/proc/self/maps") + "".join("; " + b for b in backend))
    print(f"{'model':<11} {'max err':>9} {'tolerance':>9} {'kiln ms':>9} {'torch ms':>9} "
          f"{'torch/kiln':>10}  result")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        for mod in MODELS:
            try:
                err, tol, why, k_ms, t_ms, compile_s = check_model(
                    mod, args.tools, workdir, args.runs, threads)
            except Exception as e:  # report the model and go on with the others
                failures += 1
                print(f"{mod.NAME:<11} FAILED: {e}")
                continue
            ok = err <= tol
            failures += not ok
            print(f"{mod.NAME:<11} {err:>9.2e} {tol:>9.2e} {k_ms:>9.3f} {t_ms:>9.3f} "
                  f"{t_ms / k_ms:>9.2f}x  {'ok' if ok else 'MISMATCH'} "
                  f"(tolerance {why}; compiled in {compile_s:.2f} s)")
    print("all models match PyTorch" if not failures else f"{failures} model(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
