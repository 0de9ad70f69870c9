"""Numpy reference of kiln.attention / online_attention / attention_merge /
permute, written from the op descriptions (DESIGN.md semantics contract),
not from the lowering, plus helpers that build and run the MLIR for a call.
Imported by the attention-*.py and permute.py numerics tests;
attention-ref-selftest.py checks it against a plain per-element loop.
"""
import math

import numpy as np
import kiln_testing as kt
from kiln_cases import ty

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

ttype = ty  # tensor type text, as the attention tests call it


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


def block_list(B, H, nQ, nK, cap, rng):
    """Sorted unique lists with random counts < capacity; junk past count."""
    idx = rng.integers(-5, 99, size=(B, H, nQ, cap)).astype(np.int32)
    cnt = np.zeros((B, H, nQ), np.int32)
    for b in range(B):
        for h in range(H):
            for i in range(nQ):
                c = int(rng.integers(0, min(cap, nK) + 1))
                c = min(c, cap - 1) if cap > 1 else c
                idx[b, h, i, :c] = np.sort(rng.choice(nK, c, replace=False))
                cnt[b, h, i] = c
    return idx, cnt
