# RUN: %python %s
# kiln.block_select, mode top_k (MoBA), through the reference pipeline against
# the independent numpy model of harness/block_select_ref.py (pooling in f64,
# stable sorts; ties toward the lower block index). Every case checks that no
# selection is too close to call between f32 and f64 before comparing.
import numpy as np
import kiln_testing as kt
from block_select_ref import check, rand

rng = np.random.default_rng(2024)
q, k = rand(rng, 2, 2, 256, 16), rand(rng, 2, 2, 256, 16)
check("top_k=3 causal 256/32", q, k, 2, 32, 32, "top_k", True, 3)
# Odd sizes: Skv = 200 with blocks of 64 (last block of 8 keys).
q, k = rand(rng, 1, 2, 200, 8), rand(rng, 1, 2, 200, 8)
check("top_k=1 causal 200/64", q, k, 2, 64, 64, "top_k", True, 1)
# k >= nK: every causal block, i.e. blocks 0..I.
q, k = rand(rng, 1, 2, 200, 8), rand(rng, 1, 2, 200, 8)
wi, wc = check("top_k=10 causal 200/32", q, k, 2, 32, 32, "top_k", True, 10)
assert (wc == np.arange(1, 8)).all() and all(
    (wi[0, 0, i, :i + 1] == np.arange(i + 1)).all() for i in range(7))
# Non-causal, Sq < Skv, unaligned offset (two forced blocks per row).
q, k = rand(rng, 1, 2, 100, 16), rand(rng, 1, 2, 200, 16)
check("top_k=3 non-causal 100/200", q, k, 2, 32, 32, "top_k", False, 3)
q, k = rand(rng, 2, 1, 77, 13), rand(rng, 2, 1, 200, 13)
check("top_k=2 causal Sq<Skv 77/200", q, k, 1, 32, 32, "top_k", True, 2)
# Sq > Skv: the first query blocks see nothing (count 0).
q, k = rand(rng, 1, 1, 100, 8), rand(rng, 1, 1, 40, 8)
wi, wc = check("top_k=2 causal Sq>Skv 100/40", q, k, 1, 16, 16, "top_k",
               True, 2)
assert (wc[0, 0, :3] == 0).all()
# q_block 64 over kv_block 32: two forced blocks per query block.
q, k = rand(rng, 1, 2, 256, 16), rand(rng, 1, 2, 256, 16)
check("top_k=3 q64/kv32", q, k, 2, 64, 32, "top_k", True, 3)
# GQA: per query head (H = Hq) and per KV head (H = Hkv).
q, k = rand(rng, 1, 4, 192, 16), rand(rng, 1, 2, 192, 16)
check("GQA per query head", q, k, 4, 32, 32, "top_k", True, 3)
check("GQA per KV head", q, k, 2, 32, 32, "top_k", True, 3)
# Ties: key blocks 1, 2, 4 duplicate block 0 (identical pooled keys).
k = rand(rng, 1, 1, 192, 8)
for j in (1, 2, 4):
    k[:, :, 32 * j:32 * j + 32] = k[:, :, :32]
q = rand(rng, 1, 1, 192, 8)
check("ties non-causal", q, k, 1, 32, 32, "top_k", False, 3)
check("ties causal", q, k, 1, 32, 32, "top_k", True, 2)
# NaN: a NaN key block ranks last; an all-NaN query row picks the lowest.
k = rand(rng, 1, 1, 128, 8)
k[0, 0, 40] = np.nan
q = rand(rng, 1, 1, 128, 8)
q[0, 0, 100] = np.nan
check("NaN scores", q, k, 1, 16, 16, "top_k", False, 3)
# bf16 and f16 inputs, explicit scale.
q, k = rand(rng, 1, 2, 96, 16), rand(rng, 1, 2, 96, 16)
check("bf16", kt.bf16_bits(q), kt.bf16_bits(k), 2, 16, 16, "top_k", True,
      2, elt="bf16", scale=0.5)
check("f16", q.astype(np.float16), k.astype(np.float16), 2, 16, 16,
      "top_k", True, 2, elt="f16")
# Dynamic batch and sequence dims (capacity from the alignment bound).
q, k = rand(rng, 2, 4, 70, 8), rand(rng, 2, 2, 90, 8)
check("dynamic dims", q, k, 4, 16, 16, "top_k", True, 1, dyn=True, cap=2)
