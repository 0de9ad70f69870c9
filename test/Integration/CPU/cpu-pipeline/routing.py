# RUN: %python %s
# The approximating rewrites, end to end against numpy, through the
# reference pipeline and kiln-cpu-pipeline:
#   kiln-route-blocks (MoBA): equals numpy's top-k selection
#   (block_select_ref) followed by block-sparse causal attention; with k at
#   least the number of key blocks it equals dense causal attention.
# Odd lengths, GQA.
import numpy as np
import kiln_testing as kt
import attention_ref as ar
import block_select_ref as bsr

rng = np.random.default_rng(41)
PIPES = {"reference": ["--kiln-reference-pipeline"],
         "cpu": ["--kiln-cpu-pipeline=mcpu=x86-64-v3"]}


def run(name, q, k, v, passes, want):
    B, Hq, Sq, D = q.shape
    text = ar.attention_func("f", q.shape, k.shape, v.shape,
                             attrs="causal, kiln.route_blocks")
    for label, pipe in PIPES.items():
        (o,) = kt.run_func(text, "f", [q, k, v], ["f32"] * 3,
                           [([B, Hq, Sq, D], "f32")], pipeline=passes + pipe)
        kt.assert_close(f"{name} [{label}]", o, want, rtol=1e-5, atol=1e-5)


def moba(name, B, Hq, Hkv, S, D, block, topk):
    q, k, v = (rng.standard_normal((B, h, S, D)).astype(np.float32)
               for h in (Hq, Hkv, Hkv))
    idx, cnt, _ = bsr.reference(q, k, Hq, "top_k", block, block, causal=True,
                                k_=topk)
    want, _ = ar.attention(q, k, v, causal=True, block_indices=idx,
                           block_counts=cnt, q_block=block, kv_block=block)
    run(name, q, k, v, [f"--kiln-route-blocks=block-size={block} "
                        f"top-k={topk}"], want)
    return q, k, v


moba("MoBA top-3, 16-token blocks, GQA 4:2", 1, 4, 2, 150, 8, 16, 3)
moba("MoBA top-1 (own block only)", 2, 2, 2, 97, 4, 32, 1)
q, k, v = moba("MoBA top-k >= blocks", 1, 2, 1, 77, 8, 16, 5)
dense, _ = ar.attention(q, k, v, causal=True)
run("MoBA top-k >= blocks = dense causal", q, k, v,
    ["--kiln-route-blocks=block-size=16 top-k=5"], dense)
print("routing: ok")
