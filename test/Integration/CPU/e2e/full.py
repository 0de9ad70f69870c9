# REQUIRES: kiln-full, cpu-avx2, cpu-fma
# RUN: %python %s --target x86-64-v3
# End-to-end numerics, the whole variant matrix of kiln_e2e (make
# check-full, i.e. lit --param kiln_full=1) for x86-64-v3 (AVX2 + FMA).
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
