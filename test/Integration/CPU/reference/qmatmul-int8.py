# RUN: %python %s
# kiln.qmatmul with int8 weights against numpy: dequantize explicitly
# ((q - zp) * scale in f64), then matmul in f64.
#  - per-output-channel weights [N, K] with transpose_b, f32 / bf16 / f16
#    activations, odd and round sizes;
#  - int8 x int8 with zero points (per-tensor lhs, per-channel rhs), with
#    the extreme codes and zero points where (q - zp) leaves the i8 range;
#  - a zero scale (its channel decodes to 0).
import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(11)


def qmatmul_func(a_shape, a_elt, w_shape, w_elt, out_shape, out_elt, rhs_fmt,
                 s_shape, zw_shape=None, lhs=None, transpose_b=False):
    """lhs: None (real) or (fmt, scale shape, zero point shape or None)."""
    args = [f"%a: {ty(a_shape, a_elt)}", f"%w: {ty(w_shape, w_elt)}"]
    ops = ""
    if lhs:
        fmt, sa_shape, za_shape = lhs
        args.append(f"%sa: {ty(sa_shape, 'f32')}")
        ops += f" lhs_scale(%sa : {ty(sa_shape, 'f32')})"
        if za_shape is not None:
            args.append(f"%za: {ty(za_shape, 'i32')}")
            ops += f" lhs_zero_point(%za : {ty(za_shape, 'i32')})"
    args.append(f"%sw: {ty(s_shape, 'f32')}")
    ops += f" rhs_scale(%sw : {ty(s_shape, 'f32')})"
    if zw_shape is not None:
        args.append(f"%zw: {ty(zw_shape, 'i32')}")
        ops += f" rhs_zero_point(%zw : {ty(zw_shape, 'i32')})"
    attrs = [f"rhs_format = {rhs_fmt}"]
    if lhs:
        attrs.append(f"lhs_format = {lhs[0]}")
    if transpose_b:
        attrs.append("transpose_b")
    o = ty(out_shape, out_elt)
    return f"""
  func.func @f({", ".join(args)}) -> {o} {{
    %i = tensor.empty() : {o}
    %c = kiln.qmatmul ins(%a, %w : {ty(a_shape, a_elt)}, {ty(w_shape, w_elt)}){ops}
         outs(%i : {o}) {{{", ".join(attrs)}}} -> {o}
    return %c : {o}
  }}"""


def check(name, got, want, rtol=1e-5):
    # f32 accumulation over K terms: bound the error by the sum of |products|.
    kt.assert_close(name, got, want, rtol=rtol, atol=1e-5 * max(1.0, np.abs(want).max()))


# 1. Per-output-channel int8 weights [N, K], transpose_b, f32 activations.
for m, n, k in [(7, 13, 33), (8, 32, 64), (1, 5, 3)]:
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.integers(-128, 128, (n, k)).astype(np.int8)
    w[0, :2] = [-128, 127]
    s = (rng.random(n) * 0.05 + 1e-3).astype(np.float32)
    f = qmatmul_func([m, k], "f32", [n, k], "i8", [m, n], "f32",
                     "#kiln.qformat<int, axis = 0>", [n], transpose_b=True)
    (r,) = kt.run_func(f, "f", [a, w, s], ["f32", "i8", "f32"], [([m, n], "f32")])
    deq = w.astype(np.float64) * s.astype(np.float64)[:, None]
    check(f"int8 per-channel transpose_b {m}x{n}x{k}", r, a.astype(np.float64) @ deq.T)

# 2. bf16 activations and result; f16 activations with a zero scale channel.
m, n, k = 5, 9, 40
a_bits = kt.bf16_bits(rng.standard_normal((m, k)))
w = rng.integers(-128, 128, (n, k)).astype(np.int8)
s = (rng.random(n) * 0.05 + 1e-3).astype(np.float32)
f = qmatmul_func([m, k], "bf16", [n, k], "i8", [m, n], "bf16",
                 "#kiln.qformat<int, axis = 0>", [n], transpose_b=True)
(r,) = kt.run_func(f, "f", [a_bits, w, s], ["bf16", "i8", "f32"], [([m, n], "bf16")])
want = kt.bf16_to_f32(a_bits).astype(np.float64) @ (w.astype(np.float64) * s[:, None]).T
kt.assert_close("bf16 activations, bf16 result", r, want, rtol=2 ** -7, atol=1e-2)

a16 = rng.standard_normal((m, k)).astype(np.float16)
s[3] = 0.0
f = qmatmul_func([m, k], "f16", [n, k], "i8", [m, n], "f32",
                 "#kiln.qformat<int, axis = 0>", [n], transpose_b=True)
(r,) = kt.run_func(f, "f", [a16, w, s], ["f16", "i8", "f32"], [([m, n], "f32")])
want = a16.astype(np.float64) @ (w.astype(np.float64) * s[:, None]).T
check("f16 activations, zero-scale channel", r, want)
assert (r[:, 3] == 0).all(), r[:, 3]

# 3. int8 x int8, both with zero points: lhs per tensor, rhs per column
#    (axis 1 of [K, N]). Extreme codes and zero points: (q - zp) reaches
#    +-255, outside i8.
for m, n, k in [(6, 11, 17), (4, 16, 32)]:
    a = rng.integers(-128, 128, (m, k)).astype(np.int8)
    w = rng.integers(-128, 128, (k, n)).astype(np.int8)
    a[0, 0], a[0, 1] = 127, -128
    w[0, 0], w[1, 0], w[0, 1] = 127, -128, -128
    sa = np.array(0.03, np.float32)
    za = np.array(-128, np.int32)
    sw = (rng.random(n) * 0.02 + 1e-3).astype(np.float32)
    zw = rng.integers(-20, 20, n).astype(np.int32)
    zw[0], zw[1] = 127, -128
    f = qmatmul_func([m, k], "i8", [k, n], "i8", [m, n], "f32",
                     "#kiln.qformat<int, axis = 1>", [n], zw_shape=[n],
                     lhs=("#kiln.qformat<int>", [], []))
    (r,) = kt.run_func(f, "f", [a, w, sa, za, sw, zw],
                       ["i8", "i8", "f32", "i32", "f32", "i32"], [([m, n], "f32")])
    da = (a.astype(np.float64) - float(za)) * float(sa)
    dw = (w.astype(np.float64) - zw[None, :]) * sw[None, :].astype(np.float64)
    check(f"int8 x int8 with zero points {m}x{n}x{k}", r, da @ dw)
