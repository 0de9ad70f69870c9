# REQUIRES: cpu-amx
# RUN: %python %s --sample 40 --seed 4096 --target sapphirerapids
# End-to-end numerics, a seeded sample for Sapphire Rapids (AVX-512 with
# the FP16 / BF16 / AMX additions): only where the host has amx_tile,
# amx_bf16, avx512_bf16 and avx512_fp16.
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
