# RUN: %python %s
# kiln.attention vs numpy: position operands (per query head and per KV
# head, arbitrary and permuted orders, with causal and windows); the exact
# rewrite permute -> attention(positions) -> unpermute == causal attention;
# additive masks (full, broadcast over batch / heads, f16, fully -inf rows:
# O = 0 and LSE = -inf, also where causal and mask together hide a row).
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(3)
B, Hq, Hkv, Sq, Skv, D = 2, 4, 2, 13, 13, 7


def qkv(Sq=Sq, Skv=Skv):
    return (rng.standard_normal((B, Hq, Sq, D)).astype(np.float32),
            rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32),
            rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32))


def perms(H, S):
    return np.stack([rng.permutation(S) for _ in range(B * H)]).reshape(
        B, H, S).astype(np.int32)


# Position operands.
for qh, name in ((Hq, "per query head"), (Hkv, "per KV head")):
    for attrs, vis in (("causal", dict(causal=True)),
                       ("causal, window_left = 3", dict(causal=True, window_left=3)),
                       ("window_left = 2, window_right = 2",
                        dict(window_left=2, window_right=2)),
                       ("", dict())):
        q, k, v = qkv()
        qp = rng.integers(0, 20, (B, qh, Sq)).astype(np.int32)  # duplicates too
        kp = perms(Hkv, Skv)
        o, l = ar.run_attention(q, k, v, lse=True, positions=(qp, kp),
                                attrs=attrs)
        wo, wl = ar.attention(q, k, v, q_positions=qp, k_positions=kp, **vis)
        kt.assert_close(f"positions {name} [{attrs}] O", o, wo, 1e-5, 2e-6)
        ar.check_lse(f"positions {name} [{attrs}] LSE", l, wl)

# permute -> attention with positions -> unpermute equals causal attention
# in the original order (permutation per KV head; queries follow their KV
# head's permutation). Sq < Skv: queries hold positions Skv-Sq .. Skv-1.
Sq2 = 9
G = Hq // Hkv
pk = perms(Hkv, Skv)
pq_kv = perms(Hkv, Sq2)
pq = np.repeat(pq_kv, G, axis=1)
func = f"""
  func.func @perm_attn(%q: tensor<{B}x{Hq}x{Sq2}x{D}xf32>, %k: tensor<{B}x{Hkv}x{Skv}x{D}xf32>,
      %v: tensor<{B}x{Hkv}x{Skv}x{D}xf32>, %iq: tensor<{B}x{Hq}x{Sq2}xi32>,
      %ik: tensor<{B}x{Hkv}x{Skv}xi32>, %qp: tensor<{B}x{Hkv}x{Sq2}xi32>,
      %kp: tensor<{B}x{Hkv}x{Skv}xi32>) -> tensor<{B}x{Hq}x{Sq2}x{D}xf32> {{
    %eq = tensor.empty() : tensor<{B}x{Hq}x{Sq2}x{D}xf32>
    %ek = tensor.empty() : tensor<{B}x{Hkv}x{Skv}x{D}xf32>
    %q2 = kiln.permute %q by %iq : tensor<{B}x{Hq}x{Sq2}x{D}xf32>, tensor<{B}x{Hq}x{Sq2}xi32>
          outs(%eq : tensor<{B}x{Hq}x{Sq2}x{D}xf32>) -> tensor<{B}x{Hq}x{Sq2}x{D}xf32>
    %k2 = kiln.permute %k by %ik : tensor<{B}x{Hkv}x{Skv}x{D}xf32>, tensor<{B}x{Hkv}x{Skv}xi32>
          outs(%ek : tensor<{B}x{Hkv}x{Skv}x{D}xf32>) -> tensor<{B}x{Hkv}x{Skv}x{D}xf32>
    %v2 = kiln.permute %v by %ik : tensor<{B}x{Hkv}x{Skv}x{D}xf32>, tensor<{B}x{Hkv}x{Skv}xi32>
          outs(%ek : tensor<{B}x{Hkv}x{Skv}x{D}xf32>) -> tensor<{B}x{Hkv}x{Skv}x{D}xf32>
    %o = kiln.attention ins(%q2, %k2, %v2 : tensor<{B}x{Hq}x{Sq2}x{D}xf32>,
           tensor<{B}x{Hkv}x{Skv}x{D}xf32>, tensor<{B}x{Hkv}x{Skv}x{D}xf32>)
         positions(%qp, %kp : tensor<{B}x{Hkv}x{Sq2}xi32>, tensor<{B}x{Hkv}x{Skv}xi32>)
         outs(%eq : tensor<{B}x{Hq}x{Sq2}x{D}xf32>) {{causal, window_left = 5}}
         -> tensor<{B}x{Hq}x{Sq2}x{D}xf32>
    %r = kiln.unpermute %o by %iq : tensor<{B}x{Hq}x{Sq2}x{D}xf32>, tensor<{B}x{Hq}x{Sq2}xi32>
         outs(%eq : tensor<{B}x{Hq}x{Sq2}x{D}xf32>) -> tensor<{B}x{Hq}x{Sq2}x{D}xf32>
    return %r : tensor<{B}x{Hq}x{Sq2}x{D}xf32>
  }}"""
q, k, v = qkv(Sq2, Skv)
# Positions of the permuted tokens: permuted query s is original query
# pq[s], at position pq[s] + Skv - Sq2; permuted key s is key pk[s].
qpos = (pq_kv + (Skv - Sq2)).astype(np.int32)
kpos = pk.copy()
(o,) = kt.run_func(func, "perm_attn", [q, k, v, pq, pk, qpos, kpos],
                   ["f32"] * 3 + ["i32"] * 4, [([B, Hq, Sq2, D], "f32")])
wo, _ = ar.attention(q, k, v, causal=True, window_left=5)
kt.assert_close("permuted attention == causal", o, wo, 1e-5, 2e-6)

# Additive masks.
ninf = np.float32("-inf")
for mshape in ((B, Hq, Sq, Skv), (1, 1, Sq, Skv), (B, 1, Sq, Skv),
               (1, Hq, Sq, Skv)):
    for melt in ("f32", "f16"):
        q, k, v = qkv()
        m = rng.standard_normal(mshape).astype(np.float32)
        m[rng.random(mshape) < 0.3] = ninf
        m[..., 3, :] = ninf  # a fully masked row
        m = ar.round_to(m, melt)
        o, l = ar.run_attention(q, k, v, lse=True, mask=m, mask_elt=melt)
        wo, wl = ar.attention(q, k, v, mask=m)
        name = f"mask {mshape} {melt}"
        kt.assert_close(name + " O", o, wo, 1e-5, 2e-6)
        ar.check_lse(name + " LSE", l, wl)
        assert (o[:, :, 3] == 0).all() and not np.isnan(o).any(), name
        assert np.isneginf(l[:, :, 3]).all(), name

# Mask and causal together hide a row that neither hides alone.
q, k, v = qkv()
m = np.zeros((1, 1, Sq, Skv), np.float32)
m[0, 0, 4, :5] = ninf  # row 4 sees keys 0..4 causally, the mask hides them
o, l = ar.run_attention(q, k, v, lse=True, mask=m, attrs="causal")
wo, wl = ar.attention(q, k, v, mask=m, causal=True)
kt.assert_close("mask+causal O", o, wo, 1e-5, 2e-6)
ar.check_lse("mask+causal LSE", l, wl)
assert (o[:, :, 4] == 0).all() and np.isneginf(l[:, :, 4]).all()
