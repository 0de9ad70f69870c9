# RUN: %python %s
# kiln.permute == numpy take_along_axis on the sequence dim, kiln.unpermute
# == the scatter out[b,h,idx[b,h,s]] = x[b,h,s]; permute then unpermute (by
# an equal but distinct index value, so nothing folds) restores the input.
# Ranks 3, 4 and 5, i32 and i64 indices, f32 / bf16 / i32 data, static and
# dynamic batch and sequence dims.
import numpy as np
import kiln_testing as kt
import attention_ref as ar

rng = np.random.default_rng(6)
T = ar.ttype


def perms(B, H, S):
    return np.stack([rng.permutation(S) for _ in range(B * H)]).reshape(B, H, S)


def func(shape, elt, ielt, dyn):
    """@f(x, idx, idx2) -> (permute(x, idx), unpermute(x, idx),
    unpermute(permute(x, idx), idx2)); with dyn the work runs in @g on
    tensors with dynamic batch and sequence dims."""
    st, it = T(shape, elt), T(shape[:3], ielt)
    dshape = ("?", shape[1], "?") + tuple(shape[3:])
    dt = T(dshape, elt) if dyn else st
    dit = T(("?", shape[1], "?"), ielt) if dyn else it
    g = f"""
  func.func @g(%x: {dt}, %i: {dit}, %j: {dit}) -> ({dt}, {dt}, {dt}) {{
    %p = kiln.permute %x by %i : {dt}, {dit} outs(%x : {dt}) -> {dt}
    %u = kiln.unpermute %x by %i : {dt}, {dit} outs(%x : {dt}) -> {dt}
    %r = kiln.unpermute %p by %j : {dt}, {dit} outs(%p : {dt}) -> {dt}
    return %p, %u, %r : {dt}, {dt}, {dt}
  }}"""
    if not dyn:
        return g.replace("@g", "@f")
    return g + f"""
  func.func @f(%x: {st}, %i: {it}, %j: {it}) -> ({st}, {st}, {st}) {{
    %dx = tensor.cast %x : {st} to {dt}
    %di = tensor.cast %i : {it} to {dit}
    %dj = tensor.cast %j : {it} to {dit}
    %r:3 = func.call @g(%dx, %di, %dj) : ({dt}, {dit}, {dit}) -> ({dt}, {dt}, {dt})
    %a = tensor.cast %r#0 : {dt} to {st}
    %b = tensor.cast %r#1 : {dt} to {st}
    %c = tensor.cast %r#2 : {dt} to {st}
    return %a, %b, %c : {st}, {st}, {st}
  }}"""


for shape, elt, ielt, dyn in (((2, 3, 7, 5), "f32", "i32", False),
                              ((1, 2, 13), "i32", "i64", False),
                              ((2, 1, 6, 3, 2), "bf16", "i32", True),
                              ((3, 2, 11, 4), "f32", "i64", True)):
    # Distinct small integers: exact in every type and through the printer.
    x = rng.permutation(np.prod(shape)).reshape(shape) - 100
    x = x.astype(np.int32 if elt == "i32" else np.float32)
    if elt == "bf16":
        x = x % 256  # exact in bf16
    idx = perms(*shape[:3])
    np_i = {"i32": np.int32, "i64": np.int64}[ielt]
    p, u, r = kt.run_func(func(shape, elt, ielt, dyn), "f",
                          [ar.encode(x, elt), idx.astype(np_i), idx.astype(np_i)],
                          [elt, ielt, ielt], [(list(shape), elt)] * 3)
    name = f"{shape} {elt} {ielt}{' dynamic' if dyn else ''}"
    assert np.array_equal(p, ar.permute(x, idx)), name + ": permute"
    assert np.array_equal(u, ar.unpermute(x, idx)), name + ": unpermute"
    assert np.array_equal(r, x), name + ": unpermute(permute(x))"
    # Independent of the helpers: the two definitions element by element.
    for b, h, s in np.ndindex(*shape[:3]):
        assert np.array_equal(p[b, h, s], x[b, h, idx[b, h, s]]), name
        assert np.array_equal(u[b, h, idx[b, h, s]], x[b, h, s]), name
    print(f"permute {name}: ok")
