# RUN: %python %s --sample 30 --seed 64 --target x86-64
# End-to-end numerics, a small seeded sample for baseline x86-64 (SSE2, 4
# f32 lanes, no FMA): runs on any x86-64 host, so the fast path is
# exercised even where the AVX2 / AVX-512 samples are unsupported.
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
