# RUN: %python %s
# kiln.qmatmul with minifloat weights against numpy decoding of the codes:
#  - MXFP4: f4E2M1FN codes (OCP MX table) with f8E8M0FNU scales per block of
#    32 along K (K = 64 and K = 70 with a partial block), extreme exponents
#    (2^-127, 2^125) and the E8M0 NaN code;
#  - FP8 f8E4M3FN and f8E5M2 weights with a per-tensor f32 scale (every
#    finite code, subnormals and the largest included);
#  - BFP: i8 mantissas with E8M0 exponents per block.
import numpy as np
import kiln_testing as kt
from kiln_cases import ty

rng = np.random.default_rng(5)

# OCP MX FP4 (E2M1): codes 0..7 are +[0, 0.5, 1, 1.5, 2, 3, 4, 6], 8..15 negative.
FP4 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6], np.float64)
FP4 = np.concatenate([FP4, -FP4])


def e8m0(e):
    e = np.asarray(e, np.float64)
    return np.where(e == 255, np.nan, np.exp2(e - 127))


def fp8(bits, ebits, mbits, bias, fn):
    """Decodes fp8 codes; fn: E4M3FN-style (only all-ones is NaN, no inf)."""
    b = np.asarray(bits, np.int64)
    sign = np.where(b >> 7, -1.0, 1.0)
    e = (b >> mbits) & ((1 << ebits) - 1)
    m = b & ((1 << mbits) - 1)
    val = np.where(e == 0, m / 2.0 ** mbits * 2.0 ** (1 - bias),
                   (1 + m / 2.0 ** mbits) * 2.0 ** (e - bias))
    emax = (1 << ebits) - 1
    if fn:
        val = np.where((e == emax) & (m == (1 << mbits) - 1), np.nan, val)
    else:
        val = np.where(e == emax, np.where(m == 0, np.inf, np.nan), val)
    return sign * val


def qmm(m, n, k, w_elt, s_shape, s_elt, fmt):
    o = ty([m, n], "f32")
    return f"""
  func.func @f(%a: {ty([m, k], 'f32')}, %w: {ty([n, k], w_elt)}, %s: {ty(s_shape, s_elt)}) -> {o} {{
    %i = tensor.empty() : {o}
    %c = kiln.qmatmul ins(%a, %w : {ty([m, k], 'f32')}, {ty([n, k], w_elt)})
         rhs_scale(%s : {ty(s_shape, s_elt)}) outs(%i : {o})
         {{transpose_b, rhs_format = {fmt}}} -> {o}
    return %c : {o}
  }}"""


def check(name, got, want):
    kt.assert_close(name, got, want, rtol=1e-5, atol=1e-5 * max(1e-30, np.abs(want).max()))


MX = "#kiln.qformat<mx, axis = 1, block = 32>"

# 1. MXFP4, ordinary exponents.
for m, n, k in [(5, 7, 64), (3, 13, 70)]:
    nb = -(-k // 32)
    a = rng.standard_normal((m, k)).astype(np.float32)
    codes = rng.integers(0, 16, (n, k)).astype(np.uint8)
    codes[0, :16] = np.arange(16)
    e = rng.integers(120, 135, (n, nb)).astype(np.uint8)
    (r,) = kt.run_func(qmm(m, n, k, "f4E2M1FN", [n, nb], "f8E8M0FNU", MX), "f",
                       [a, codes, e], ["f32", "f4E2M1FN", "f8E8M0FNU"], [([m, n], "f32")])
    deq = FP4[codes] * np.repeat(e8m0(e), 32, axis=1)[:, :k]
    check(f"mxfp4 {m}x{n}x{k}", r, a.astype(np.float64) @ deq.T)

# 2. MXFP4 with extreme exponents: 2^-127 (an f32 subnormal) and 2^125 (the
#    largest whose products with every FP4 code stay finite in f32: 6 * 2^125
#    < 2^128) with small activations; one output channel per case so the
#    magnitudes stay apart.
m, n, k = 2, 2, 64
a = (rng.standard_normal((m, k)) * 1e-3).astype(np.float32)
codes = rng.integers(0, 16, (n, k)).astype(np.uint8)
e = np.array([[252, 251], [0, 1]], np.uint8)
(r,) = kt.run_func(qmm(m, n, k, "f4E2M1FN", [n, 2], "f8E8M0FNU", MX), "f",
                   [a, codes, e], ["f32", "f4E2M1FN", "f8E8M0FNU"], [([m, n], "f32")])
want = a.astype(np.float64) @ (FP4[codes] * np.repeat(e8m0(e), 32, axis=1)).T
check("mxfp4 exponent 2^125", r[:, 0], want[:, 0])
kt.assert_close("mxfp4 exponent 2^-127", r[:, 1], want[:, 1], rtol=1e-4, atol=1e-44)

# 3. The E8M0 NaN code makes its output channel NaN, and only it.
e = np.array([[127, 127], [255, 127]], np.uint8)
(r,) = kt.run_func(qmm(m, n, k, "f4E2M1FN", [n, 2], "f8E8M0FNU", MX), "f",
                   [a, codes, e], ["f32", "f4E2M1FN", "f8E8M0FNU"], [([m, n], "f32")])
assert np.isnan(r[:, 1]).all() and not np.isnan(r[:, 0]).any(), r
print("mxfp4 E8M0 NaN scale: ok")

# 4. FP8 weights with a per-tensor scale; every finite code appears.
for name, elt, ebits, mbits, bias, fn, nan_codes in [
        ("f8E4M3FN", "f8E4M3FN", 4, 3, 7, True, (0x7F, 0xFF)),
        ("f8E5M2", "f8E5M2", 5, 2, 15, False, tuple(range(0x7C, 0x80)) + tuple(range(0xFC, 0x100)))]:
    finite = np.array([c for c in range(256) if c not in nan_codes], np.uint8)
    for m, n, k in [(3, 8, 31), (6, 17, 32)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        codes = rng.choice(finite, (n, k)).astype(np.uint8)
        if n * k >= len(finite):
            codes.flat[:len(finite)] = finite
        s = np.array(0.37, np.float32)
        (r,) = kt.run_func(qmm(m, n, k, elt, [], "f32", "#kiln.qformat<float>"), "f",
                           [a, codes, s], ["f32", elt, "f32"], [([m, n], "f32")])
        deq = fp8(codes, ebits, mbits, bias, fn) * float(s)
        check(f"{name} per-tensor {m}x{n}x{k}", r, a.astype(np.float64) @ deq.T)

# 5. BFP weights (4-bit mantissas in i8, E8M0 exponents per block of 16
#    along K, K = 40: a partial block).
m, n, k = 4, 6, 40
a = rng.standard_normal((m, k)).astype(np.float32)
q = rng.integers(-7, 8, (n, k)).astype(np.int8)
e = rng.integers(120, 130, (n, 3)).astype(np.uint8)
(r,) = kt.run_func(qmm(m, n, k, "i8", [n, 3], "f8E8M0FNU",
                       "#kiln.qformat<bfp, axis = 1, block = 16, bits = 4>"), "f",
                   [a, q, e], ["f32", "i8", "f8E8M0FNU"], [([m, n], "f32")])
deq = q * np.repeat(e8m0(e), 16, axis=1)[:, :k]
check(f"bfp4 block 16 {m}x{n}x{k}", r, a.astype(np.float64) @ deq.T)
