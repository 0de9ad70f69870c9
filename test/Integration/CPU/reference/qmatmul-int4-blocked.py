# RUN: %python %s
# kiln.qmatmul with int4 weights and block-wise scales (block 32 along K)
# against numpy: K = 96 (three whole blocks) and K = 70 (two whole blocks and
# a partial one of 6), weights as [N, K] with transpose_b and as [K, N],
# symmetric and with per-block zero points (extremes included).
import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(23)
BLOCK = 32


def expand_blocks(x, axis, length):
    """Repeats each block entry BLOCK times along axis and cuts to length."""
    return np.repeat(x, BLOCK, axis=axis).take(np.arange(length), axis=axis)


def run(m, n, k, transpose_b, with_zp):
    a = rng.standard_normal((m, k)).astype(np.float32)
    nb = -(-k // BLOCK)
    if transpose_b:
        w_shape, s_shape, axis = [n, k], [n, nb], 1
    else:
        w_shape, s_shape, axis = [k, n], [nb, n], 0
    w = rng.integers(-8, 8, w_shape)
    w.flat[0], w.flat[1] = -8, 7
    s = (rng.random(s_shape) * 0.1 + 1e-3).astype(np.float32)
    zp = rng.integers(-8, 8, s_shape).astype(np.int32)
    zp.flat[0] = 7 if with_zp else 0
    args = [f"%a: {ty([m, k], 'f32')}", f"%w: {ty(w_shape, 'i4')}",
            f"%s: {ty(s_shape, 'f32')}"]
    zp_ops = ""
    inputs, types = [a, w, s], ["f32", "i4", "f32"]
    if with_zp:
        args.append(f"%z: {ty(s_shape, 'i32')}")
        zp_ops = f" rhs_zero_point(%z : {ty(s_shape, 'i32')})"
        inputs.append(zp)
        types.append("i32")
    attrs = f"rhs_format = #kiln.qformat<int, axis = {axis}, block = {BLOCK}>"
    if transpose_b:
        attrs += ", transpose_b"
    o = ty([m, n], "f32")
    f = f"""
  func.func @f({", ".join(args)}) -> {o} {{
    %i = tensor.empty() : {o}
    %c = kiln.qmatmul ins(%a, %w : {ty([m, k], 'f32')}, {ty(w_shape, 'i4')})
         rhs_scale(%s : {ty(s_shape, 'f32')}){zp_ops} outs(%i : {o}) {{{attrs}}} -> {o}
    return %c : {o}
  }}"""
    (r,) = kt.run_func(f, "f", inputs, types, [([m, n], "f32")])
    z = zp if with_zp else np.zeros(s_shape)
    deq = (w - expand_blocks(z, axis, k)) * expand_blocks(s.astype(np.float64), axis, k)
    want = a.astype(np.float64) @ (deq.T if transpose_b else deq)
    name = (f"int4 block {BLOCK} {m}x{n}x{k} "
            f"{'transpose_b' if transpose_b else '[K, N]'}{' zp' if with_zp else ''}")
    kt.assert_close(name, r, want, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(want).max()))


for k in (96, 70):
    run(7, 13, k, transpose_b=True, with_zp=False)
    run(3, 5, k, transpose_b=True, with_zp=True)
    run(4, 9, k, transpose_b=False, with_zp=True)
