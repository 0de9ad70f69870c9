# RUN: %python %s
# Batched kiln.qmatmul against numpy: static batch with per-channel weights,
# and dynamic batch and row dims (the op sees tensor<?x?xK...>) with
# block-wise int4 weights and zero points, and both operands quantized.
import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(31)


def check(name, got, want):
    kt.assert_close(name, got, want, rtol=1e-5, atol=1e-5 * max(1.0, np.abs(want).max()))


# 1. Static batch 3, per-channel int8 weights [B, N, K], transpose_b.
b, m, n, k = 3, 7, 13, 33
a = rng.standard_normal((b, m, k)).astype(np.float32)
w = rng.integers(-128, 128, (b, n, k)).astype(np.int8)
s = (rng.random(n) * 0.05 + 1e-3).astype(np.float32)
f = f"""
  func.func @f(%a: {ty([b, m, k], 'f32')}, %w: {ty([b, n, k], 'i8')}, %s: {ty([n], 'f32')}) -> {ty([b, m, n], 'f32')} {{
    %i = tensor.empty() : {ty([b, m, n], 'f32')}
    %c = kiln.qmatmul ins(%a, %w : {ty([b, m, k], 'f32')}, {ty([b, n, k], 'i8')})
         rhs_scale(%s : {ty([n], 'f32')}) outs(%i : {ty([b, m, n], 'f32')})
         {{transpose_b, rhs_format = #kiln.qformat<int, axis = 1>}} -> {ty([b, m, n], 'f32')}
    return %c : {ty([b, m, n], 'f32')}
  }}"""
(r,) = kt.run_func(f, "f", [a, w, s], ["f32", "i8", "f32"], [([b, m, n], "f32")])
deq = w.astype(np.float64) * s.astype(np.float64)[None, :, None]
check("batched int8 per-channel", r, a.astype(np.float64) @ deq.transpose(0, 2, 1))

# 2. Dynamic batch and rows: int4 weights [B, N, K] in blocks of 32 along K
#    (K = 70: a partial last block) with per-block zero points.
b, m, n, k = 2, 5, 9, 70
nb = 3
a = rng.standard_normal((b, m, k)).astype(np.float32)
w = rng.integers(-8, 8, (b, n, k))
s = (rng.random((b, n, nb)) * 0.1 + 1e-3).astype(np.float32)
z = rng.integers(-8, 8, (b, n, nb)).astype(np.int32)
D = None
f = f"""
  func.func @dyn(%a: {ty([D, D, k], 'f32')}, %w: {ty([D, n, k], 'i4')},
                 %s: {ty([D, n, nb], 'f32')}, %z: {ty([D, n, nb], 'i32')}) -> {ty([D, D, n], 'f32')} {{
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %d0 = tensor.dim %a, %c0 : {ty([D, D, k], 'f32')}
    %d1 = tensor.dim %a, %c1 : {ty([D, D, k], 'f32')}
    %i = tensor.empty(%d0, %d1) : {ty([D, D, n], 'f32')}
    %c = kiln.qmatmul ins(%a, %w : {ty([D, D, k], 'f32')}, {ty([D, n, k], 'i4')})
         rhs_scale(%s : {ty([D, n, nb], 'f32')}) rhs_zero_point(%z : {ty([D, n, nb], 'i32')})
         outs(%i : {ty([D, D, n], 'f32')})
         {{transpose_b, rhs_format = #kiln.qformat<int, axis = 2, block = 32>}} -> {ty([D, D, n], 'f32')}
    return %c : {ty([D, D, n], 'f32')}
  }}
  func.func @f(%a: {ty([b, m, k], 'f32')}, %w: {ty([b, n, k], 'i4')},
               %s: {ty([b, n, nb], 'f32')}, %z: {ty([b, n, nb], 'i32')}) -> {ty([b, m, n], 'f32')} {{
    %a1 = tensor.cast %a : {ty([b, m, k], 'f32')} to {ty([D, D, k], 'f32')}
    %w1 = tensor.cast %w : {ty([b, n, k], 'i4')} to {ty([D, n, k], 'i4')}
    %s1 = tensor.cast %s : {ty([b, n, nb], 'f32')} to {ty([D, n, nb], 'f32')}
    %z1 = tensor.cast %z : {ty([b, n, nb], 'i32')} to {ty([D, n, nb], 'i32')}
    %r = call @dyn(%a1, %w1, %s1, %z1) : ({ty([D, D, k], 'f32')}, {ty([D, n, k], 'i4')}, {ty([D, n, nb], 'f32')}, {ty([D, n, nb], 'i32')}) -> {ty([D, D, n], 'f32')}
    %r1 = tensor.cast %r : {ty([D, D, n], 'f32')} to {ty([b, m, n], 'f32')}
    return %r1 : {ty([b, m, n], 'f32')}
  }}"""
(r,) = kt.run_func(f, "f", [a, w, s, z], ["f32", "i4", "f32", "i32"], [([b, m, n], "f32")])
expand = lambda x: np.repeat(x, 32, axis=2)[:, :, :k]
deq = (w - expand(z)) * expand(s.astype(np.float64))
check("batched dynamic int4 blocked", r, a.astype(np.float64) @ deq.transpose(0, 2, 1))

# 3. Both operands quantized, batched: lhs per-tensor with a zero point,
#    rhs [B, K, N] per column.
b, m, n, k = 4, 3, 6, 11
a = rng.integers(-128, 128, (b, m, k)).astype(np.int8)
w = rng.integers(-128, 128, (b, k, n)).astype(np.int8)
sa, za = np.array(0.02, np.float32), np.array(5, np.int32)
sw = (rng.random(n) * 0.02 + 1e-3).astype(np.float32)
f = f"""
  func.func @f(%a: {ty([b, m, k], 'i8')}, %w: {ty([b, k, n], 'i8')}, %sa: tensor<f32>,
               %za: tensor<i32>, %sw: {ty([n], 'f32')}) -> {ty([b, m, n], 'f32')} {{
    %i = tensor.empty() : {ty([b, m, n], 'f32')}
    %c = kiln.qmatmul ins(%a, %w : {ty([b, m, k], 'i8')}, {ty([b, k, n], 'i8')})
         lhs_scale(%sa : tensor<f32>) lhs_zero_point(%za : tensor<i32>)
         rhs_scale(%sw : {ty([n], 'f32')}) outs(%i : {ty([b, m, n], 'f32')})
         {{lhs_format = #kiln.qformat<int>, rhs_format = #kiln.qformat<int, axis = 2>}}
         -> {ty([b, m, n], 'f32')}
    return %c : {ty([b, m, n], 'f32')}
  }}"""
(r,) = kt.run_func(f, "f", [a, w, sa, za, sw], ["i8", "i8", "f32", "i32", "f32"],
                   [([b, m, n], "f32")])
da = (a.astype(np.float64) - 5) * float(sa)
dw = w.astype(np.float64) * sw.astype(np.float64)[None, None, :]
check("batched int8 x int8", r, da @ dw)
