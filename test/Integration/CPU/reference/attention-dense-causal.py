# RUN: %python %s
# kiln.attention reference lowering vs numpy: dense and causal, GQA groups 4
# and 1, odd sizes, chunked queries against a longer KV cache (Sq < Skv) and
# more queries than keys (Sq > Skv: the first rows see nothing), with LSE.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(1)


def case(name, B, Hq, Hkv, Sq, Skv, D, Dv, attrs="", scale=None, **vis):
    q = rng.standard_normal((B, Hq, Sq, D)).astype(np.float32)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    v = rng.standard_normal((B, Hkv, Skv, Dv)).astype(np.float32)
    o, l = ar.run_attention(q, k, v, lse=True, attrs=attrs)
    wo, wl = ar.attention(q, k, v, scale=scale, **vis)
    kt.assert_close(name + " O", o, wo, rtol=1e-5, atol=2e-6)
    ar.check_lse(name + " LSE", l, wl)
    return wl


case("dense 13x29 D7 gqa4", 2, 8, 2, 13, 29, 7, 5)
case("dense 16x16 D8 gqa1", 1, 2, 2, 16, 16, 8, 8)
case("dense scale attr", 1, 4, 1, 7, 9, 3, 4, attrs="scale = 0.3 : f32",
     scale=np.float32(0.3))
case("causal Sq=Skv", 1, 4, 2, 13, 13, 7, 7, attrs="causal", causal=True)
case("causal chunk Sq<Skv", 2, 4, 1, 5, 29, 7, 3, attrs="causal", causal=True)
wl = case("causal Sq>Skv", 1, 2, 2, 9, 4, 3, 3, attrs="causal", causal=True)
assert np.isneginf(wl[:, :, :5]).all() and np.isfinite(wl[:, :, 5:]).all()

# Large logits: softmax must subtract the row max (no overflow to inf/NaN).
q = np.full((1, 1, 3, 4), 30.0, np.float32)
k = np.full((1, 1, 5, 4), 30.0, np.float32)
k[0, 0, 2] = 31.0
v = rng.standard_normal((1, 1, 5, 2)).astype(np.float32)
o, l = ar.run_attention(q, k, v, lse=True)
wo, wl = ar.attention(q, k, v)
kt.assert_close("large logits O", o, wo, rtol=1e-5, atol=1e-5)
kt.assert_close("large logits LSE", l, wl, rtol=1e-5, atol=1e-3)

# Ties: equal scores give equal weights (O = mean of V).
q = np.zeros((1, 1, 2, 3), np.float32)
k = rng.standard_normal((1, 1, 6, 3)).astype(np.float32)
v = rng.standard_normal((1, 1, 6, 2)).astype(np.float32)
(o,) = ar.run_attention(q, k, v)
kt.assert_close("ties O", o, np.broadcast_to(v.mean(axis=2, keepdims=True),
                                             (1, 1, 2, 2)), 1e-5, 1e-6)
