# RUN: %python %s
# kiln.softmax reference lowering against numpy: every dimension of a 3-D
# input, negative dimensions, large magnitudes (the max shift must hold),
# -inf entries, a fully -inf slice (gives 0, not NaN), f16 / bf16 and a
# dynamic leading dim.
import numpy as np
import kiln_testing as kt
from kiln_cases import dynamic_lead_lines, ty, to_input

rng = np.random.default_rng(19)


def softmax_ref(x, dim):
    m = np.max(x, axis=dim, keepdims=True)
    safe = np.where(np.isneginf(m), 0.0, m)
    e = np.exp(x - safe)
    s = e.sum(axis=dim, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s == 0, 0.0, e / s)


def run_case(name, x, dim, elt="f32", dynamic=False):
    shape = list(x.shape)
    xin, xv = to_input(x, elt)
    xt = ty(shape, elt)
    if dynamic:
        xd = ty(["?"] + shape[1:], elt)
        body = dynamic_lead_lines(xt, xd) + f"""
    %yd = kiln.softmax %xd : {xd} outs(%i : {xd}) {{dimension = {dim} : i64}} -> {xd}
    %y = tensor.cast %yd : {xd} to {xt}"""
    else:
        body = f"""
    %i = tensor.empty() : {xt}
    %y = kiln.softmax %x : {xt} outs(%i : {xt}) {{dimension = {dim} : i64}} -> {xt}"""
    func = f"""
  func.func @f(%x: {xt}) -> {xt} {{{body}
    return %y : {xt}
  }}"""
    (got,) = kt.run_func(func, "f", [xin], [elt], [(shape, elt)])
    want = softmax_ref(xv, dim)
    assert not np.isnan(got).any(), f"{name}: NaN in result"
    tol = {"f32": 1e-5, "f16": 2e-3, "bf16": 1e-2}[elt]
    kt.assert_close(name, got, want, rtol=tol, atol=tol)
    return got


x3 = rng.standard_normal((3, 5, 7)) * 3
for d in (0, 1, 2, -1, -2):
    run_case(f"3-D dimension {d}", x3, d)
run_case("1-D 33", rng.standard_normal(33), 0)
run_case("large values", rng.standard_normal((4, 13)) * 50 + 1000, -1)
run_case("large negative values", rng.standard_normal((4, 13)) - 5000, 1)

masked = rng.standard_normal((5, 9))
masked[0, :] = -np.inf           # fully masked row
masked[2, ::2] = -np.inf         # partly masked row
masked[4, 1:] = -np.inf          # one visible entry
got = run_case("-inf rows", masked, -1)
assert (got[0] == 0).all(), got[0]
assert got[4, 0] == 1.0, got[4]
print("fully masked row is 0: ok")
masked_cols = rng.standard_normal((6, 4))
masked_cols[:, 2] = -np.inf
run_case("-inf column along dim 0", masked_cols, 0)
run_case("f16", rng.standard_normal((3, 17)) * 4, -1, elt="f16")
run_case("bf16 with a masked row", masked, 1, elt="bf16")
run_case("dynamic rows", rng.standard_normal((6, 7)), 1, dynamic=True)
run_case("dynamic, along the dynamic dim", rng.standard_normal((6, 7)), 0,
         dynamic=True)
