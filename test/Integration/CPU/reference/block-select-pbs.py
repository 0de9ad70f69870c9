# RUN: %python %s
# kiln.block_select, mode threshold (PBS), through the reference pipeline
# against the numpy model of harness/block_select_ref.py: softmax over
# candidates, stable descending order, shortest prefix reaching the
# threshold, diagonal segment, sink (following k_positions), threshold 1
# keeps all candidates.
import numpy as np
import kiln_testing as kt
import block_select_ref as m

rng = np.random.default_rng(99)
rand = lambda *s: m.rand(rng, *s)


def keys(b, h, s, d, blk=16):
    """Keys whose blocks of `blk` carry a random multiple of one direction u,
    and queries that carry u: pooled scores spread widely across blocks."""
    u = rng.standard_normal(d).astype(np.float32)
    c = rng.standard_normal((b, h, -(-s // blk), 1, 1)).astype(np.float32)
    nb = c.shape[2]
    bias = np.repeat(c * u, blk, axis=3).reshape(b, h, nb * blk, d)[:, :, :s]
    return (rand(b, h, s, d) + 1.5 * bias).astype(np.float32), u


def qk(b, hq, hkv, sq, skv, d):
    k, u = keys(b, hkv, skv, d)
    return (rand(b, hq, sq, d) + u).astype(np.float32), k

# PBS defaults scaled down: blocks of 32, segments of 64, threshold 0.9.
# Scale 2 sharpens the block softmax so the threshold selects a strict subset.
q, k = qk(2, 2, 2, 256, 256, 16)
wi, wc = m.check("threshold 0.9 segment sink", q, k, 2, 32, 32, "threshold",
                 causal=True, threshold=0.9, segment=64, sink=True, scale=2.0)
nk_causal = np.arange(1, 9)
assert (wc < nk_causal).any(), "threshold 0.9 selected everything"
assert (wi[..., 0] == 0).all(), "sink block 0 missing"

# Threshold 1: all causal candidates plus the diagonal segment, i.e. every
# block up to the causal limit.
wi, wc = m.check("threshold 1", q, k, 2, 32, 32, "threshold", causal=True,
                 threshold=1.0, segment=64)
assert (wc == nk_causal).all()

# No segment, non-causal, threshold 0.5.
q, k = qk(1, 2, 2, 160, 160, 8)
m.check("threshold 0.5 non-causal", q, k, 2, 32, 32, "threshold",
        threshold=0.5, scale=3.0)

# Odd sizes: Skv = 200 with blocks of 64; Sq < Skv (77 queries at the end).
q, k = qk(1, 2, 2, 200, 200, 8)
m.check("threshold odd 200/64", q, k, 2, 64, 64, "threshold", causal=True,
        threshold=0.8, segment=64, sink=True, scale=4.0)
q, k = qk(2, 1, 1, 77, 200, 13)
m.check("threshold Sq<Skv 77/200", q, k, 1, 32, 32, "threshold", causal=True,
        threshold=0.7, segment=64, scale=3.0)
# Sq > Skv: query blocks before the keys see nothing.
q, k = qk(1, 1, 1, 100, 40, 8)
m.check("threshold Sq>Skv 100/40", q, k, 1, 16, 16, "threshold", causal=True,
        threshold=0.9, segment=16, sink=True, scale=2.0)

# GQA: per KV head (the query pool averages the group) and per query head.
q, k = qk(1, 4, 2, 192, 192, 16)
m.check("GQA per KV head", q, k, 2, 32, 32, "threshold", causal=True,
        threshold=0.85, segment=64, sink=True, scale=2.0)
m.check("GQA per query head", q, k, 4, 32, 32, "threshold", causal=True,
        threshold=0.85, segment=64, sink=True, scale=2.0)

# Ties: key blocks 2 and 4 duplicate block 0; uniform-score ties at q = 0.
k = rand(1, 1, 224, 8)
k[:, :, 64:96] = k[:, :, :32]
k[:, :, 128:160] = k[:, :, :32]
q = rand(1, 1, 224, 8)
q[:, :, 192:] = 0.0
m.check("threshold ties", q, k, 1, 32, 32, "threshold", threshold=0.6,
        scale=2.0)

# k_positions: keys permuted within segments of 64 per KV head; token 0 moves
# to index 45 (block 1) for head 0 and to 63 for head 1 of batch 0; batch 1
# has no position 0 (no sink). The whole diagonal segment is kept.
skv = 256
kpos = np.zeros((2, 2, skv), np.int32)
for b in range(2):
    for h in range(2):
        perm = np.concatenate([s + rng.permutation(64)
                               for s in range(0, skv, 64)])
        kpos[b, h] = perm + (7 if b == 1 else 0)
for h, at in ((0, 45), (1, 63)):   # swap within segment 0
    z = int(np.flatnonzero(kpos[0, h] == 0)[0])
    kpos[0, h, z], kpos[0, h, at] = kpos[0, h, at], 0
q, k = qk(2, 2, 2, skv, skv, 16)
wi, wc = m.check("k_positions sink", q, k, 2, 32, 32, "threshold",
                 causal=True, threshold=0.8, segment=64, sink=True,
                 kpos=kpos, scale=2.0)
assert 1 in wi[0, 0, 4, :wc[0, 0, 4]], "sink did not follow token 0"
# Per query head lists read the sink of their KV head.
q4 = rand(2, 4, skv, 16)
m.check("k_positions per query head", q4, k, 4, 32, 32, "threshold",
        causal=True, threshold=0.8, segment=64, sink=True, kpos=kpos,
        scale=2.0)

# bf16 inputs; dynamic batch and query length (static key length).
q, k = qk(1, 2, 2, 128, 128, 16)
m.check("threshold bf16", kt.bf16_bits(q), kt.bf16_bits(k), 2, 32, 32,
        "threshold", causal=True, threshold=0.9, segment=64, sink=True,
        scale=2.0, elt="bf16")
q, k = qk(2, 2, 2, 70, 150, 8)
m.check("threshold dynamic Sq", q, k, 2, 16, 16, "threshold", causal=True,
        threshold=0.9, segment=32, sink=True, scale=2.0, dyn=True,
        dyn_kv=False)

# Non-finite scores: an all-NaN query block keeps every candidate.
q, k = qk(1, 1, 1, 128, 128, 8)
q[0, 0, 100] = np.nan
k[0, 0, 10] = np.nan
m.check("threshold NaN", q, k, 1, 16, 16, "threshold", causal=True,
        threshold=0.9, segment=32, scale=2.0)
