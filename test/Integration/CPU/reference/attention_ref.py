# RUN: %python %s
# Numpy reference of kiln.attention / online_attention / attention_merge /
# permute, written from the op descriptions (DESIGN.md semantics contract),
# not from the lowering, plus helpers that build and run the MLIR for a call.
# Imported by the attention-*.py and permute-*.py numerics tests; run directly
# it checks the vectorized reference against a plain per-element loop.
import math

import numpy as np
import kiln_testing as kt

NEG_INF = float("-inf")


def round_to(x, elt):
    """x (f32) rounded to elt and returned as f32 (the values the op sees)."""
    x = np.asarray(x, np.float32)
    if elt == "f16":
        return x.astype(np.float16).astype(np.float32)
    if elt == "bf16":
        return kt.bf16_to_f32(kt.bf16_bits(x))
    return x


def encode(x, elt):
    """x as the harness wants it for element type elt."""
    if elt == "bf16":
        return kt.bf16_bits(x)
    if elt == "f16":
        return np.asarray(x, np.float32).astype(np.float16)
    return np.asarray(x)


def visibility(B, Hq, Hkv, Sq, Skv, causal=False, window_left=None,
               window_right=None, block_indices=None, block_counts=None,
               q_block=None, kv_block=None, q_positions=None,
               k_positions=None):
    """bool [B, Hq, Sq, Skv]: which keys each query sees."""
    G = Hq // Hkv
    vis = np.ones((B, Hq, Sq, Skv), bool)
    if q_positions is not None:
        qp = np.asarray(q_positions, np.int64)
        if qp.shape[1] != Hq:
            qp = np.repeat(qp, G, axis=1)
        kp = np.repeat(np.asarray(k_positions, np.int64), G, axis=1)
    else:
        qp = np.broadcast_to(np.arange(Sq) + (Skv - Sq), (B, Hq, Sq))
        kp = np.broadcast_to(np.arange(Skv), (B, Hq, Skv))
    pq, pk = qp[..., :, None], kp[..., None, :]
    if causal:
        vis &= pk <= pq
    if window_left is not None:
        vis &= pk >= pq - window_left
    if window_right is not None:
        vis &= pk <= pq + window_right
    if block_indices is not None:
        idx = np.asarray(block_indices)
        cnt = np.asarray(block_counts)
        per_q = idx.shape[1] == Hq
        allowed = np.zeros((B, Hq, Sq, Skv), bool)
        for b in range(B):
            for h in range(Hq):
                hl = h if per_q else h // G
                for i in range(Sq):
                    qb = i // q_block
                    c = min(max(int(cnt[b, hl, qb]), 0), idx.shape[3])
                    listed = set(int(x) for x in idx[b, hl, qb, :c])
                    for j in range(Skv):
                        allowed[b, h, i, j] = (j // kv_block) in listed
        vis &= allowed
    return vis


def attention(q, k, v, scale=None, mask=None, **vis_args):
    """O [B,Hq,Sq,Dv] and LSE [B,Hq,Sq] (float64); O = 0, LSE = -inf for
    rows that see no key. Inputs are the (already rounded) values."""
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    B, Hq, Sq, D = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    G = Hq // Hkv
    scale = 1.0 / math.sqrt(D) if scale is None else scale
    kk, vv = np.repeat(k, G, axis=1), np.repeat(v, G, axis=1)
    s = scale * np.einsum("bhid,bhjd->bhij", q, kk)
    if mask is not None:
        s = s + np.asarray(mask, np.float64)
    vis = visibility(B, Hq, Hkv, Sq, Skv, **vis_args)
    s = np.where(vis, s, NEG_INF)
    m = s.max(axis=-1, keepdims=True)
    empty = np.isneginf(m)
    p = np.where(empty, 0.0, np.exp(s - np.where(empty, 0.0, m)))
    l = p.sum(axis=-1, keepdims=True)
    o = np.where(empty, 0.0, np.einsum("bhij,bhjd->bhid", p, vv) /
                 np.where(empty, 1.0, l))
    lse = np.where(empty, NEG_INF, m + np.log(np.where(empty, 1.0, l)))
    return o, lse[..., 0]


def _attention_loop(q, k, v, scale, mask, **a):
    """The same, one element at a time, straight from the description."""
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


def merge(outs, lses):
    """LSE merge of partials (float64); all -inf rows give 0, -inf."""
    L = np.stack([np.asarray(x, np.float64) for x in lses])
    O = np.stack([np.asarray(x, np.float64) for x in outs])
    m = L.max(axis=0)
    empty = np.isneginf(m)
    mm = np.where(empty, 0.0, m)
    tot = np.exp(L - mm).sum(axis=0)
    lse = np.where(empty, NEG_INF, mm + np.log(np.where(empty, 1.0, tot)))
    w = np.where(empty, 0.0, np.exp(L - np.where(empty, 0.0, lse)))
    return (w[..., None] * O).sum(axis=0), lse


def permute(x, idx):
    return np.take_along_axis(
        x, np.asarray(idx).reshape(idx.shape + (1,) * (x.ndim - 3)), axis=2)


def unpermute(x, idx):
    out = np.empty_like(x)
    B, H, S = idx.shape
    for b in range(B):
        for h in range(H):
            out[b, h, idx[b, h]] = x[b, h]
    return out


# ---- MLIR builders -------------------------------------------------------

def ttype(shape, elt):
    return kt._tensor_type(list(shape), elt)


def attention_func(name, q_shape, k_shape, v_shape, elt="f32", out_elt=None,
                   lse=False, mask=None, blocks=None, positions=None,
                   attrs=""):
    """Text of a func.func @name running one kiln.attention. mask: (shape,
    elt); blocks: (indices shape, counts shape); positions: (q shape, k
    shape). Arguments: q, k, v, then mask, block list, positions as given.
    The inits are filled with junk to check they are overwritten."""
    out_elt = out_elt or elt
    B, Hq, Sq = q_shape[:3]
    o_shape = (B, Hq, Sq, v_shape[3])
    args = [("q", q_shape, elt), ("k", k_shape, elt), ("v", v_shape, elt)]
    clauses = []
    if mask is not None:
        args.append(("m", mask[0], mask[1]))
        clauses.append(f"mask(%m : {ttype(*mask)})")
    if blocks is not None:
        args += [("bi", blocks[0], "i32"), ("bc", blocks[1], "i32")]
        clauses.append(f"blocks(%bi, %bc : {ttype(blocks[0], 'i32')}, "
                       f"{ttype(blocks[1], 'i32')})")
    if positions is not None:
        args += [("qp", positions[0], "i32"), ("kp", positions[1], "i32")]
        clauses.append(f"positions(%qp, %kp : {ttype(positions[0], 'i32')}, "
                       f"{ttype(positions[1], 'i32')})")
    ot, lt = ttype(o_shape, out_elt), ttype((B, Hq, Sq), "f32")
    outs = f"%oi, %li : {ot}, {lt}" if lse else f"%oi : {ot}"
    res = f"{ot}, {lt}" if lse else ot
    sig = ", ".join(f"%{n}: {ttype(s, e)}" for n, s, e in args)
    attr_text = f"{{{attrs}}}" if attrs else ""
    return f"""
  func.func @{name}({sig}) -> ({res}) {{
    %junk = arith.constant 7.0 : {out_elt}
    %junk2 = arith.constant 3.0 : f32
    %oe = tensor.empty() : {ot}
    %oi = linalg.fill ins(%junk : {out_elt}) outs(%oe : {ot}) -> {ot}
    %le = tensor.empty() : {lt}
    %li = linalg.fill ins(%junk2 : f32) outs(%le : {lt}) -> {lt}
    %r{':2' if lse else ''} = kiln.attention ins(%q, %k, %v : {ttype(q_shape, elt)},
        {ttype(k_shape, elt)}, {ttype(v_shape, elt)}) {' '.join(clauses)}
        outs({outs}) {attr_text} -> {res}
    return {'%r#0, %r#1' if lse else '%r'} : {res}
  }}"""


def run_attention(q, k, v, elt="f32", out_elt=None, lse=False, mask=None,
                  mask_elt="f32", blocks=None, positions=None, attrs=""):
    """Runs kiln.attention on f32 arrays (rounded to elt by the caller or
    not: they are encoded to elt here). Returns [O] or [O, LSE]."""
    out_elt = out_elt or elt
    inputs = [encode(q, elt), encode(k, elt), encode(v, elt)]
    types = [elt] * 3
    if mask is not None:
        inputs.append(encode(mask, mask_elt))
        types.append(mask_elt)
    if blocks is not None:
        inputs += [np.asarray(blocks[0], np.int32), np.asarray(blocks[1], np.int32)]
        types += ["i32", "i32"]
    if positions is not None:
        inputs += [np.asarray(positions[0], np.int32),
                   np.asarray(positions[1], np.int32)]
        types += ["i32", "i32"]
    f = attention_func(
        "attn", q.shape, k.shape, v.shape, elt, out_elt, lse,
        None if mask is None else (mask.shape, mask_elt),
        None if blocks is None else (blocks[0].shape, blocks[1].shape),
        None if positions is None else (positions[0].shape, positions[1].shape),
        attrs)
    B, Hq, Sq = q.shape[:3]
    outputs = [((B, Hq, Sq, v.shape[3]), out_elt)]
    if lse:
        outputs.append(((B, Hq, Sq), "f32"))
    return kt.run_func(f, "attn", inputs, types, [(list(s), e) for s, e in outputs])


def check_lse(name, got, want, atol=1e-4):
    """LSE: -inf exactly where expected, close elsewhere."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if not np.array_equal(np.isneginf(got), np.isneginf(want)):
        raise AssertionError(f"{name}: -inf rows differ")
    kt.assert_close(name, got, want, rtol=1e-5, atol=atol)


if __name__ == "__main__":
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
            want = _attention_loop(q, k, v, 0.7, mk, **a)
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
