# RUN: %python %s
# The harness itself: inputs of every bit-pattern type survive the trip
# through constants, the reference pipeline and the printers unchanged, and a
# linalg matmul matches numpy. Guards every numerics test built on it.
import numpy as np
import kiln_testing as kt

rng = np.random.default_rng(7)
a = rng.standard_normal((3, 5)).astype(np.float32)
b = rng.standard_normal((5, 2)).astype(np.float32)
mm = """
  func.func @mm(%a: tensor<3x5xf32>, %b: tensor<5x2xf32>) -> tensor<3x2xf32> {
    %z = tensor.empty() : tensor<3x2xf32>
    %c = arith.constant 0.0 : f32
    %i = linalg.fill ins(%c : f32) outs(%z : tensor<3x2xf32>) -> tensor<3x2xf32>
    %r = linalg.matmul ins(%a, %b : tensor<3x5xf32>, tensor<5x2xf32>)
                       outs(%i : tensor<3x2xf32>) -> tensor<3x2xf32>
    return %r : tensor<3x2xf32>
  }"""
(r,) = kt.run_func(mm, "mm", [a, b], ["f32", "f32"], [([3, 2], "f32")])
kt.assert_close("linalg.matmul", r, a @ b)

ident = """
  func.func @id(%a: tensor<4xf8E4M3FN>, %b: tensor<3xi4>, %c: tensor<2xf4E2M1FN>,
                %d: tensor<2xf8E8M0FNU>, %e: tensor<2xbf16>)
      -> (tensor<4xf8E4M3FN>, tensor<3xi4>, tensor<2xf4E2M1FN>, tensor<2xf8E8M0FNU>,
          tensor<2xbf16>) {
    return %a, %b, %c, %d, %e : tensor<4xf8E4M3FN>, tensor<3xi4>, tensor<2xf4E2M1FN>,
                                tensor<2xf8E8M0FNU>, tensor<2xbf16>
  }"""
f8 = np.array([1, 2, 200, 255], np.uint8)
i4 = np.array([-8, 7, 3])
f4 = np.array([15, 1], np.uint8)
e8 = np.array([127, 254], np.uint8)
bf = kt.bf16_bits([1.5, -3.25])
out = kt.run_func(ident, "id", [f8, i4, f4, e8, bf],
                  ["f8E4M3FN", "i4", "f4E2M1FN", "f8E8M0FNU", "bf16"],
                  [([4], "f8E4M3FN"), ([3], "i4"), ([2], "f4E2M1FN"),
                   ([2], "f8E8M0FNU"), ([2], "bf16")])
assert (out[0] == f8).all(), out[0]
assert (out[1] == i4).all(), out[1]
assert (out[2] == f4).all(), out[2]
assert (out[3] == e8).all(), out[3]
assert (out[4] == np.array([1.5, -3.25], np.float32)).all(), out[4]
print("bit patterns: ok")
