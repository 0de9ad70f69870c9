# REQUIRES: cpu-avx2, cpu-fma
# RUN: %python %s --sample --target x86-64-v3
# End-to-end numerics, seeded sample (make check): ~400 cases drawn from the
# whole variant matrix of kiln_e2e (every op family, odd sizes, every dtype
# and quantized format), each through --kiln-cpu-pipeline=mcpu=x86-64-v3
# (AVX2 + FMA) and through --kiln-reference-pipeline, both against numpy.
# Fails on a mismatch and when no case took the fast (vectorized) path.
# full.py runs everything (make check-full).
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
