# REQUIRES: kiln-full
# RUN: rm -rf %t.repros
# RUN: %python %kiln_src_root/scripts/difftest.py --seed 100 --cases 500 --keep %t.repros
# Differential testing, the longer run of make check-full (lit --param
# kiln_full=1): cases 100..599 of scripts/difftest.py, the ones after the
# seeded sample of difftest-sample.py (which make check runs).
