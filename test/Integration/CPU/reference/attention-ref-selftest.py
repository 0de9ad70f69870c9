# RUN: %python %s
# Self-check of the attention numpy reference (harness/attention_ref.py): the
# vectorized reference against a plain per-element loop written straight
# from the op description, the LSE merge of a key split against the whole,
# and permute / unpermute as inverses.
import math

import numpy as np
from attention_ref import NEG_INF, attention, merge, permute, unpermute


def attention_loop(q, k, v, scale, mask, **a):
    """attention_ref.attention one element at a time, straight from the
    description."""
    B, Hq, Sq, D = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    G = Hq // Hkv
    o = np.zeros((B, Hq, Sq, v.shape[3]))
    lse = np.full((B, Hq, Sq), NEG_INF)
    for b in range(B):
        for h in range(Hq):
            g = h // G
            for i in range(Sq):
                if a.get("q_positions") is not None:
                    qpos = a["q_positions"]
                    pq = qpos[b, h if qpos.shape[1] == Hq else g, i]
                else:
                    pq = i + Skv - Sq
                logits = []
                for j in range(Skv):
                    pk = (a["k_positions"][b, g, j]
                          if a.get("k_positions") is not None else j)
                    ok = True
                    if a.get("causal"):
                        ok = ok and pk <= pq
                    if a.get("window_left") is not None:
                        ok = ok and pq - a["window_left"] <= pk
                    if a.get("window_right") is not None:
                        ok = ok and pk <= pq + a["window_right"]
                    if a.get("block_indices") is not None:
                        idx, cnt = a["block_indices"], a["block_counts"]
                        hl = h if idx.shape[1] == Hq else g
                        qb = i // a["q_block"]
                        c = min(max(int(cnt[b, hl, qb]), 0), idx.shape[3])
                        ok = ok and (j // a["kv_block"]) in list(idx[b, hl, qb, :c])
                    if not ok:
                        continue
                    x = scale * float(np.dot(q[b, h, i], k[b, g, j]))
                    if mask is not None:
                        x += mask[b % mask.shape[0], h % mask.shape[1], i, j]
                    if x != NEG_INF:
                        logits.append((x, j))
                if not logits:
                    continue
                mx = max(x for x, _ in logits)
                w = [(math.exp(x - mx), j) for x, j in logits]
                tot = sum(e for e, _ in w)
                o[b, h, i] = sum(e * v[b, g, j] for e, j in w) / tot
                lse[b, h, i] = mx + math.log(tot)
    return o, lse


rng = np.random.default_rng(0)
B, Hq, Hkv, Sq, Skv, D, Dv = 2, 4, 2, 5, 7, 3, 2
q = rng.standard_normal((B, Hq, Sq, D))
k = rng.standard_normal((B, Hkv, Skv, D))
v = rng.standard_normal((B, Hkv, Skv, Dv))
mask = rng.standard_normal((1, Hq, Sq, Skv))
mask[0, 1, 2, :] = NEG_INF
qpos = np.stack([rng.permutation(Sq) for _ in range(B * Hkv)]).reshape(B, Hkv, Sq)
kpos = np.stack([rng.permutation(Skv) for _ in range(B * Hkv)]).reshape(B, Hkv, Skv)
idx = np.array([[[[0, 3, 1], [2, 3, 0]]] * Hq] * B)
cnt = np.array([[[2, 1]] * Hq] * B)
cases = [
    dict(),
    dict(causal=True),
    dict(window_left=2, window_right=1),
    dict(causal=True, window_left=1, q_positions=qpos, k_positions=kpos),
    dict(block_indices=idx, block_counts=cnt, q_block=3, kv_block=2),
    dict(block_indices=idx[:, :Hkv], block_counts=cnt[:, :Hkv], q_block=3,
         kv_block=2, causal=True),
]
for i, a in enumerate(cases):
    for mk in (None, mask):
        want = attention_loop(q, k, v, 0.7, mk, **a)
        got = attention(q, k, v, 0.7, mk, **a)
        for g, w in zip(got, want):
            if not (np.allclose(g, w, atol=1e-12) and
                    np.array_equal(np.isneginf(g), np.isneginf(w))):
                raise AssertionError(f"reference case {i} disagrees")
o, l = attention(q, k, v, 0.7, mask)
assert (o[:, 1, 2] == 0).all() and np.isneginf(l[:, 1, 2]).all()
# merge of a key split equals the whole
o1, l1 = attention(q[:, :, :, :], k[:, :, :3], v[:, :, :3], 0.7)
o2, l2 = attention(q, k[:, :, 3:], v[:, :, 3:], 0.7)
om, lm = merge([o1, o2], [l1, l2])
od, ld = attention(q, k, v, 0.7)
assert np.allclose(om, od) and np.allclose(lm, ld)
x = rng.standard_normal((2, 3, 6, 2))
p = np.stack([rng.permutation(6) for _ in range(6)]).reshape(2, 3, 6)
assert np.array_equal(unpermute(permute(x, p), p), x)
print("attention reference: ok")
