# REQUIRES: kiln-full, cpu-avx512
# RUN: %python %s --target skylake-avx512
# End-to-end numerics, the whole variant matrix for AVX-512
# (skylake-avx512), under make check-full on hosts with avx512f/bw/vl/dq.
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
