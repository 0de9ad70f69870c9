# RUN: %python %s
# kiln.matmul reference lowering against numpy: rank 2, batched (one and two
# batch dims), transpose_b, odd sizes, f16 / bf16 operands with f32 and
# low-precision results, a dynamic batch dim, and an init holding garbage
# (it must be overwritten, not accumulated into).
import numpy as np
import kiln_testing as kt
from kiln_cases import ty, to_input

rng = np.random.default_rng(11)


def run_case(name, batch, m, k, n, transpose_b=False, elt="f32", out="f32",
             dynamic=False):
    a_shape = batch + [m, k]
    b_shape = batch + ([n, k] if transpose_b else [k, n])
    c_shape = batch + [m, n]
    a, av = to_input(rng.standard_normal(a_shape), elt)
    b, bv = to_input(rng.standard_normal(b_shape), elt)
    init, _ = to_input(100 + rng.standard_normal(c_shape), out)
    at, bt, ct = ty(a_shape, elt), ty(b_shape, elt), ty(c_shape, out)
    attr = " {transpose_b}" if transpose_b else ""
    if dynamic:
        ad, bd, cd = (ty(["?"] + s[1:], e) for s, e in
                      ((a_shape, elt), (b_shape, elt), (c_shape, out)))
        body = f"""
    %ad = tensor.cast %a : {at} to {ad}
    %bd = tensor.cast %b : {bt} to {bd}
    %id = tensor.cast %i : {ct} to {cd}
    %cd = kiln.matmul ins(%ad, %bd : {ad}, {bd}) outs(%id : {cd}){attr} -> {cd}
    %c = tensor.cast %cd : {cd} to {ct}"""
    else:
        body = f"""
    %c = kiln.matmul ins(%a, %b : {at}, {bt}) outs(%i : {ct}){attr} -> {ct}"""
    func = f"""
  func.func @f(%a: {at}, %b: {bt}, %i: {ct}) -> {ct} {{{body}
    return %c : {ct}
  }}"""
    (got,) = kt.run_func(func, "f", [a, b, init], [elt, elt, out], [(c_shape, out)])
    want = av @ (np.swapaxes(bv, -1, -2) if transpose_b else bv)
    tol = {"f32": 1e-4, "f16": 3e-3, "bf16": 2e-2}[out]
    kt.assert_close(name, got, want, rtol=tol, atol=tol)


run_case("2-D 7x13x33", [], 7, 13, 33)
run_case("2-D 16x8x4", [], 16, 8, 4)
run_case("2-D transpose_b", [], 7, 33, 13, transpose_b=True)
run_case("batched 3", [3], 7, 5, 13)
run_case("batched 3 transpose_b", [3], 13, 7, 5, transpose_b=True)
run_case("two batch dims", [2, 3], 5, 9, 7)
run_case("two batch dims transpose_b", [2, 3], 5, 9, 7, transpose_b=True)
run_case("f16 in, f32 out", [2], 7, 33, 5, elt="f16")
run_case("bf16 in, bf16 out, transpose_b", [2], 7, 13, 5, elt="bf16",
         out="bf16", transpose_b=True)
run_case("f16 in, f16 out", [], 9, 17, 5, elt="f16", out="f16")
run_case("dynamic batch", [4], 7, 5, 3, dynamic=True)
run_case("dynamic batch transpose_b bf16", [3], 5, 7, 9, transpose_b=True,
         elt="bf16", dynamic=True)
