# RUN: %python %s
# kiln.attention with f16 / bf16 inputs vs numpy computed on the rounded
# inputs in f64. With an f32 output the kernel's f32 softmax/accumulation is
# checked tightly; with an f16 / bf16 output the tolerance is the output
# rounding (2^-11 / 2^-8 relative) plus that.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(4)
B, Hq, Hkv, Sq, Skv, D = 1, 4, 2, 13, 29, 7
TOL = {"f32": (1e-5, 5e-6), "f16": (1.5e-3, 1.5e-3), "bf16": (1e-2, 1e-2)}

for elt in ("f16", "bf16"):
    for out_elt in (elt, "f32"):
        for attrs, vis in (("", {}), ("causal, window_left = 6",
                                      dict(causal=True, window_left=6))):
            q = ar.round_to(rng.standard_normal((B, Hq, Sq, D)) * 2, elt)
            k = ar.round_to(rng.standard_normal((B, Hkv, Skv, D)) * 2, elt)
            v = ar.round_to(rng.standard_normal((B, Hkv, Skv, D)), elt)
            o, l = ar.run_attention(q, k, v, elt=elt, out_elt=out_elt,
                                    lse=True, attrs=attrs)
            wo, wl = ar.attention(q, k, v, **vis)
            rtol, atol = TOL[out_elt]
            name = f"{elt} in, {out_elt} out [{attrs}]"
            kt.assert_close(name + " O", o, wo, rtol, atol)
            ar.check_lse(name + " LSE", l, wl, atol=2e-5)
            if out_elt != "f32":
                # Exactly the f32 result rounded once (compared in f32).
                want = ar.round_to(wo, out_elt)
                ulp = 2.0 ** (-10 if out_elt == "f16" else -7)
                bad = np.abs(o - want) > ulp * np.maximum(np.abs(want), 2**-14)
                assert not bad.any(), name + " not a single rounding"

# f32 inputs with an f16 output (saturation is the truncf's: |O| <= max|V|
# so it cannot overflow here), and a fully masked row in bf16.
q = rng.standard_normal((1, 2, 5, 3)).astype(np.float32)
k = rng.standard_normal((1, 2, 6, 3)).astype(np.float32)
v = (rng.standard_normal((1, 2, 6, 3)) * 1000).astype(np.float32)
m = np.zeros((1, 1, 5, 6), np.float32)
m[0, 0, 2] = np.float32("-inf")
m = ar.round_to(m, "bf16")
o, l = ar.run_attention(q, k, v, out_elt="f16", lse=True, mask=m,
                        mask_elt="bf16")
wo, wl = ar.attention(q, k, v, mask=m)
kt.assert_close("f32 in, f16 out, bf16 mask O", o, wo, 1.5e-3, 1e-2)
ar.check_lse("f32 in, f16 out, bf16 mask LSE", l, wl)
assert (o[0, :, 2] == 0).all() and np.isneginf(l[0, :, 2]).all()
