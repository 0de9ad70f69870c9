"""Whole models from ONNX: Kiln against PyTorch CPU, and Kiln with its graph
fusions off (make bench FILTER=models).

Cases `models/<name>`: torchvision resnet18 and mobilenet_v2 (random
weights, 1x3x224x224), the quickstart's GPT block, ConvBN network and int8
MLP (examples/onnx), and a causal nn.MultiheadAttention. Each model is
exported with torch.onnx (opset 17) and compiled with the kiln package.

Every measurement runs in a child process of its own (`--worker`), so
PyTorch's OpenMP and BLAS threads and Kiln's pool never share a process:
PyTorch with torch.set_num_threads(t) and OMP/OPENBLAS_NUM_THREADS=t, Kiln
with kiln.set_num_threads(t). Median of --reps calls after 2 warm-ups.
Reported: Kiln's compile time, the three times, ratio = PyTorch / Kiln
(> 1: Kiln is faster) and fusion = Kiln unfused / Kiln (what
kiln-fuse-attention and kiln-fold-conv-bn buy).
"""
import json
import os
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


def _median_ms(fn, reps):
    for _ in range(2):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1e3 * times[len(times) // 2]


def worker(kind, name, threads, reps, build_dir):
    """One measurement, printed as JSON on the last line of stdout."""
    import torch
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name + ".onnx")
        inputs, run_torch = _export(name, path)
        if kind == "torch":
            with torch.no_grad():
                ms = _median_ms(run_torch, reps)
            print(json.dumps({"ms": ms}))
            return
        sys.path.insert(0, os.path.join(build_dir, "python"))
        import kiln
        kiln.set_num_threads(threads)
        t0 = time.perf_counter()
        model = kiln.compile(path, graph_fusion=(kind == "kiln"))
        compile_s = time.perf_counter() - t0
        ms = _median_ms(lambda: model(*inputs), reps)
        print(json.dumps({"ms": ms, "compile_s": compile_s}))


def _measure(kind, name, threads, reps, build_dir):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads))
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
            for kind in ("kiln", "kiln_unfused", "torch"):
                row[kind] = _measure(kind, name, t, reps, build_dir)
            rows.append(row)
            log("bench: %s threads=%d kiln %.2f ms (unfused %.2f), torch "
                "%.2f ms" % (case, t, row["kiln"]["ms"],
                             row["kiln_unfused"]["ms"], row["torch"]["ms"]))
    return rows


def torch_config():
    import torch
    blas = [l.strip() for l in torch.__config__.show().splitlines()
            if "BLAS" in l]
    return "PyTorch %s; %s" % (torch.__version__, "; ".join(blas) or
                               "BLAS: unknown")


def write_md(path, rows, header):
    lines = list(header) + [
        "", "| model | threads | Kiln compile s | Kiln ms | Kiln unfused ms "
        "| PyTorch ms | ratio (PyTorch/Kiln) | fusion (unfused/fused) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        k, u, p = r["kiln"]["ms"], r["kiln_unfused"]["ms"], r["torch"]["ms"]
        lines.append("| %s | %d | %.1f | %.2f | %.2f | %.2f | %.2fx | %.2fx |"
                     % (r["case"].split("/", 1)[1], r["threads"],
                        r["kiln"]["compile_s"], k, u, p, p / k, u / k))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--worker":
    worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
           sys.argv[6])
