"""Numpy reference of Kiln's quantized formats, written from the format
definitions (OCP FP8 / MX v1.0, bitsandbytes create_dynamic_map), not from
the lowering. Imported by the quant-*.py numerics tests;
quant-ref-selftest.py checks it against the OCP table.
"""
import numpy as np

# name: (exponent bits, mantissa bits, bias, has inf, NaN rule, nan code)
FORMATS = {
    "f8E4M3FN": (4, 3, 7),
    "f8E5M2": (5, 2, 15),
    "f4E2M1FN": (2, 1, 1),
}
NAN_CODE = {"f8E4M3FN": 0x7F, "f8E5M2": 0x7E, "f4E2M1FN": None}


def ncodes(fmt):
    e, m, _ = FORMATS[fmt]
    return 1 << (1 + e + m)


def decode_one(fmt, c):
    """Value of code c (python float, exact)."""
    e, m, bias = FORMATS[fmt]
    sign = -1.0 if (c >> (e + m)) & 1 else 1.0
    ef = (c >> m) & ((1 << e) - 1)
    man = c & ((1 << m) - 1)
    if fmt == "f8E4M3FN" and ef == 15 and man == 7:
        return float("nan")
    if fmt == "f8E5M2" and ef == 31:
        return sign * float("inf") if man == 0 else float("nan")
    if ef == 0:
        return sign * 2.0 ** (1 - bias) * (man / 2.0 ** m)
    return sign * 2.0 ** (ef - bias) * (1 + man / 2.0 ** m)


def decode(fmt, codes):
    table = np.array([decode_one(fmt, c) for c in range(ncodes(fmt))],
                     np.float64)
    return table[np.asarray(codes, np.int64)].astype(np.float32)


def positive_finite(fmt):
    """(codes, values) of the non-negative finite codes, ascending."""
    e, m, _ = FORMATS[fmt]
    codes = [c for c in range(1 << (e + m)) if np.isfinite(decode_one(fmt, c))]
    return np.array(codes), np.array([decode_one(fmt, c) for c in codes])


def encode(fmt, t):
    """Nearest finite value (ties to the even code), saturating, sign kept;
    NaN -> the canonical NaN (E2M1: +0). t: float32 array."""
    t = np.asarray(t, np.float32)
    e, m, _ = FORMATS[fmt]
    codes, vals = positive_finite(fmt)
    a = np.abs(t.astype(np.float64)).reshape(-1)
    out = np.zeros(a.shape, np.int64)
    for i, v in enumerate(a):
        if v >= vals[-1]:  # saturation (inf included)
            out[i] = codes[-1]
            continue
        if np.isnan(v):
            continue
        d = np.abs(vals - v)
        best = np.nonzero(d == d.min())[0]
        cands = codes[best]
        even = [c for c in cands if c % 2 == 0]
        out[i] = even[0] if len(cands) > 1 else cands[0]
    out |= np.signbit(t.reshape(-1)).astype(np.int64) << (e + m)
    nan = np.isnan(t.reshape(-1))
    out[nan] = NAN_CODE[fmt] if NAN_CODE[fmt] is not None else 0
    return out.reshape(t.shape).astype(np.uint8)


def e8m0_value(codes):
    codes = np.asarray(codes, np.int64)
    v = np.array([2.0 ** (int(c) - 127) for c in codes.reshape(-1)])
    v[codes.reshape(-1) == 255] = np.nan
    return v.reshape(codes.shape).astype(np.float32)


def floor_log2(a):
    """floor(log2 a) for positive finite float32 a (exact, via frexp)."""
    _, ex = np.frexp(np.asarray(a, np.float64))
    return ex - 1


EMAX = {"f8E4M3FN": 8, "f8E5M2": 15, "f4E2M1FN": 2}


def mx_scale_codes(amax, fmt):
    amax = np.asarray(amax, np.float32)
    e = np.where(amax > 0, floor_log2(np.where(amax > 0, amax, 1)) - EMAX[fmt],
                 -127)
    return np.clip(e + 127, 0, 254).astype(np.uint8)


def bfp_scale_codes(amax, bits):
    amax = np.asarray(amax, np.float32)
    e = np.where(amax > 0,
                 floor_log2(np.where(amax > 0, amax, 1)) - bits + 2, -127)
    return np.clip(e + 127, 0, 254).astype(np.uint8)


def dynamic_map(signed):
    """bitsandbytes create_dynamic_map(signed, 7, 8): f32 linspace
    boundaries, means and decade scaling in double, one rounding to f32."""
    data = []
    start = float(np.float32(0.1))
    for i in range(7):
        n = (2 ** i if signed else 2 ** (i + 1)) + 1
        step = (1.0 - start) / (n - 1)
        b = [float(np.float32(start + step * k)) for k in range(n)]
        for k in range(n - 1):
            v = float(np.float32(10.0 ** (i - 6) * ((b[k] + b[k + 1]) / 2.0)))
            data.append(v)
            if signed:
                data.append(-v)
    data += [0.0, 1.0]
    return np.array(sorted(data), np.float32)


def codebook_encode(code, t):
    """Index of the nearest entry, ties to the lower index (argmin)."""
    t = np.asarray(t, np.float32).astype(np.float64)
    d = np.abs(t.reshape(-1, 1) - code.astype(np.float64).reshape(1, -1))
    return np.argmin(d, axis=1).reshape(t.shape)


def safe_div(x, s):
    """x / s in f32 with zero scales giving 0 (the 'encodes 0' rule)."""
    x = np.asarray(x, np.float32)
    s = np.asarray(s, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (x / np.where(s == 0, np.float32(1), s)).astype(np.float32)
    return np.where(s == 0, np.float32(0), t).astype(np.float32)


def block_expand(scale, shape, axis, block):
    """Scale per element for a blocked format (scale dim axis = ceil)."""
    idx = np.arange(shape[axis]) // block
    return np.take(scale, idx, axis=axis)


def f32_bits(x):
    return np.asarray(x, np.float32).view(np.int32).astype(np.int64)


def check_equal(name, got, want):
    got = np.asarray(got, np.int64)
    want = np.asarray(want, np.int64)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != {want.shape}")
    bad = np.nonzero(got != want)
    if len(bad[0]):
        i = tuple(b[0] for b in bad)
        raise AssertionError(f"{name}: {len(bad[0])} mismatches, first at {i}: "
                             f"got {got[i]} want {want[i]}")
    print(f"{name}: ok ({got.size} bit-exact)")
