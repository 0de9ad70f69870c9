# Not a test: writes the .npy inputs and references of the kiln-run tests
# into the directory given as argv[1].
import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(3)


def save(name, array):
    np.save(os.path.join(out, name), array)


a = rng.standard_normal((7, 13)).astype(np.float32)
b = rng.standard_normal((13, 5)).astype(np.float32)
save("a.npy", a)
save("b.npy", b)
save("c.npy", a @ b)
wrong = a @ b
wrong[2, 3] += 0.5
save("c_wrong.npy", wrong)
# An infinite reference where the output is finite: a mismatch whatever
# the tolerance.
inf = a @ b
inf[2, 3] = -np.inf
save("c_inf.npy", inf)
save("c_f64.npy", (a.astype(np.float64) @ b.astype(np.float64)))
# bf16 as uint16 bit patterns: exact values so the widening is exact.
vals = np.array([1.5, -3.25, 0.0, 1024.0], np.float32)
save("bf16_in.npy", (vals.view(np.uint32) >> 16).astype(np.uint16))
save("bf16_ref.npy", vals)
# i4 one per byte in int8; the runtime packs them.
save("i4_in.npy", np.array([-8, -1, 0, 3, 7], np.int8))
save("i4_ref.npy", np.array([-8, -1, 0, 3, 7], np.int32))
# Dynamic rows.
d = rng.standard_normal((3, 4)).astype(np.float32)
save("d.npy", d)
save("d2.npy", d + d)
# Bad inputs.
save("a_f64.npy", a.astype(np.float64))
save("a_shape.npy", rng.standard_normal((7, 12)).astype(np.float32))
save("a_rank.npy", rng.standard_normal((91,)).astype(np.float32))
np.save(os.path.join(out, "a_fortran.npy"), np.asfortranarray(a))
raw = open(os.path.join(out, "a.npy"), "rb").read()
open(os.path.join(out, "a_truncated.npy"), "wb").write(raw[:-10])
open(os.path.join(out, "a_header.npy"), "wb").write(raw[:30])
open(os.path.join(out, "not.npy"), "wb").write(b"just some text\n")
