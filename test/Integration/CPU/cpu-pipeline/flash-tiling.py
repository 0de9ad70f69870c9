# RUN: %python %s
# kiln-tile (the flash-attention loop nest) against numpy, for every mask
# kind, GQA ratio, odd lengths and several tile sizes, including tiles much
# smaller than the sequences so that causal/window tile skipping, boundary
# masks, block-list trip counts and partial tiles all occur:
#   1. kiln-tile + the reference pipeline (online_attention's reference
#      lowering), tile sizes 1x1, 3x5, 4x8 and 16x16;
#   2. kiln-cpu-pipeline with attention-tiles=4,8 (the fast path).
# Fully masked rows must give O = 0 and LSE = -inf.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(23)
CASES = []


def case(name, B, Hq, Hkv, Sq, Skv, D, attrs="", elt="f32", mask=False,
         blocks=None, positions=None, **vis):
    q = rng.standard_normal((B, Hq, Sq, D)).astype(np.float32)
    k = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    v = rng.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
    q, k, v = (ar.round_to(x, elt) for x in (q, k, v))
    inputs = [ar.encode(q, elt), ar.encode(k, elt), ar.encode(v, elt)]
    types = [elt] * 3
    m = None
    if mask:
        m = rng.standard_normal((B, 1, Sq, Skv)).astype(np.float32)
        m[rng.random(m.shape) < 0.3] = -np.inf
        m[0, 0, 0, :] = -np.inf  # a row that sees nothing
        inputs.append(m)
        types.append("f32")
    if blocks is not None:
        inputs += [blocks[0], blocks[1]]
        types += ["i32", "i32"]
        vis.update(block_indices=blocks[0], block_counts=blocks[1])
    if positions is not None:
        inputs += [positions[0], positions[1]]
        types += ["i32", "i32"]
        vis.update(q_positions=positions[0], k_positions=positions[1])
    fname = f"f{len(CASES)}"
    text = ar.attention_func(
        fname, q.shape, k.shape, v.shape, elt, elt, True,
        None if m is None else (m.shape, "f32"),
        None if blocks is None else (blocks[0].shape, blocks[1].shape),
        None if positions is None else (positions[0].shape,
                                        positions[1].shape), attrs)
    want_o, want_l = ar.attention(q, k, v, mask=m, **vis)
    outputs = [([B, Hq, Sq, D], elt), ([B, Hq, Sq], "f32")]
    CASES.append((name, (text, fname, inputs, types, outputs), want_o, want_l,
                  elt))


def block_list(B, H, nQ, nK, cap):
    """Random lists (junk past the count), one empty list and one count
    above the capacity (it clamps)."""
    idx, cnt = ar.block_list(B, H, nQ, nK, cap, rng)
    cnt[0, 0, 0] = 0
    if cnt.shape[2] > 1:
        cnt[0, -1, 1] = 77
    return idx, cnt


case("dense GQA 4:2", 2, 4, 2, 13, 29, 7)
case("causal square", 1, 2, 2, 29, 29, 8, "causal", causal=True)
case("causal Sq<Skv GQA 6:2", 1, 6, 2, 11, 37, 5, "causal", causal=True)
case("causal Sq>Skv (rows see nothing)", 1, 2, 1, 19, 7, 4, "causal",
     causal=True)
case("window left", 1, 3, 1, 23, 23, 4, "window_left = 5", window_left=5)
case("window left+right", 2, 2, 2, 17, 17, 3,
     "window_left = 2, window_right = 3", window_left=2, window_right=3)
case("window right only Sq<Skv", 1, 2, 1, 9, 26, 5, "window_right = 0",
     window_right=0)
case("causal window", 1, 4, 4, 31, 31, 6, "causal, window_left = 7",
     causal=True, window_left=7)
case("causal + additive mask", 1, 2, 2, 14, 21, 4, "causal", mask=True,
     causal=True)
case("additive mask only", 2, 2, 1, 9, 10, 3, mask=True)
case("bf16 causal GQA 8:2", 1, 8, 2, 19, 19, 16, "causal", elt="bf16",
     causal=True)
case("f16 window", 1, 2, 2, 15, 15, 8, "window_left = 3", elt="f16",
     window_left=3)

# Permuted tokens: positions are a within-segment shuffle.
qpos = np.stack([np.concatenate([rng.permutation(8) + s for s in (0, 8, 16)])
                 for _ in range(2)])[None].astype(np.int32)  # [1, 2, 24]
kpos = qpos[:, :1].copy()
case("positions causal", 1, 2, 1, 24, 24, 4, "causal",
     positions=(qpos, kpos), causal=True)
case("positions causal window", 1, 2, 1, 24, 24, 4,
     "causal, window_left = 6", positions=(qpos, kpos), causal=True,
     window_left=6)

qb, kb = 4, 8
for H, label in ((4, "per query head"), (2, "per KV head")):
    idx, cnt = block_list(1, H, -(-13 // qb), -(-29 // kb), 3)
    case(f"blocks {label}", 1, 4, 2, 13, 29, 5,
         f"q_block = {qb}, kv_block = {kb}", blocks=(idx, cnt),
         q_block=qb, kv_block=kb)
    case(f"blocks causal {label}", 1, 4, 2, 13, 29, 5,
         f"causal, q_block = {qb}, kv_block = {kb}", blocks=(idx, cnt),
         q_block=qb, kv_block=kb, causal=True)


def check(pipeline, label):
    results = kt.run_funcs([c[1] for c in CASES], pipeline)
    for (name, _, want_o, want_l, elt), (o, l) in zip(CASES, results):
        tol = 1e-5 if elt == "f32" else 2e-2
        kt.assert_close(f"{name} O [{label}]", o, want_o, rtol=tol,
                        atol=tol)
        ar.check_lse(f"{name} LSE [{label}]", l, want_l,
                     atol=1e-4 if elt == "f32" else 2e-2)
    print(f"{label}: {len(CASES)} cases ok")


for qt, kt_ in ((1, 1), (3, 5), (4, 8), (16, 16)):
    check([f"--kiln-tile=q-tile={qt} kv-tile={kt_}",
           "--kiln-reference-pipeline"], f"kiln-tile {qt}x{kt_}")
check(["--kiln-cpu-pipeline=mcpu=x86-64-v3 attention-tiles=4,8"],
      "kiln-cpu-pipeline 4x8")

# Exactly one query tile of the default size (S = 128): buffer deallocation
# then keeps a run-time alias check (a call) in the parallel body, which
# once left an alloca_scope that the scf-to-cf lowering split
# (kiln-cpu-inline-alloca-scopes).
CASES.clear()
case("causal one default tile", 1, 4, 4, 128, 128, 16, "causal", causal=True)
case("causal one default tile GQA", 1, 4, 2, 128, 128, 64, "causal",
     causal=True)
check(["--kiln-cpu-pipeline=mcpu=x86-64-v3"], "kiln-cpu-pipeline default tiles")
