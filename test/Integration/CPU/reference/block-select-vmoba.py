# RUN: %python %s
# kiln.block_select, mode relative (VMoBA's threshold: min-max normalized
# scores, the own block(s) always kept, candidates until their normalized
# mass reaches max(0, threshold - own/total)), through the reference
# pipeline against the numpy model of harness/block_select_ref.py.
import numpy as np
from block_select_ref import check, rand

rng = np.random.default_rng(77)
q, k = rand(rng, 2, 2, 256, 16), rand(rng, 2, 2, 256, 16)
check("relative 0.3 non-causal 256/32", q, k, 2, 32, 32, "relative",
      threshold=0.3)
check("relative 0.6 causal 256/32", q, k, 2, 32, 32, "relative", True,
      threshold=0.6)
# Odd sizes, GQA (per KV head lists), Sq < Skv (two own blocks).
q, k = rand(rng, 1, 4, 77, 8), rand(rng, 1, 2, 200, 8)
check("relative 0.25 non-causal Sq<Skv GQA", q, k, 2, 16, 16, "relative",
      threshold=0.25)
check("relative 0.5 per query head", q, k, 4, 16, 16, "relative",
      threshold=0.5)
# A high threshold keeps most candidates (below 1, never the lowest-scoring
# one: its normalized score is 0); threshold 1 keeps them all.
check("relative 0.9 causal GQA", q, k, 2, 16, 16, "relative", True,
      threshold=0.9)
wi, wc = check("relative 1.0 non-causal = all blocks", q, k, 2, 16, 16,
               "relative", threshold=1.0)
assert (wc == -(-200 // 16)).all()
