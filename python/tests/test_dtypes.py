"""Every dtype Kiln supports crosses the Python boundary intact, in and out:
numpy's own dtypes, and ml_dtypes' bfloat16, float8, float4 and int4 (the
4-bit types are packed two per byte inside the runtime). Conversions happen
only where they are exact or round to nearest even; the rest is refused."""
import ml_dtypes
import numpy as np
import pytest

import kiln

RNG = np.random.default_rng(11)

# Kiln dtype name -> (MLIR element type, numpy dtype, sample values).
DTYPES = {
    "f32": ("f32", np.float32, [1.5, -2.25, 3e38, -0.0, 7.0, 1e-40]),
    "f64": ("f64", np.float64, [1.5, -2.25, 1e300, -0.0, 7.0, 1e-310]),
    "f16": ("f16", np.float16, [1.5, -2.25, 65504, -0.0, 7.0, 6e-8]),
    "bf16": ("bf16", ml_dtypes.bfloat16, [1.5, -2.25, 3e38, -0.0, 7.0, 0.1]),
    "f8E4M3FN": ("f8E4M3FN", ml_dtypes.float8_e4m3fn,
                 [1.5, -2.25, 448, -0.0, 7.0, 0.001953125]),
    "f8E5M2": ("f8E5M2", ml_dtypes.float8_e5m2,
               [1.5, -2.5, 57344, -0.0, 7.0, 1.52587890625e-05]),
    "f4E2M1FN": ("f4E2M1FN", ml_dtypes.float4_e2m1fn,
                 [1.5, -2.0, 6.0, -0.0, 0.5, -4.0]),
    "f8E8M0FNU": ("f8E8M0FNU", ml_dtypes.float8_e8m0fnu,
                  [1.0, 2.0, 2.0**-127, 2.0**127, 0.5, 1024.0]),
    "i64": ("i64", np.int64, [1, -2, 2**62, -2**63, 7, 0]),
    "i32": ("i32", np.int32, [1, -2, 2**31 - 1, -2**31, 7, 0]),
    "i16": ("i16", np.int16, [1, -2, 32767, -32768, 7, 0]),
    "i8": ("i8", np.int8, [1, -2, 127, -128, 7, 0]),
    "i4": ("i4", ml_dtypes.int4, [1, -2, 7, -8, -1, 0]),
    "i1": ("i1", np.bool_, [True, False, True, True, False, True]),
}


def transposes():
    """One entry per dtype: [2, 3] -> [3, 2], a copy that moves every
    element, so a wrong element size or packing shows."""
    funcs = []
    for name, (elem, _, _) in DTYPES.items():
        funcs.append(f"""
  func.func @t_{name}(%a: tensor<2x3x{elem}>) -> tensor<3x2x{elem}> {{
    %i = tensor.empty() : tensor<3x2x{elem}>
    %t = linalg.transpose ins(%a : tensor<2x3x{elem}>)
         outs(%i : tensor<3x2x{elem}>) permutation = [1, 0]
    return %t : tensor<3x2x{elem}>
  }}""")
    return "module {" + "".join(funcs) + "\n}\n"


@pytest.fixture(scope="module")
def model():
    return kiln.compile(transposes().encode())


@pytest.mark.parametrize("name", list(DTYPES))
def test_round_trip(model, name):
    _, dtype, values = DTYPES[name]
    a = np.array(values, dtype=dtype).reshape(2, 3)
    out = model.call(f"t_{name}", a)
    assert out.dtype == np.dtype(dtype)
    assert out.shape == (3, 2)
    # Bit for bit: -0.0 and subnormals included.
    np.testing.assert_array_equal(out.view(np.uint8),
                                  np.ascontiguousarray(a.T).view(np.uint8))


def test_bf16_matmul_rounds_float32_to_nearest_even():
    text = b"""func.func @main(%a: tensor<2x2xbf16>, %b: tensor<2x2xbf16>)
        -> tensor<2x2xbf16> {
      %i = tensor.empty() : tensor<2x2xbf16>
      %c = kiln.matmul ins(%a, %b : tensor<2x2xbf16>, tensor<2x2xbf16>)
           outs(%i : tensor<2x2xbf16>) -> tensor<2x2xbf16>
      return %c : tensor<2x2xbf16>
    }"""
    m = kiln.compile(text)
    a = np.array([[1.5, 2], [3, 4]], np.float32)
    y = m(a, np.eye(2, dtype=np.float32))
    assert y.dtype == ml_dtypes.bfloat16
    np.testing.assert_array_equal(y.astype(np.float32), a)
    # 1 + 2^-8 is halfway between two bf16 values: even is 1.0; the next
    # float32 up rounds up.
    halfway = np.float32(1 + 2.0**-8)
    above = np.nextafter(halfway, np.float32(2))
    y = m(np.array([[halfway, above], [0, 0]], np.float32),
          np.eye(2, dtype=np.float32))
    assert y.astype(np.float32)[0, 0] == 1.0
    assert y.astype(np.float32)[0, 1] == np.float32(1 + 2.0**-7)


def test_conversions_that_would_lose_or_reinterpret_are_refused(model):
    x = np.ones((2, 3), np.float32)
    with pytest.raises(TypeError, match="f8E4M3FN"):
        model.call("t_f8E4M3FN", x)
    with pytest.raises(TypeError, match="i4"):
        model.call("t_i4", x)
    with pytest.raises(ValueError, match=r"do not fit \[-8, 7\]"):
        model.call("t_i4", np.full((2, 3), 9))
    with pytest.raises(ValueError, match="do not fit"):
        model.call("t_i8", np.full((2, 3), 300))
    with pytest.raises(TypeError, match="cannot take float32"):
        model.call("t_i32", x)
    with pytest.raises(TypeError, match="takes 1 inputs"):
        model.call("t_f32", x, x)


def test_exact_conversions_are_made(model):
    ints = np.arange(6, dtype=np.int64).reshape(2, 3) - 3
    for name in ("i32", "i16", "i8", "i4"):
        out = model.call(f"t_{name}", ints)
        np.testing.assert_array_equal(out.astype(np.int64), ints.T)
    out = model.call("t_i1", np.array([[0, 1, 1], [0, 0, 1]]))
    np.testing.assert_array_equal(out, np.array([[0, 1, 1], [0, 0, 1]]).T)
    x = RNG.standard_normal((2, 3))
    np.testing.assert_array_equal(model.call("t_f16", x),
                                  x.astype(np.float16).T)
    np.testing.assert_array_equal(model.call("t_bf16", x).view(np.uint16),
                                  x.astype(ml_dtypes.bfloat16).T.view(np.uint16))
