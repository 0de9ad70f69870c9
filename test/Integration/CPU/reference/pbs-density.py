# RUN: %python %s
# kiln-test-block-density (the pure C++ PBS model, kiln/Utils/PbsAnalysis)
# on structured inputs: keys with planted heavy hitters scattered through
# the sequence (one per key block), which every query attends to. Checks the selected and
# visible block counts before and after the permutation against the numpy
# PBS model (block_select_ref), and that the permutation concentrates the
# heavy hitters: lower density at the same threshold.
import os
import re
import subprocess
import tempfile

import numpy as np
import kiln_testing as kt
import block_select_ref as bsr

rng = np.random.default_rng(9)


def structured(B, Hq, Hkv, S, D, block):
    u = rng.standard_normal(D)
    u /= np.linalg.norm(u)
    q = (0.5 * rng.standard_normal((B, Hq, S, D)) + 6.0 * u).astype(np.float32)
    k = (0.5 * rng.standard_normal((B, Hkv, S, D))).astype(np.float32)
    # One heavy hitter at a random offset in every key block: each block
    # looks alike until the permutation gathers a segment's hitters.
    hot = np.arange(0, S, block) + rng.integers(0, block, -(-S // block))
    k[:, :, hot[hot < S]] += 30.0 * u
    return q, k


def model_counts(q, k, block, segment, threshold):
    B, Hq, S, D = q.shape
    Hkv = k.shape[1]
    v = np.zeros_like(k)
    _, idx = bsr.pbs_reference(q, k, v, block, segment, threshold)
    kp = np.take_along_axis(k, idx[..., None], axis=2)
    _, c0, _ = bsr.reference(q, k, Hkv, "threshold", block, block,
                             causal=True, threshold=threshold,
                             segment=segment, sink=True)
    _, c1, _ = bsr.reference(q, kp, Hkv, "threshold", block, block,
                             causal=True, threshold=threshold,
                             segment=segment, sink=True, kpos=idx)
    nq = -(-S // block)
    visible = B * Hkv * sum(min(i, nq - 1) + 1 for i in range(nq))
    return int(c0.sum()), int(c1.sum()), visible


def kiln_counts(q, k, block, segment, threshold):
    lines = []
    kt._constant("q", q, q.shape, "f32", lines)
    kt._constant("k", k, k.shape, "f32", lines)
    qt, kty = kt._tensor_type(q.shape, "f32"), kt._tensor_type(k.shape, "f32")
    text = "\n".join(["func.func @f() -> " + qt + " {"] + lines + [
        f"    %o = tensor.empty() : {qt}",
        f"    %r = kiln.attention ins(%q, %k, %k : {qt}, {kty}, {kty})",
        f"         outs(%o : {qt}) {{causal, kiln.pbs}} -> {qt}",
        f"    return %r : {qt}", "}"])
    opt = os.path.join(kt.TOOLS, "kiln-opt") if kt.TOOLS else "kiln-opt"
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(text)
        f.flush()
        out = subprocess.run(
            [opt, f.name, "--kiln-test-block-density=block-size=%d "
             "segment-size=%d threshold=%g" % (block, segment, threshold)],
            capture_output=True, text=True)
    m = re.search(r"unpermuted (\d+)/(\d+) = [\d.]+, permuted (\d+)/(\d+)",
                  out.stderr)
    if not m:
        raise AssertionError("no density remark:\n" + out.stderr)
    print(m.group(0))
    return int(m.group(1)), int(m.group(3)), int(m.group(2))


# (B, Hq, Hkv, S, D, block, segment, threshold, the permutation must lower
# the density).
for (B, Hq, Hkv, S, D, block, segment, threshold, lower) in (
        (1, 2, 1, 1024, 16, 32, 64, 0.9, True),
        (2, 4, 2, 512, 16, 32, 128, 0.9, True),
        (1, 1, 1, 300, 8, 16, 64, 0.8, True)):
    q, k = structured(B, Hq, Hkv, S, D, block)
    want = model_counts(q, k, block, segment, threshold)
    got = kiln_counts(q, k, block, segment, threshold)
    name = f"{B}x{Hq}:{Hkv}x{S}x{D} block {block} segment {segment}"
    assert got == want, f"{name}: kiln {got} != numpy {want}"
    assert not lower or got[1] < got[0], f"{name}: not lower: {got}"
    print(f"{name}: density {got[0] / got[2]:.3f} -> {got[1] / got[2]:.3f}")
