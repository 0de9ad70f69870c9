"""Numpy model of kiln.block_select (pooling in f64, stable sorts; ties
toward the lower block index), written from the op description, plus the
helpers that build, run and check one call. `check` first makes sure that
no selection is too close to call between f32 and f64. Imported by
block-select-moba.py (top_k) and block-select-pbs.py (threshold).
"""
import math

import numpy as np
import kiln_testing as kt
from kiln_cases import ty as ttype

MARGIN = 1e-4


def pool(x, blk):
    """Means of the valid tokens of each block: [B,H,S,D] -> [B,H,n,D]."""
    n = -(-x.shape[2] // blk)
    return np.stack([x[:, :, i * blk:(i + 1) * blk].mean(axis=2)
                     for i in range(n)], axis=2) if n else \
        np.zeros(x.shape[:2] + (0, x.shape[3]))


def scores(q, k, heads, qb, kb, scale=None):
    """G [B,H,nQ,nK] in f64 with NaN as -inf, and the KV head of list head h."""
    hq, hkv = q.shape[1], k.shape[1]
    qbar, kbar = pool(q, qb), pool(k, kb)
    if heads == hkv and hq != hkv:       # per KV head: average the group
        b, _, nq, d = qbar.shape
        qbar = qbar.reshape(b, hkv, hq // hkv, nq, d).mean(axis=2)
        kv = np.arange(hkv)
    else:                                # per query head
        kv = np.arange(hq) // (hq // hkv)
    scale = 1.0 / math.sqrt(q.shape[3]) if scale is None else scale
    with np.errstate(invalid="ignore"):
        g = scale * np.einsum("bhid,bhjd->bhij", qbar, kbar[:, kv])
    g[np.isnan(g)] = -np.inf
    return g, kv


def roles(mode, i, sq, skv, qb, kb, causal, segment=0, sink_block=-1,
          whole_segment=False):
    """0 excluded, 1 candidate, 2 forced, for the KV blocks of query block i.
    Written on token intervals: block J holds keys [lo, hi]."""
    off = skv - sq
    first, last = i * qb + off, min((i + 1) * qb, sq) - 1 + off
    nk = -(-skv // kb)
    r = np.zeros(nk, np.int64)
    for j in range(nk):
        lo, hi = j * kb, min((j + 1) * kb, skv) - 1
        visible = (not causal) or lo <= last
        if mode in ("top_k", "relative"):
            holds_own = max(lo, first, 0) <= min(hi, last)
            if holds_own:
                r[j] = 2
            elif (not causal) or hi < first:
                r[j] = 1
            continue
        diag = False
        if segment and last >= 0:
            diag = max(first, 0) // segment <= lo // segment <= last // segment
            diag = diag and (visible or whole_segment)
        sink = j == sink_block and ((not causal) or last >= 0)
        r[j] = 2 if (diag or sink) else (1 if visible else 0)
    return r


def select(r, g, mode, k=None, threshold=None):
    """The selected block set of one row; raises if f32 could disagree."""
    cand = np.flatnonzero(r == 1)
    keep = set(np.flatnonzero(r == 2).tolist())
    s = g[cand]
    order = cand[np.argsort(-s, kind="stable")]
    if mode == "top_k":
        take = max(0, k - len(keep))
    elif mode == "relative":  # VMoBA: min-max normalized mass
        row = np.flatnonzero(r >= 1)
        take = len(cand) if threshold >= 1.0 else 0
        if len(row) and len(cand) and threshold < 1.0:
            lo, hi = g[row].min(), g[row].max()
            norm = np.ones_like(g) if hi == lo else (g - lo) / (hi - lo)
            total = norm[row].sum()
            need = max(0.0, threshold - norm[r == 2].sum() / total)
            before = np.concatenate([[0.0], np.cumsum(norm[order])[:-1]])
            frac = before / total
            take = int((frac < need).sum())
            if np.any(np.abs(frac - need) < MARGIN) and need > 0:
                raise RuntimeError("normalized mass too close to the need")
    elif threshold >= 1.0 or len(cand) == 0:
        take = len(cand)
    else:
        with np.errstate(invalid="ignore"):
            p = np.exp(g[order] - g[order].max())
            p /= p.sum()
            csum = np.cumsum(p)
        reached = np.flatnonzero(csum >= threshold)
        take = reached[0] + 1 if len(reached) else len(cand)
        close = np.abs(csum[:-1] - threshold) < MARGIN
        if np.isfinite(csum).all() and close.any():
            raise RuntimeError("cumulative mass too close to the threshold")
    if 0 < take < len(order):
        a, b = g[order[take - 1]], g[order[take]]
        if a != b and abs(a - b) < MARGIN * max(1.0, abs(a)):
            raise RuntimeError("scores too close to call at the cut")
    keep |= set(order[:take].tolist())
    return sorted(keep)


def reference(q, k, heads, mode, qb, kb, causal=False, k_=None, threshold=None,
              segment=0, sink=False, kpos=None, scale=None):
    """(indices [B,H,nQ,cap], counts [B,H,nQ], cap needed)."""
    q = np.asarray(q, np.float64)
    k = np.asarray(k, np.float64)
    b, _, sq, _ = q.shape
    skv = k.shape[2]
    g, kv = scores(q, k, heads, qb, kb, scale)
    nq = -(-sq // qb)
    rows = {}
    for bi in range(b):
        for h in range(heads):
            sink_block = -1
            if sink:
                sink_block = 0
                if kpos is not None:
                    zeros = np.flatnonzero(kpos[bi, kv[h]] == 0)
                    sink_block = zeros[0] // kb if len(zeros) else -1
            for i in range(nq):
                r = roles(mode, i, sq, skv, qb, kb, causal, segment,
                          sink_block, kpos is not None)
                rows[bi, h, i] = select(r, g[bi, h, i], mode, k_, threshold)
    cap = max([len(v) for v in rows.values()] + [1])
    idx = np.zeros((b, heads, nq, cap), np.int64)
    cnt = np.zeros((b, heads, nq), np.int64)
    for (bi, h, i), sel in rows.items():
        idx[bi, h, i, :len(sel)] = sel
        cnt[bi, h, i] = len(sel)
    return idx, cnt, cap


def run(name, q, k, heads, attrs, cap, elt="f32", kpos=None, dyn=False,
        dyn_kv=True):
    """Runs kiln.block_select; dyn makes batch and sequence dims dynamic (the
    key length only if dyn_kv)."""
    b, hq, sq, d = q.shape
    hkv, skv = k.shape[1], k.shape[2]
    nq = -(-sq // int(attrs["q_block"]))
    qt, kt_ = ttype(q.shape, elt), ttype(k.shape, elt)
    it, ct = ttype((b, heads, nq, cap), "i32"), ttype((b, heads, nq), "i32")
    pt = ttype(kpos.shape, "i32") if kpos is not None else None
    qd, kd, idt, cdt, pdt = qt, kt_, it, ct, pt
    if dyn:
        qd = ttype((None, hq, None, d), elt)
        kd = ttype((None, hkv, None if dyn_kv else skv, d), elt)
        idt = ttype((None, heads, None, cap), "i32")
        cdt = ttype((None, heads, None), "i32")
        pdt = pt and ttype((None, hkv, None if dyn_kv else skv), "i32")
    text = ", ".join(f"{a} = {v}" for a, v in attrs.items())
    args = f"%q: {qt}, %k: {kt_}" + (f", %p: {pt}" if pt else "")
    lines = [f"  func.func @sel({args}) -> ({it}, {ct}) {{",
             f"    %i0 = tensor.empty() : {it}",
             f"    %c0 = tensor.empty() : {ct}"]
    cast = lambda v, a, t: f"    %{v}d = tensor.cast %{v} : {a} to {t}"
    for v, a, t in [("q", qt, qd), ("k", kt_, kd), ("i0", it, idt),
                    ("c0", ct, cdt)] + ([("p", pt, pdt)] if pt else []):
        lines.append(cast(v, a, t))
    pos = f" positions(%pd : {pdt})" if pt else ""
    lines += [f"    %r:2 = kiln.block_select ins(%qd, %kd : {qd}, {kd}){pos} "
              f"outs(%i0d, %c0d : {idt}, {cdt}) {{{text}}} -> {idt}, {cdt}",
              f"    %ri = tensor.cast %r#0 : {idt} to {it}",
              f"    %rc = tensor.cast %r#1 : {cdt} to {ct}",
              f"    return %ri, %rc : {it}, {ct}", "  }"]
    ins = [q, k] + ([kpos] if kpos is not None else [])
    types = [elt, elt] + (["i32"] if kpos is not None else [])
    return kt.run_func("\n".join(lines), "sel", ins, types,
                       [((b, heads, nq, cap), "i32"), ((b, heads, nq), "i32")])


def check(name, q, k, heads, qb, kb, mode, causal=False, k_=None,
          threshold=None, segment=0, sink=False, kpos=None, scale=None,
          elt="f32", dyn=False, dyn_kv=True, cap=None):
    qv = kt.bf16_to_f32(q) if elt == "bf16" else np.asarray(q, np.float32)
    kv = kt.bf16_to_f32(k) if elt == "bf16" else np.asarray(k, np.float32)
    want_i, want_c, need = reference(qv, kv, heads, mode, qb, kb, causal, k_,
                                     threshold, segment, sink, kpos, scale)
    if mode in ("threshold", "relative"):
        need = -(-k.shape[2] // kb)
    cap = cap or need
    want_i = np.pad(want_i, [(0, 0)] * 3 + [(0, cap - want_i.shape[3])])
    attrs = {"mode": f"#kiln<select_mode {mode}>", "q_block": qb,
             "kv_block": kb}
    if k_ is not None:
        attrs["k"] = k_
    if threshold is not None:
        attrs["threshold"] = f"{threshold!r} : f32"
    if segment:
        attrs["segment"] = segment
    if scale is not None:
        attrs["scale"] = f"{scale!r} : f32"
    if causal:
        attrs["causal"] = "unit"
    if sink:
        attrs["sink"] = "unit"
    got_i, got_c = run(name, q, k, heads, attrs, cap, elt, kpos, dyn, dyn_kv)
    if not (got_c == want_c).all() or not (got_i == want_i).all():
        bad = np.argwhere((got_c != want_c) | (got_i != want_i).any(axis=3))
        bi, h, i = bad[0]
        raise AssertionError(
            f"{name}: row (b={bi}, h={h}, I={i}) got {got_i[bi, h, i]} "
            f"count {got_c[bi, h, i]}, want {want_i[bi, h, i]} count "
            f"{want_c[bi, h, i]}")
    print(f"{name}: ok ({want_c.size} rows, {int(want_c.sum())} blocks)")
    return want_i, want_c


def rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def pbs_reference(q, k, v, block, segment, threshold, sink=True):
    """PBS-Attn (ALGORITHMS.md 2.1) in numpy, float64, per KV head: key
    scores from the last `block` queries (softmax over the keys of complete
    segments, summed over those queries and the KV head's query heads), a
    stable descending argsort within each complete segment, K/V permuted,
    threshold selection with positions, block-sparse causal attention.
    Returns (O, gather indices); dense causal when Skv <= segment."""
    import attention_ref as ar
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    B, Hq, Sq, D = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    G = Hq // Hkv
    idx = np.broadcast_to(np.arange(Skv), (B, Hkv, Skv)).copy()
    if Skv <= segment:
        return ar.attention(q, k, v, causal=True)[0], idx
    last, complete = min(block, Sq), Skv // segment * segment
    kk = np.repeat(k, G, axis=1)[:, :, :complete]
    logits = np.einsum("bhrd,bhjd->bhrj", q[:, :, Sq - last:], kk) / np.sqrt(D)
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    score = p.reshape(B, Hkv, G, last, complete).sum(axis=(2, 3))
    for b in range(B):
        for h in range(Hkv):
            for s0 in range(0, complete, segment):
                order = np.argsort(-score[b, h, s0:s0 + segment], kind="stable")
                idx[b, h, s0:s0 + segment] = s0 + order
    take = lambda x: np.take_along_axis(x, idx[..., None], axis=2)
    kp, vp = take(k), take(v)
    qpos = np.broadcast_to(np.arange(Sq) + Skv - Sq, (B, Hkv, Sq))
    bi, bc, _ = reference(q, kp, Hkv, "threshold", block, block, causal=True,
                          threshold=threshold, segment=segment, sink=sink,
                          kpos=idx)
    o, _ = ar.attention(q, kp, vp, causal=True, block_indices=bi,
                        block_counts=bc, q_block=block, kv_block=block,
                        q_positions=qpos, k_positions=idx)
    return o, idx
