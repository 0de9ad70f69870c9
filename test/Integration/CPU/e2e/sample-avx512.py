# REQUIRES: cpu-avx512
# RUN: %python %s --sample 60 --seed 512 --target skylake-avx512
# End-to-end numerics, a smaller seeded sample for AVX-512 (skylake-avx512:
# 16 f32 lanes, 32 vector registers): the JIT runs the code on this host,
# so this only runs where /proc/cpuinfo has avx512f/bw/vl/dq.
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
