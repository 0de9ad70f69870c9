# RUN: %python %s
# kiln.attention_merge and kiln.online_attention vs dense attention:
# - partials computed by the kernel itself (kiln.attention with LSE over each
#   part of a key split, causal through position operands, rows that see no
#   key in one part or in all), merged, equal dense attention;
# - three kiln.online_attention tiles from the empty state (acc 0, m -inf,
#   l 0), then O = acc / l and LSE = m + log l, equal dense attention,
#   including rows masked in the first tile only and rows masked everywhere.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(5)
NINF = np.float32("-inf")
T = ar.ttype


def merge_func(B, Hq, Hkv, Sq, D, splits, pelt, oelt):
    """@split: attention over each key part (positions give the causal
    offsets of the whole), then attention_merge."""
    args = [f"%q: {T((B, Hq, Sq, D), 'f32')}", f"%qp: {T((B, Hkv, Sq), 'i32')}"]
    body, outs, lses = [], [], []
    for p, n in enumerate(splits):
        kt_, mt = T((B, Hkv, n, D), "f32"), T((1, 1, Sq, n), "f32")
        ot, lt = T((B, Hq, Sq, D), pelt), T((B, Hq, Sq), "f32")
        args += [f"%k{p}: {kt_}", f"%v{p}: {kt_}", f"%kp{p}: {T((B, Hkv, n), 'i32')}",
                 f"%m{p}: {mt}"]
        body.append(f"""
    %oe{p} = tensor.empty() : {ot}
    %le{p} = tensor.empty() : {lt}
    %a{p}:2 = kiln.attention ins(%q, %k{p}, %v{p} : {T((B, Hq, Sq, D), 'f32')}, {kt_}, {kt_})
        mask(%m{p} : {mt}) positions(%qp, %kp{p} : {T((B, Hkv, Sq), 'i32')}, {T((B, Hkv, n), 'i32')})
        outs(%oe{p}, %le{p} : {ot}, {lt}) {{causal}} -> {ot}, {lt}""")
        outs.append((f"%a{p}#0", ot))
        lses.append((f"%a{p}#1", lt))
    ot, lt = T((B, Hq, Sq, D), oelt), T((B, Hq, Sq), "f32")
    return f"""
  func.func @split({', '.join(args)}) -> ({ot}, {lt}) {{{''.join(body)}
    %oi = tensor.empty() : {ot}
    %li = tensor.empty() : {lt}
    %o, %l = kiln.attention_merge ins({', '.join(o for o, _ in outs)} : {', '.join(t for _, t in outs)})
        lse({', '.join(l for l, _ in lses)} : {', '.join(t for _, t in lses)})
        outs(%oi, %li : {ot}, {lt}) -> {ot}, {lt}
    return %o, %l : {ot}, {lt}
  }}"""


def merge_case(name, B, Hq, Hkv, Sq, Skv, D, splits, pelt="f32", oelt="f32",
               tol=(1e-5, 2e-6)):
    q = rng.standard_normal((B, Hq, Sq, D)).astype(np.float32)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    v = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    m = np.where(rng.random((1, 1, Sq, Skv)) < 0.2, NINF, 0).astype(np.float32)
    m[0, 0, 1] = NINF  # a row no key is visible to
    qp = np.broadcast_to(np.arange(Sq) + Skv - Sq, (B, Hkv, Sq)).astype(np.int32)
    inputs, types, start = [q, qp], ["f32", "i32"], 0
    for n in splits:
        sl = slice(start, start + n)
        kp = np.broadcast_to(np.arange(start, start + n), (B, Hkv, n)).astype(np.int32)
        inputs += [k[:, :, sl], v[:, :, sl], kp, m[..., sl]]
        types += ["f32", "f32", "i32", "f32"]
        start += n
    assert start == Skv
    o, l = kt.run_func(merge_func(B, Hq, Hkv, Sq, D, splits, pelt, oelt), "split",
                       inputs, types, [([B, Hq, Sq, D], oelt), ([B, Hq, Sq], "f32")])
    wo, wl = ar.attention(q, k, v, mask=m, causal=True)
    kt.assert_close(name + " O", o, wo, *tol)
    ar.check_lse(name + " LSE", l, wl)
    assert (o[:, :, 1] == 0).all() and np.isneginf(l[:, :, 1]).all()


# The early queries see nothing of the second half (partial LSE -inf).
merge_case("merge 2 halves, causal Sq<Skv", 2, 4, 2, 7, 29, 5, [14, 15])
merge_case("merge 2 halves, Sq=Skv", 1, 2, 1, 13, 13, 7, [6, 7])
merge_case("merge 3 parts, f16 partials", 1, 4, 4, 9, 20, 3, [4, 9, 7],
           pelt="f16", tol=(2e-3, 2e-3))
merge_case("merge 3 parts, bf16 output", 1, 2, 2, 9, 20, 3, [10, 1, 9],
           oelt="bf16", tol=(1e-2, 1e-2))

# Merge on given partials: a single partial is the identity; all -inf rows.
o0 = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
l0 = rng.standard_normal((1, 2, 3)).astype(np.float32)
l1 = l0.copy()
l0[0, 1, 2] = l1[0, 1, 2] = NINF
l1[0, 0, 0] = NINF
o1 = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
o1[0, 0, 0] = np.nan  # an L_p = -inf partial contributes nothing
f = f"""
  func.func @mrg(%o0: {T((1, 2, 3, 4), 'f32')}, %o1: {T((1, 2, 3, 4), 'f32')},
                 %l0: {T((1, 2, 3), 'f32')}, %l1: {T((1, 2, 3), 'f32')})
      -> ({T((1, 2, 3, 4), 'f32')}, {T((1, 2, 3), 'f32')}) {{
    %oi = tensor.empty() : {T((1, 2, 3, 4), 'f32')}
    %li = tensor.empty() : {T((1, 2, 3), 'f32')}
    %o, %l = kiln.attention_merge ins(%o0, %o1 : {T((1, 2, 3, 4), 'f32')}, {T((1, 2, 3, 4), 'f32')})
        lse(%l0, %l1 : {T((1, 2, 3), 'f32')}, {T((1, 2, 3), 'f32')})
        outs(%oi, %li : {T((1, 2, 3, 4), 'f32')}, {T((1, 2, 3), 'f32')})
        -> {T((1, 2, 3, 4), 'f32')}, {T((1, 2, 3), 'f32')}
    return %o, %l : {T((1, 2, 3, 4), 'f32')}, {T((1, 2, 3), 'f32')}
  }}"""
o, l = kt.run_func(f, "mrg", [o0, o1, l0, l1], ["f32"] * 4,
                   [([1, 2, 3, 4], "f32"), ([1, 2, 3], "f32")])
wo, wl = ar.merge([o0, np.nan_to_num(o1)], [l0, l1])
kt.assert_close("merge given O", o, wo, 1e-5, 1e-6)
ar.check_lse("merge given LSE", l, wl)
assert (o[0, 1, 2] == 0).all() and np.isneginf(l[0, 1, 2])
kt.assert_close("merge -inf partial", o[0, 0, 0], o0[0, 0, 0], 1e-5, 1e-6)


def online_case(name, lead, M, D, Dv, tiles, elt="f32", tol=(1e-5, 2e-6)):
    """Three online_attention steps over key tiles, state returned."""
    N = sum(tiles)
    q = ar.round_to(rng.standard_normal(lead + (M, D)), elt)
    k = ar.round_to(rng.standard_normal(lead + (N, D)), elt)
    v = ar.round_to(rng.standard_normal(lead + (N, Dv)), elt)
    m = np.where(rng.random(lead + (M, N)) < 0.2, NINF, 0).astype(np.float32)
    m[..., 0, :] = NINF               # masked everywhere
    m[..., 1, :tiles[0]] = NINF       # masked in the first tile only
    scale = 0.37
    args = [f"%q: {T(lead + (M, D), elt)}"]
    body, start = [], 0
    acc, mx, sm = "%acc0", "%max0", "%sum0"
    at, rt = T(lead + (M, Dv), "f32"), T(lead + (M,), "f32")
    inputs, types = [ar.encode(q, elt)], [elt]
    for t, n in enumerate(tiles):
        kt_, vt, mt = T(lead + (n, D), elt), T(lead + (n, Dv), elt), T(lead + (M, n), "f32")
        args += [f"%k{t}: {kt_}", f"%v{t}: {vt}", f"%m{t}: {mt}"]
        sl = slice(start, start + n)
        inputs += [ar.encode(k[..., sl, :], elt), ar.encode(v[..., sl, :], elt),
                   m[..., sl]]
        types += [elt, elt, "f32"]
        body.append(f"""
    %s{t}:3 = kiln.online_attention ins(%q, %k{t}, %v{t} : {T(lead + (M, D), elt)}, {kt_}, {vt})
        mask(%m{t} : {mt}) outs({acc}, {mx}, {sm} : {at}, {rt}, {rt})
        {{scale = {scale} : f32}} -> {at}, {rt}, {rt}""")
        acc, mx, sm = f"%s{t}#0", f"%s{t}#1", f"%s{t}#2"
        start += n
    f = f"""
  func.func @online({', '.join(args)}) -> ({at}, {rt}, {rt}) {{
    %z = arith.constant 0.0 : f32
    %ni = arith.constant 0xFF800000 : f32
    %ae = tensor.empty() : {at}
    %re = tensor.empty() : {rt}
    %acc0 = linalg.fill ins(%z : f32) outs(%ae : {at}) -> {at}
    %max0 = linalg.fill ins(%ni : f32) outs(%re : {rt}) -> {rt}
    %sum0 = linalg.fill ins(%z : f32) outs(%re : {rt}) -> {rt}{''.join(body)}
    return {acc}, {mx}, {sm} : {at}, {rt}, {rt}
  }}"""
    acc, mx, sm = kt.run_func(f, "online", inputs, types,
                              [(list(lead + (M, Dv)), "f32"), (list(lead + (M,)), "f32"),
                               (list(lead + (M,)), "f32")])
    o = np.where(sm[..., None] > 0, acc / np.where(sm > 0, sm, 1)[..., None], 0)
    lse = np.where(sm > 0, mx + np.log(np.where(sm > 0, sm, 1)), NINF)
    q4, k4, v4, m4 = (x.reshape((-1, 1) + x.shape[-2:]) for x in (q, k, v, m))
    wo, wl = ar.attention(q4, k4, v4, scale=np.float32(scale), mask=m4)
    kt.assert_close(name + " O", o.reshape(wo.shape), wo, *tol)
    ar.check_lse(name + " LSE", lse.reshape(wl.shape), wl)
    s = np.float32(scale) * np.einsum("...md,...nd->...mn", q.astype(np.float64), k) + m
    kt.assert_close(name + " max", mx, s.max(axis=-1), 1e-5, 1e-5)
    assert np.isneginf(mx[..., 0]).all() and (sm[..., 0] == 0).all()
    assert (acc[..., 0, :] == 0).all() and not np.isnan(acc).any()


online_case("online rank 2", (), 13, 7, 5, [5, 11, 13])
online_case("online rank 4", (2, 3), 9, 4, 3, [4, 4, 1])
online_case("online f16 rank 3", (2,), 7, 8, 8, [3, 6, 7], elt="f16")
