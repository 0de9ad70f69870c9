# RUN: %python %s
# Parallel loops on Kiln's thread pool against numpy (f64): matmuls at odd
# and round sizes (several Mc x Nc blocks, fewer blocks than threads, dynamic
# M, batched) compiled by kiln-compile and run by kiln-run --threads 1, 2
# and 3, the same through kiln-run's JIT (.mlir), and programs without a
# parallel loop (kiln.attention, kiln.conv: reference path) at --threads 2.
import os
import subprocess
import tempfile

import numpy as np
import attention_ref as ar

TOOLS = os.environ.get("KILN_TOOLS_DIR", "")
COMPILE = os.path.join(TOOLS, "kiln-compile")
RUN = os.path.join(TOOLS, "kiln-run")
rng = np.random.default_rng(23)
tmp = tempfile.mkdtemp(prefix="kiln-parallel-")


def ty(shape, elt="f32"):
    return "tensor<" + "x".join("?" if d is None else str(d)
                                for d in shape) + f"x{elt}>"


def sh(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(" ".join(cmd) + " failed:\n" + p.stdout + p.stderr)
    return p.stdout


def run(artifact, inputs, num_outputs, threads):
    args = [RUN, artifact, f"--threads={threads}"]
    for i, x in enumerate(inputs):
        path = os.path.join(tmp, f"in{i}.npy")
        np.save(path, x)
        args.append(f"--input={path}")
    outs = [os.path.join(tmp, f"out{i}.npy") for i in range(num_outputs)]
    args += [f"--output={p}" for p in outs]
    sh(args)
    return [np.load(p) for p in outs]


def check(name, got, want, rtol, atol):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != {want.shape}")
    err = np.abs(got - want)
    if np.isnan(got).any() or (err > atol + rtol * np.abs(want)).any():
        raise AssertionError(f"{name}: max abs error {err.max()} exceeds "
                             f"rtol={rtol} atol={atol}")
    print(f"{name}: ok (max abs error {err.max():.3g})")


def compile_so(name, text):
    src = os.path.join(tmp, name + ".mlir")
    with open(src, "w") as f:
        f.write(text)
    so = os.path.join(tmp, name + ".so")
    sh([COMPILE, src, "-o", so])
    return src, so


def matmul(m, n, k, batch=(), dyn_m=False, threads=(1, 2, 3), jit=False):
    a = rng.standard_normal(batch + (m, k)).astype(np.float32)
    b = rng.standard_normal(batch + (k, n)).astype(np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    am = batch + ((None if dyn_m else m), k)
    cm = batch + ((None if dyn_m else m), n)
    at, bt, ct = ty(am), ty(batch + (k, n)), ty(cm)
    if dyn_m:
        d = len(batch)
        empty = (f"%c{d} = arith.constant {d} : index\n"
                 f"    %m = tensor.dim %a, %c{d} : {at}\n"
                 f"    %i = tensor.empty(%m) : {ct}")
    else:
        empty = f"%i = tensor.empty() : {ct}"
    text = f"""
func.func @mm(%a: {at}, %b: {bt}) -> {ct} {{
    {empty}
    %c = kiln.matmul ins(%a, %b : {at}, {bt}) outs(%i : {ct}) -> {ct}
    return %c : {ct}
}}
"""
    name = f"mm_{'x'.join(map(str, batch + (m, n, k)))}{'_dyn' if dyn_m else ''}"
    src, so = compile_so(name, text)
    tol = 1e-5
    for t in threads:
        (got,) = run(so, [a, b], 1, t)
        check(f"{name} --threads {t}", got, want, tol, tol * np.sqrt(k) * 4)
    if jit:
        (got,) = run(src, [a, b], 1, 2)
        check(f"{name} JIT --threads 2", got, want, tol, tol * np.sqrt(k) * 4)


matmul(1, 1, 1)
matmul(7, 13, 33)
matmul(301, 523, 67, jit=True)      # several M and N blocks
matmul(513, 1030, 20, threads=(2,))  # remainder blocks in M and N
matmul(256, 512, 64, threads=(2,))
matmul(700, 45, 37, dyn_m=True, jit=True)
matmul(17, 40, 9, batch=(3,), threads=(1, 2))

# kiln.attention (causal, GQA 4:2) and kiln.conv: no parallel loop, the
# artifact still works with a thread count.
q = rng.standard_normal((1, 4, 13, 8)).astype(np.float32)
k = rng.standard_normal((1, 2, 19, 8)).astype(np.float32)
v = rng.standard_normal((1, 2, 19, 5)).astype(np.float32)
qt, kt_, vt, ot = ty(q.shape), ty(k.shape), ty(v.shape), ty((1, 4, 13, 5))
_, so = compile_so("attention", f"""
func.func @f(%q: {qt}, %k: {kt_}, %v: {vt}) -> {ot} {{
  %i = tensor.empty() : {ot}
  %o = kiln.attention ins(%q, %k, %v : {qt}, {kt_}, {vt}) outs(%i : {ot})
       {{causal}} -> {ot}
  return %o : {ot}
}}""")
want, _ = ar.attention(q, k, v, causal=True)
(got,) = run(so, [q, k, v], 1, 2)
check("attention causal gqa --threads 2", got, want, 1e-5, 1e-5)

x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
xt, wt, yt = ty(x.shape), ty(w.shape), ty((2, 5, 9, 11))
_, so = compile_so("conv", f"""
func.func @f(%x: {xt}, %w: {wt}) -> {yt} {{
  %i = tensor.empty() : {yt}
  %y = kiln.conv ins(%x, %w : {xt}, {wt}) outs(%i : {yt})
       {{pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>}} -> {yt}
  return %y : {yt}
}}""")
xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
want = np.zeros((2, 5, 9, 11))
for dy in range(3):
    for dx in range(3):
        want += np.einsum("nchw,oc->nohw", xp[:, :, dy:dy + 9, dx:dx + 11],
                          w[:, :, dy, dx].astype(np.float64))
(got,) = run(so, [x, w], 1, 2)
check("conv 3x3 pad 1 --threads 2", got, want, 1e-5, 1e-5)
