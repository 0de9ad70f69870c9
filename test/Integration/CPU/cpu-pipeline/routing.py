# RUN: %python %s
# The approximating rewrites, end to end against numpy, through the
# reference pipeline and kiln-cpu-pipeline:
#   kiln-route-blocks (MoBA): equals numpy's top-k selection
#   (block_select_ref) followed by block-sparse causal attention; with k at
#   least the number of key blocks it equals dense causal attention; with
#   split-self (own blocks and history merged by kiln.attention_merge) the
#   same; non-causal (VMoBA relative threshold) equals numpy's relative
#   selection followed by block-sparse attention, and full bidirectional
#   attention at threshold 1;
#   kiln-permute-block-sparse (PBS): equals numpy's PBS (block_select_ref.
#   pbs_reference: scoring, stable within-segment argsort, permutation,
#   threshold selection with positions); with threshold 1 it equals dense
#   causal attention (the within-segment permutation changes nothing);
#   also a chunk of queries against a longer KV cache (Sq < Skv).
# Odd lengths (a partial last segment and block), GQA.
import numpy as np
import kiln_testing as kt
import attention_ref as ar
import block_select_ref as bsr

rng = np.random.default_rng(41)
PIPES = {"reference": ["--kiln-reference-pipeline"],
         "cpu": ["--kiln-cpu-pipeline=mcpu=x86-64-v3"]}


def run(name, q, k, v, passes, want, marker="kiln.route_blocks",
        causal=True):
    B, Hq, Sq, D = q.shape
    text = ar.attention_func("f", q.shape, k.shape, v.shape,
                             attrs=("causal, " if causal else "") + marker)
    for label, pipe in PIPES.items():
        (o,) = kt.run_func(text, "f", [q, k, v], ["f32"] * 3,
                           [([B, Hq, Sq, D], "f32")], pipeline=passes + pipe)
        kt.assert_close(f"{name} [{label}]", o, want, rtol=1e-5, atol=1e-5)


def moba(name, B, Hq, Hkv, S, D, block, topk, Sq=None):
    q, k, v = (rng.standard_normal((B, h, n, D)).astype(np.float32)
               for h, n in ((Hq, Sq or S), (Hkv, S), (Hkv, S)))
    idx, cnt, _ = bsr.reference(q, k, Hq, "top_k", block, block, causal=True,
                                k_=topk)
    want, _ = ar.attention(q, k, v, causal=True, block_indices=idx,
                           block_counts=cnt, q_block=block, kv_block=block)
    run(name, q, k, v, [f"--kiln-route-blocks=block-size={block} "
                        f"top-k={topk}"], want)
    run(name + " split-self", q, k, v,
        [f"--kiln-route-blocks=block-size={block} top-k={topk} "
         "split-self=true"], want)
    return q, k, v


moba("MoBA top-3, 16-token blocks, GQA 4:2", 1, 4, 2, 150, 8, 16, 3)
moba("MoBA top-1 (own block only)", 2, 2, 2, 97, 4, 32, 1)
moba("MoBA chunk Sq < Skv (two own blocks)", 1, 2, 1, 150, 8, 16, 3, Sq=37)
q, k, v = moba("MoBA top-k >= blocks", 1, 2, 1, 77, 8, 16, 5)
dense, _ = ar.attention(q, k, v, causal=True)
run("MoBA top-k >= blocks = dense causal", q, k, v,
    ["--kiln-route-blocks=block-size=16 top-k=5"], dense)


def vmoba(name, B, Hq, Hkv, S, D, block, threshold):
    q, k, v = (rng.standard_normal((B, h, S, D)).astype(np.float32)
               for h in (Hq, Hkv, Hkv))
    idx, cnt, _ = bsr.reference(q, k, Hq, "relative", block, block,
                                threshold=threshold)
    want, _ = ar.attention(q, k, v, block_indices=idx, block_counts=cnt,
                           q_block=block, kv_block=block)
    run(name, q, k, v, [f"--kiln-route-blocks=block-size={block} "
                        f"threshold={threshold}"], want, causal=False)
    return q, k, v


vmoba("VMoBA relative 0.25, GQA 4:2", 1, 4, 2, 150, 8, 16, 0.25)
vmoba("VMoBA relative 0.6", 2, 2, 2, 97, 4, 32, 0.6)
q, k, v = vmoba("VMoBA threshold 1", 1, 2, 1, 77, 8, 16, 1.0)
full, _ = ar.attention(q, k, v)
run("VMoBA threshold 1 = full bidirectional", q, k, v,
    ["--kiln-route-blocks=block-size=16 threshold=1"], full, causal=False)


def pbs(name, B, Hq, Hkv, Sq, Skv, D, block, segment, threshold):
    q = rng.standard_normal((B, Hq, Sq, D)).astype(np.float32)
    k, v = (rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
            for _ in range(2))
    # Heavy hitters: a few keys that every query likes, scattered.
    hot = rng.choice(Skv, Skv // 16, replace=False)
    k[:, :, hot] += 0.5 * q.mean(axis=(1, 2))[:, None, :]
    want, idx = bsr.pbs_reference(q, k, v, block, segment, threshold)
    for b in range(B):  # each segment's gather indices are a bijection
        for h in range(Hkv):
            assert sorted(idx[b, h]) == list(range(Skv)), name
    passes = [f"--kiln-permute-block-sparse=block-size={block} "
              f"segment-size={segment} threshold={threshold}"]
    run(name, q, k, v, passes, want, marker="kiln.pbs")
    return q, k, v


pbs("PBS threshold 0.9, GQA 4:2", 1, 4, 2, 300, 300, 16, 32, 64, 0.9)
pbs("PBS threshold 0.5", 2, 2, 2, 200, 200, 8, 16, 32, 0.5)
pbs("PBS chunk Sq < Skv", 1, 2, 1, 70, 300, 8, 32, 64, 0.8)
q, k, v = pbs("PBS threshold 1", 1, 4, 2, 300, 300, 16, 32, 64, 1.0)
dense, _ = ar.attention(q, k, v, causal=True)
run("PBS threshold 1 = dense causal", q, k, v,
    ["--kiln-permute-block-sparse=block-size=32 segment-size=64 threshold=1"],
    dense, marker="kiln.pbs")
print("routing: ok")
