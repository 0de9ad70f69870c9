"""Whole models from ONNX: Kiln against PyTorch CPU, and Kiln with its graph
fusions off (make bench FILTER=models).

Cases `models/<name>`: torchvision resnet18 and mobilenet_v2 (random
weights, 1x3x224x224), the quickstart's GPT block, ConvBN network and int8
MLP (examples/onnx), and a causal nn.MultiheadAttention. Each model is
exported with torch.onnx (opset 17) and compiled with the kiln package.

Every measurement runs in a child process of its own (`--worker`), so
PyTorch's OpenMP and BLAS threads and Kiln's pool never share a process:
Kiln with kiln.set_num_threads(t); PyTorch with torch.set_num_threads(t)
and OMP_NUM_THREADS=t, once with OPENBLAS_NUM_THREADS=t and once with 1
(on 2 cores OpenBLAS's own threads and PyTorch's OpenMP threads compete,
which can make PyTorch 10x slower), keeping the faster: the strongest
PyTorch configuration is the baseline.
Reported: Kiln's compile time, the three times (median; fast models are
called for at least 2 s, with min and max), ratio = PyTorch / Kiln
(> 1: Kiln is faster) and fusion = Kiln unfused / Kiln (what
kiln-fuse-attention and kiln-fold-conv-bn buy).
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES = ["models/resnet18", "models/mobilenet_v2", "models/gpt_block",
         "models/multihead_attention", "models/convbn_net", "models/int8_mlp"]


def _export(name, path):
    """Writes model `name` to `path`; returns (inputs, torch callable)."""
    sys.path.insert(0, os.path.join(ROOT, "examples", "onnx"))
    import numpy as np
    import torch
    torch.manual_seed(0)
    if name in ("resnet18", "mobilenet_v2"):
        import torchvision
        m = getattr(torchvision.models, name)().eval()
        x = torch.randn(1, 3, 224, 224)
        torch.onnx.export(m, (x,), path, opset_version=17)
        return [x.numpy()], lambda: m(x)
    if name == "multihead_attention":
        class Mha(torch.nn.Module):
            def __init__(self, d=256, heads=8, seq=128):
                super().__init__()
                self.attn = torch.nn.MultiheadAttention(d, heads)
                self.register_buffer("mask", torch.triu(
                    torch.full((seq, seq), float("-inf")), diagonal=1))

            def forward(self, x):
                return self.attn(x, x, x, attn_mask=self.mask,
                                 need_weights=False)[0]
        m = Mha().eval()
        x = torch.randn(128, 2, 256)
        torch.onnx.export(m, (x,), path, opset_version=17)
        return [x.numpy()], lambda: m(x)
    module = __import__(name)
    module.export(path)
    inputs = module.make_inputs()
    return inputs, module.torch_callable(inputs)


def _timing(fn, reps):
    """Median, min and max in ms of at least `reps` calls after 2 warm-ups,
    and of at least 2 s of calls for fast models (at most 50000 calls)."""
    for _ in range(2):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < reps or (time.perf_counter() - start < 2.0 and
                                len(times) < 50000):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"ms": 1e3 * times[len(times) // 2], "min_ms": 1e3 * times[0],
            "max_ms": 1e3 * times[-1], "calls": len(times)}


def worker(kind, name, threads, reps, build_dir):
    """One measurement, printed as JSON on the last line of stdout."""
    import torch
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name + ".onnx")
        inputs, run_torch = _export(name, path)
        if kind == "torch":
            with torch.no_grad():
                print(json.dumps(_timing(run_torch, reps)))
            return
        sys.path.insert(0, os.path.join(build_dir, "python"))
        import kiln
        kiln.set_num_threads(threads)
        t0 = time.perf_counter()
        model = kiln.compile(path, graph_fusion=(kind == "kiln"))
        compile_s = time.perf_counter() - t0
        result = _timing(lambda: model(*inputs), reps)
        result["compile_s"] = compile_s
        print(json.dumps(result))


def _measure(kind, name, threads, reps, build_dir, blas_threads=None):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(blas_threads or threads))
    run = subprocess.run(
        [sys.executable, __file__, "--worker", kind, name, str(threads),
         str(reps), build_dir], capture_output=True, text=True, env=env,
        timeout=1800)
    if run.returncode:
        raise RuntimeError(f"{kind} {name}: {run.stderr.strip()[-400:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def run(cases, threads_list, reps, build_dir, log):
    rows = []
    for case in cases:
        name = case.split("/", 1)[1]
        for t in threads_list:
            row = {"case": case, "threads": t}
            for kind in ("kiln", "kiln_unfused"):
                row[kind] = _measure(kind, name, t, reps, build_dir)
            best = None
            for blas in sorted({t, 1}):
                m = _measure("torch", name, t, reps, build_dir, blas)
                m["blas_threads"] = blas
                if best is None or m["ms"] < best["ms"]:
                    best = m
            row["torch"] = best
            rows.append(row)
            log("bench: %s threads=%d kiln %.2f ms (unfused %.2f), torch "
                "%.2f ms" % (case, t, row["kiln"]["ms"],
                             row["kiln_unfused"]["ms"], row["torch"]["ms"]))
    return rows


def torch_config():
    """PyTorch's version and the BLAS its matmuls reach."""
    import torch
    found = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    blas = found.group(1) if found else "unknown"
    if blas == "generic":  # the system libblas.so.3 alternative
        link = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
        blas = "the system libblas.so.3 -> " + (
            os.path.realpath(link) if os.path.exists(link) else "missing")
    return "PyTorch %s (oneDNN %s), BLAS: %s" % (
        torch.__version__, torch.backends.mkldnn.is_available(), blas)


def write_md(path, rows, header):
    lines = list(header) + [
        "", "| model | threads | Kiln compile s | Kiln ms [min, max] | Kiln "
        "unfused ms | PyTorch ms [min, max] (BLAS threads) | ratio "
        "(PyTorch/Kiln) | fusion (unfused/fused) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        k, u, p = r["kiln"]["ms"], r["kiln_unfused"]["ms"], r["torch"]["ms"]
        kr, tr = r["kiln"], r["torch"]
        lines.append(
            "| %s | %d | %.1f | %.2f [%.2f, %.2f] | %.2f | %.2f [%.2f, %.2f] "
            "(%d) | %.2fx | %.2fx |" %
            (r["case"].split("/", 1)[1], r["threads"], kr["compile_s"], k,
             kr["min_ms"], kr["max_ms"], u, p, tr["min_ms"], tr["max_ms"],
             tr["blas_threads"], p / k, u / k))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--worker":
    worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
           sys.argv[6])
