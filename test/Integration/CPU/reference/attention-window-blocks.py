# RUN: %python %s
# kiln.attention vs numpy: sliding windows (left only, left+right, with and
# without causal, Sq < Skv), block lists per query head and per KV head with
# counts below capacity and junk past the count (also negative counts and
# counts above capacity, which clamp), combined with causal.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(2)


def run(name, B, Hq, Hkv, Sq, Skv, D, attrs, blocks=None, **vis):
    q = rng.standard_normal((B, Hq, Sq, D)).astype(np.float32)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    v = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    o, l = ar.run_attention(q, k, v, lse=True, blocks=blocks, attrs=attrs)
    if blocks is not None and "q_block" in vis:  # else: compare with dense
        vis.update(block_indices=blocks[0], block_counts=blocks[1])
    wo, wl = ar.attention(q, k, v, **vis)
    kt.assert_close(name + " O", o, wo, rtol=1e-5, atol=2e-6)
    ar.check_lse(name + " LSE", l, wl)
    return wl


# Windows.
run("window left, causal", 1, 4, 2, 13, 13, 7, "causal, window_left = 3",
    causal=True, window_left=3)
run("window left only", 1, 2, 1, 13, 13, 5, "window_left = 2", window_left=2)
run("window left+right", 2, 4, 4, 11, 11, 3,
    "window_left = 2, window_right = 1", window_left=2, window_right=1)
run("window right only, Sq<Skv", 1, 4, 1, 6, 17, 4, "window_right = 0",
    window_right=0)
run("window causal Sq<Skv", 1, 8, 2, 5, 29, 7, "causal, window_left = 4",
    causal=True, window_left=4)
wl = run("window left 0 = diagonal", 1, 1, 1, 7, 7, 3,
         "causal, window_left = 0", causal=True, window_left=0)
assert np.isfinite(wl).all()


B, Hq, Hkv, Sq, Skv, qb, kb = 2, 4, 2, 13, 29, 4, 5
nQ, nK = -(-Sq // qb), -(-Skv // kb)
attrs = f"q_block = {qb}, kv_block = {kb}"
for H, name in ((Hq, "per query head"), (Hkv, "per KV head")):
    idx, cnt = ar.block_list(B, H, nQ, nK, 4, rng)
    cnt[0, 0, 0] = 0  # an empty list: the whole query block sees nothing
    wl = run("blocks " + name, B, Hq, Hkv, Sq, Skv, 7, attrs, (idx, cnt),
             q_block=qb, kv_block=kb)
    assert np.isneginf(wl[0, 0, :qb]).all()
    run("blocks causal " + name, B, Hq, Hkv, Sq, Skv, 7, "causal, " + attrs,
        (idx, cnt), q_block=qb, kv_block=kb, causal=True)

# Counts out of range clamp to [0, capacity].
idx, cnt = ar.block_list(1, 2, nQ, nK, 3, rng)
cnt[0, 0, 1], cnt[0, 1, 2] = -3, 50
run("blocks clamped counts", 1, 2, 2, Sq, Skv, 3, attrs, (idx, cnt),
    q_block=qb, kv_block=kb)

# Every block listed: equals dense.
full = np.broadcast_to(np.arange(nK, dtype=np.int32), (1, 2, nQ, nK)).copy()
fcnt = np.full((1, 2, nQ), nK, np.int32)
run("blocks all listed = dense", 1, 2, 2, Sq, Skv, 3, attrs, (full, fcnt))
