# RUN: %python %s
# kiln-cpu-pipeline on ops without a fast path (they take the reference
# lowering inside the pipeline) and on graphs mixing them with the matmul
# fast path: the results must match the reference pipeline (the oracle,
# itself numpy-checked in ../reference) and, where simple, numpy.
import numpy as np
import kiln_testing as kt

rng = np.random.default_rng(5)
flags = open("/proc/cpuinfo").read()
MCPU = "x86-64-v3" if " avx2" in flags and " fma" in flags else "x86-64"
PIPE = [f"--kiln-cpu-pipeline=mcpu={MCPU}"]
print("mcpu:", MCPU)


def ty(shape, elt):
    return "tensor<" + "x".join(str(d) for d in shape) + f"x{elt}>"


def both(name, func, inputs, types, outputs, rtol=1e-5, atol=1e-6, exact=False):
    ref = kt.run_func(func, "f", inputs, types, outputs)
    got = kt.run_func(func, "f", inputs, types, outputs, pipeline=PIPE)
    for i, (g, r) in enumerate(zip(got, ref)):
        if exact:
            if not np.array_equal(g, r):
                raise AssertionError(f"{name} #{i}: differs from reference")
            print(f"{name} #{i}: ok (exact)")
        else:
            kt.assert_close(f"{name} #{i}", g, r, rtol, atol)
    return got


# Attention: causal, GQA 4:2, odd sizes (reference path).
q = rng.standard_normal((1, 4, 13, 8)).astype(np.float32)
k = rng.standard_normal((1, 2, 19, 8)).astype(np.float32)
v = rng.standard_normal((1, 2, 19, 5)).astype(np.float32)
qt, kt_, vt, ot = ty(q.shape, "f32"), ty(k.shape, "f32"), ty(v.shape, "f32"), \
    ty((1, 4, 13, 5), "f32")
both("attention causal gqa", f"""
  func.func @f(%q: {qt}, %k: {kt_}, %v: {vt}) -> {ot} {{
    %i = tensor.empty() : {ot}
    %o = kiln.attention ins(%q, %k, %v : {qt}, {kt_}, {vt}) outs(%i : {ot})
         {{causal}} -> {ot}
    return %o : {ot}
  }}""", [q, k, v], ["f32"] * 3, [((1, 4, 13, 5), "f32")])

# Conv 2-D NCHW, padding 1, bias + relu epilogue.
x = rng.standard_normal((1, 3, 9, 11)).astype(np.float32)
w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
b = rng.standard_normal((5,)).astype(np.float32)
xt, wt, bt, yt = ty(x.shape, "f32"), ty(w.shape, "f32"), ty(b.shape, "f32"), \
    ty((1, 5, 9, 11), "f32")
both("conv bias relu", f"""
  func.func @f(%x: {xt}, %w: {wt}, %b: {bt}) -> {yt} {{
    %i = tensor.empty() : {yt}
    %y = kiln.conv ins(%x, %w : {xt}, {wt}) epilogue_operands(%b : {bt})
         outs(%i : {yt}) {{pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>,
         epilogue = [#kiln.step<bias>, #kiln.step<relu>]}} -> {yt}
    return %y : {yt}
  }}""", [x, w, b], ["f32"] * 3, [((1, 5, 9, 11), "f32")])

# Quantize / dequantize int8 per axis (exact against numpy and reference).
x = (rng.standard_normal((6, 10)) * 40).astype(np.float32)
s = np.abs(rng.standard_normal((6,))).astype(np.float32) + 0.1
got = both("quantize+dequantize int8 axis 0", f"""
  func.func @f(%x: tensor<6x10xf32>, %s: tensor<6xf32>)
      -> (tensor<6x10xi8>, tensor<6x10xf32>) {{
    %e = tensor.empty() : tensor<6x10xi8>
    %q = kiln.quantize %x scale(%s : tensor<6xf32>) : tensor<6x10xf32>
         outs(%e : tensor<6x10xi8>) {{format = #kiln.qformat<int, axis = 0>}}
         -> tensor<6x10xi8>
    %f = tensor.empty() : tensor<6x10xf32>
    %y = kiln.dequantize %q scale(%s : tensor<6xf32>) : tensor<6x10xi8>
         outs(%f : tensor<6x10xf32>) {{format = #kiln.qformat<int, axis = 0>}}
         -> tensor<6x10xf32>
    return %q, %y : tensor<6x10xi8>, tensor<6x10xf32>
  }}""", [x, s], ["f32", "f32"], [((6, 10), "i8"), ((6, 10), "f32")],
    exact=True)
wq = np.clip(np.rint(x / s[:, None]), -128, 127)
assert np.array_equal(got[0], wq), "quantize vs numpy"

# qmatmul int8 weights, transpose_b, per-channel scales, against numpy.
a = rng.standard_normal((7, 33)).astype(np.float32)
wq8 = rng.integers(-128, 128, (21, 33)).astype(np.int8)
ws = (np.abs(rng.standard_normal((21,))) * 0.02 + 0.001).astype(np.float32)
got = both("qmatmul int8 transpose_b", """
  func.func @f(%a: tensor<7x33xf32>, %w: tensor<21x33xi8>, %s: tensor<21xf32>)
      -> tensor<7x21xf32> {
    %i = tensor.empty() : tensor<7x21xf32>
    %c = kiln.qmatmul ins(%a, %w : tensor<7x33xf32>, tensor<21x33xi8>)
         rhs_scale(%s : tensor<21xf32>) outs(%i : tensor<7x21xf32>)
         {transpose_b, rhs_format = #kiln.qformat<int, axis = 0>}
         -> tensor<7x21xf32>
    return %c : tensor<7x21xf32>
  }""", [a, wq8, ws], ["f32", "i8", "f32"], [((7, 21), "f32")])
want = a.astype(np.float64) @ (wq8.astype(np.float64) * ws[:, None]).T
kt.assert_close("qmatmul vs numpy", got[0], want, 1e-5, 1e-5)

# Block selection, top-k (integer outputs: exact).
q = rng.standard_normal((1, 2, 32, 4)).astype(np.float32)
k = rng.standard_normal((1, 2, 40, 4)).astype(np.float32)
both("block_select top_k", """
  func.func @f(%q: tensor<1x2x32x4xf32>, %k: tensor<1x2x40x4xf32>)
      -> (tensor<1x2x4x2xi32>, tensor<1x2x4xi32>) {
    %i = tensor.empty() : tensor<1x2x4x2xi32>
    %c = tensor.empty() : tensor<1x2x4xi32>
    %r:2 = kiln.block_select ins(%q, %k : tensor<1x2x32x4xf32>,
        tensor<1x2x40x4xf32>) outs(%i, %c : tensor<1x2x4x2xi32>,
        tensor<1x2x4xi32>) {mode = #kiln<select_mode top_k>, k = 2,
        q_block = 8, kv_block = 8}
        -> tensor<1x2x4x2xi32>, tensor<1x2x4xi32>
    return %r#0, %r#1 : tensor<1x2x4x2xi32>, tensor<1x2x4xi32>
  }""", [q, k], ["f32", "f32"], [((1, 2, 4, 2), "i32"), ((1, 2, 4), "i32")],
     exact=True)

# A graph mixing the fast path with reference-path ops: softmax(x @ w)
# dynamic sequence length.
x = rng.standard_normal((37, 24)).astype(np.float32)
w = rng.standard_normal((24, 19)).astype(np.float32)
got = both("matmul -> softmax (dynamic rows)", """
  func.func @g(%x: tensor<?x24xf32>, %w: tensor<24x19xf32>) -> tensor<?x19xf32> {
    %c0 = arith.constant 0 : index
    %n = tensor.dim %x, %c0 : tensor<?x24xf32>
    %i = tensor.empty(%n) : tensor<?x19xf32>
    %m = kiln.matmul ins(%x, %w : tensor<?x24xf32>, tensor<24x19xf32>)
         outs(%i : tensor<?x19xf32>) -> tensor<?x19xf32>
    %j = tensor.empty(%n) : tensor<?x19xf32>
    %s = kiln.softmax %m : tensor<?x19xf32> outs(%j : tensor<?x19xf32>)
         {dimension = 1 : i64} -> tensor<?x19xf32>
    return %s : tensor<?x19xf32>
  }
  func.func @f(%x: tensor<37x24xf32>, %w: tensor<24x19xf32>) -> tensor<37x19xf32> {
    %xd = tensor.cast %x : tensor<37x24xf32> to tensor<?x24xf32>
    %r = func.call @g(%xd, %w) : (tensor<?x24xf32>, tensor<24x19xf32>) -> tensor<?x19xf32>
    %rc = tensor.cast %r : tensor<?x19xf32> to tensor<37x19xf32>
    return %rc : tensor<37x19xf32>
  }""", [x, w], ["f32", "f32"], [((37, 19), "f32")])
m = x.astype(np.float64) @ w
e = np.exp(m - m.max(axis=1, keepdims=True))
kt.assert_close("matmul -> softmax vs numpy", got[0],
                e / e.sum(axis=1, keepdims=True), 1e-5, 1e-6)
