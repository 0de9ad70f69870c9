# RUN: not %python %s --sample 10 --seed 7 --family matmul --family qcompute --pipeline-options opt-level=0 | FileCheck %s
# The harness cannot pass on the reference path alone: with opt-level=0 the
# CPU pipeline is the reference lowering, every case is still numerically
# right, and the run must fail because no case took the fast path.
# CHECK: path=slow
# CHECK-NOT: path=fast
# CHECK: 0 failed, 0 on the fast path
# CHECK: e2e FAILED: no case took the fast path
import sys

import kiln_e2e

kiln_e2e.main(sys.argv[1:])
