"""Inputs for run-time-checks.mlir, written to the folder given."""
import os
import sys

import numpy as np

out = sys.argv[1]
r = np.random.default_rng(5)


def save(name, a):
    np.save(os.path.join(out, name + ".npy"), a)


a = r.standard_normal((5, 6)).astype(np.float32)
b = r.standard_normal((6, 7)).astype(np.float32)
save("a", a)
save("b", b)
save("c", a @ b)
save("b_short", r.standard_normal((2, 7)).astype(np.float32))
x = r.standard_normal((1, 2, 5, 3)).astype(np.float32)
perm = np.stack([r.permutation(5), r.permutation(5)])[None].astype(np.int32)
save("x", x)
save("perm", perm)
save("xp", np.take_along_axis(x, perm[..., None].astype(np.int64), axis=2))
bad = perm.copy()
bad[0, 1, 3] = bad[0, 1, 4]  # a repeat
save("not_perm", bad)
far = perm.copy()
far[0, 0, 0] = 1 << 30  # far outside [0, S)
save("out_of_range", far)
