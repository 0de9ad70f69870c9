# RUN: %python %s
# Dynamic batch and sequence dims: kiln.attention (with mask, block list,
# positions, causal, window and LSE), kiln.attention_merge and
# kiln.online_attention run on tensors typed `?` (cast from static ones in
# a wrapper) and match numpy.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(8)
T = ar.ttype
NINF = np.float32("-inf")
B, Hq, Hkv, Sq, Skv, D, qb, kb, cap = 2, 4, 2, 11, 19, 5, 4, 3, 4
nQ, nK = -(-Sq // qb), -(-Skv // kb)


def dyn(shape, dims):
    return tuple("?" if i in dims else d for i, d in enumerate(shape))


shapes = {  # name: (static shape, dynamic dims, elt)
    "q": ((B, Hq, Sq, D), (0, 2), "f32"), "k": ((B, Hkv, Skv, D), (0, 2), "f32"),
    "v": ((B, Hkv, Skv, D), (0, 2), "f32"), "m": ((1, 1, Sq, Skv), (2, 3), "f32"),
    "bi": ((B, Hq, nQ, cap), (0, 2), "i32"), "bc": ((B, Hq, nQ), (0, 2), "i32"),
    "qp": ((B, Hkv, Sq), (0, 2), "i32"), "kp": ((B, Hkv, Skv), (0, 2), "i32"),
}
st = {n: T(s, e) for n, (s, _, e) in shapes.items()}
dt = {n: T(dyn(s, d), e) for n, (s, d, e) in shapes.items()}
ot_s, ot_d = T((B, Hq, Sq, D), "f32"), T(("?", Hq, "?", D), "f32")
lt_s, lt_d = T((B, Hq, Sq), "f32"), T(("?", Hq, "?"), "f32")
names = list(shapes)
func = f"""
  func.func @g({', '.join(f'%{n}: {dt[n]}' for n in names)}) -> ({ot_d}, {lt_d}) {{
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %b = tensor.dim %q, %c0 : {dt['q']}
    %s = tensor.dim %q, %c2 : {dt['q']}
    %oi = tensor.empty(%b, %s) : {ot_d}
    %li = tensor.empty(%b, %s) : {lt_d}
    %r:2 = kiln.attention ins(%q, %k, %v : {dt['q']}, {dt['k']}, {dt['v']})
        mask(%m : {dt['m']}) blocks(%bi, %bc : {dt['bi']}, {dt['bc']})
        positions(%qp, %kp : {dt['qp']}, {dt['kp']}) outs(%oi, %li : {ot_d}, {lt_d})
        {{causal, window_left = 9, q_block = {qb}, kv_block = {kb}}} -> {ot_d}, {lt_d}
    return %r#0, %r#1 : {ot_d}, {lt_d}
  }}
  func.func @f({', '.join(f'%{n}: {st[n]}' for n in names)}) -> ({ot_s}, {lt_s}) {{
    {' '.join(f'%d{n} = tensor.cast %{n} : {st[n]} to {dt[n]}' + chr(10) for n in names)}
    %r:2 = func.call @g({', '.join(f'%d{n}' for n in names)})
        : ({', '.join(dt[n] for n in names)}) -> ({ot_d}, {lt_d})
    %o = tensor.cast %r#0 : {ot_d} to {ot_s}
    %l = tensor.cast %r#1 : {lt_d} to {lt_s}
    return %o, %l : {ot_s}, {lt_s}
  }}"""
q = rng.standard_normal(shapes["q"][0]).astype(np.float32)
k = rng.standard_normal(shapes["k"][0]).astype(np.float32)
v = rng.standard_normal(shapes["v"][0]).astype(np.float32)
m = np.where(rng.random(shapes["m"][0]) < 0.2, NINF, 0).astype(np.float32)
bi = rng.integers(0, nK, shapes["bi"][0]).astype(np.int32)
bi.sort(axis=-1)
bc = rng.integers(1, cap + 1, shapes["bc"][0]).astype(np.int32)
qp = rng.integers(0, Skv, shapes["qp"][0]).astype(np.int32)
kp = np.stack([rng.permutation(Skv) for _ in range(B * Hkv)]).reshape(
    B, Hkv, Skv).astype(np.int32)
o, l = kt.run_func(func, "f", [q, k, v, m, bi, bc, qp, kp],
                   [shapes[n][2] for n in names],
                   [([B, Hq, Sq, D], "f32"), ([B, Hq, Sq], "f32")])
wo, wl = ar.attention(q, k, v, mask=m, causal=True, window_left=9,
                      block_indices=bi, block_counts=bc, q_block=qb,
                      kv_block=kb, q_positions=qp, k_positions=kp)
kt.assert_close("dynamic attention O", o, wo, 1e-5, 2e-6)
ar.check_lse("dynamic attention LSE", l, wl)

# Dynamic merge of two partials and a dynamic online_attention step.
o0, o1 = (rng.standard_normal((B, Hq, Sq, D)).astype(np.float32) for _ in "01")
l0, l1 = (rng.standard_normal((B, Hq, Sq)).astype(np.float32) for _ in "01")
l1[0, 0, :3] = NINF
qq, kk, vv = (rng.standard_normal(s).astype(np.float32)
              for s in ((B, Sq, D), (B, Skv, D), (B, Skv, D)))
acc = rng.standard_normal((B, Sq, D)).astype(np.float32)
mx = rng.standard_normal((B, Sq)).astype(np.float32)
mx[0, 0] = NINF
acc[0, 0] = 0
sm = rng.random((B, Sq)).astype(np.float32) + 0.5
sm[0, 0] = 0
Q3, K3, A3, R2 = (T(s, "f32") for s in ((B, Sq, D), (B, Skv, D), (B, Sq, D), (B, Sq)))
Q3d, K3d, R2d = T(("?", "?", D), "f32"), T(("?", "?", D), "f32"), T(("?", "?"), "f32")
func2 = f"""
  func.func @g(%o0: {ot_d}, %o1: {ot_d}, %l0: {lt_d}, %l1: {lt_d}, %q: {Q3d}, %k: {K3d},
               %v: {K3d}, %acc: {Q3d}, %mx: {R2d}, %sm: {R2d})
      -> ({ot_d}, {lt_d}, {Q3d}, {R2d}, {R2d}) {{
    %o, %l = kiln.attention_merge ins(%o0, %o1 : {ot_d}, {ot_d}) lse(%l0, %l1 : {lt_d}, {lt_d})
        outs(%o0, %l0 : {ot_d}, {lt_d}) -> {ot_d}, {lt_d}
    %s:3 = kiln.online_attention ins(%q, %k, %v : {Q3d}, {K3d}, {K3d})
        outs(%acc, %mx, %sm : {Q3d}, {R2d}, {R2d}) {{scale = 0.5 : f32}} -> {Q3d}, {R2d}, {R2d}
    return %o, %l, %s#0, %s#1, %s#2 : {ot_d}, {lt_d}, {Q3d}, {R2d}, {R2d}
  }}
  func.func @f(%o0: {ot_s}, %o1: {ot_s}, %l0: {lt_s}, %l1: {lt_s}, %q: {Q3}, %k: {K3},
               %v: {K3}, %acc: {A3}, %mx: {R2}, %sm: {R2})
      -> ({ot_s}, {lt_s}, {A3}, {R2}, {R2}) {{
    %a = tensor.cast %o0 : {ot_s} to {ot_d}
    %b = tensor.cast %o1 : {ot_s} to {ot_d}
    %c = tensor.cast %l0 : {lt_s} to {lt_d}
    %d = tensor.cast %l1 : {lt_s} to {lt_d}
    %e = tensor.cast %q : {Q3} to {Q3d}
    %f = tensor.cast %k : {K3} to {K3d}
    %g = tensor.cast %v : {K3} to {K3d}
    %h = tensor.cast %acc : {A3} to {Q3d}
    %i = tensor.cast %mx : {R2} to {R2d}
    %j = tensor.cast %sm : {R2} to {R2d}
    %r:5 = func.call @g(%a, %b, %c, %d, %e, %f, %g, %h, %i, %j)
        : ({ot_d}, {ot_d}, {lt_d}, {lt_d}, {Q3d}, {K3d}, {K3d}, {Q3d}, {R2d}, {R2d})
        -> ({ot_d}, {lt_d}, {Q3d}, {R2d}, {R2d})
    %r0 = tensor.cast %r#0 : {ot_d} to {ot_s}
    %r1 = tensor.cast %r#1 : {lt_d} to {lt_s}
    %r2 = tensor.cast %r#2 : {Q3d} to {A3}
    %r3 = tensor.cast %r#3 : {R2d} to {R2}
    %r4 = tensor.cast %r#4 : {R2d} to {R2}
    return %r0, %r1, %r2, %r3, %r4 : {ot_s}, {lt_s}, {A3}, {R2}, {R2}
  }}"""
mo, ml, na, nm, ns = kt.run_func(
    func2, "f", [o0, o1, l0, l1, qq, kk, vv, acc, mx, sm], ["f32"] * 10,
    [([B, Hq, Sq, D], "f32"), ([B, Hq, Sq], "f32"), ([B, Sq, D], "f32"),
     ([B, Sq], "f32"), ([B, Sq], "f32")])
wo, wl = ar.merge([o0, o1], [l0, l1])
kt.assert_close("dynamic merge O", mo, wo, 1e-5, 2e-6)
ar.check_lse("dynamic merge LSE", ml, wl)
# One online step from a given state, straight from the description.
s = 0.5 * np.einsum("bmd,bnd->bmn", qq.astype(np.float64), kk)
m2 = np.maximum(mx, s.max(-1))
p = np.exp(s - m2[..., None])
alpha = np.exp(mx.astype(np.float64) - m2)
kt.assert_close("dynamic online max", nm, m2, 1e-5, 1e-6)
kt.assert_close("dynamic online sum", ns, alpha * sm + p.sum(-1), 1e-5, 2e-6)
kt.assert_close("dynamic online acc", na,
                alpha[..., None] * acc + np.einsum("bmn,bnd->bmd", p, vv),
                1e-5, 2e-6)
