# RUN: %python %s
# kiln-cpu-pipeline matmul fast path against numpy (f64 products): odd and
# round sizes (remainder tiles in M, N and K blocks), transpose_b, batched,
# f16 / bf16 operands, dynamic M, linalg.matmul / linalg.batch_matmul, a
# matmul-tiles override, for AVX2 (x86-64-v3) and, when the host has it,
# AVX-512 (sapphirerapids). The JIT runs the code on this host, so AVX-512
# cases are skipped with a note where /proc/cpuinfo lacks avx512f.
import numpy as np
import kiln_testing as kt

rng = np.random.default_rng(11)

FLAGS = kt.host_flags()
TARGETS = []
if {"avx2", "fma"} <= FLAGS:
    TARGETS.append("x86-64-v3")
else:
    print("SKIP x86-64-v3 cases: host has no avx2/fma")
if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= FLAGS:
    TARGETS.append("skylake-avx512")
else:
    print("SKIP AVX-512 cases: host has no avx512f/bw/vl/dq")


def ty(shape, elt):
    return "tensor<" + "x".join(str(d) for d in shape) + f"x{elt}>"


def operand(x, elt):
    if elt == "bf16":
        bits = kt.bf16_bits(x)
        return bits, kt.bf16_to_f32(bits).astype(np.float64)
    if elt == "f16":
        h = x.astype(np.float16)
        return h, h.astype(np.float64)
    return x, x.astype(np.float64)


def case(name, m, n, k, batch=(), elt="f32", transpose_b=False,
         dyn_m=False, dyn_batch=False, op="kiln", extra=()):
    a = rng.standard_normal(batch + (m, k)).astype(np.float32)
    bshape = batch + ((n, k) if transpose_b else (k, n))
    b = rng.standard_normal(bshape).astype(np.float32)
    a_in, a64 = operand(a, elt)
    b_in, b64 = operand(b, elt)
    want = a64 @ (np.swapaxes(b64, -1, -2) if transpose_b else b64)
    at, bt = ty(a.shape, elt), ty(bshape, elt)
    ct = ty(batch + (m, n), "f32")
    # Dynamic M (and batch): the kernel takes tensor<?x..>; a static
    # wrapper casts.
    dyn = ([0] if dyn_batch else []) + ([len(batch)] if dyn_m else [])
    ashape = ["?" if i in dyn else d for i, d in enumerate(batch + (m, k))]
    cshape = ["?" if i in dyn else d for i, d in enumerate(batch + (m, n))]
    bdyn = ["?" if (dyn_batch and i == 0) else d for i, d in enumerate(bshape)]
    dm, dc, dbt = ty(ashape, elt), ty(cshape, "f32"), ty(bdyn, elt)
    tb = " {transpose_b}" if transpose_b else ""
    if op == "kiln":
        body = f"""%c = kiln.matmul ins(%a, %b : {dm}, {dbt}) outs(%i : {dc}){tb}
          -> {dc}"""
    else:
        zero = "%z = arith.constant 0.0 : f32"
        body = f"""{zero}
    %f = linalg.fill ins(%z : f32) outs(%i : {dc}) -> {dc}
    %c = {op} ins(%a, %b : {dm}, {dbt}) outs(%f : {dc}) -> {dc}"""
    empty = "".join(f"%c{d} = arith.constant {d} : index\n"
                    f"    %d{d} = tensor.dim %a, %c{d} : {dm}\n    "
                    for d in dyn)
    empty += f"%i = tensor.empty({', '.join(f'%d{d}' for d in dyn)}) : {dc}"
    func = f"""
  func.func @kernel(%a: {dm}, %b: {dbt}) -> {dc} {{
    {empty}
    {body}
    return %c : {dc}
  }}
  func.func @f(%a: {at}, %b: {bt}) -> {ct} {{
    %ad = tensor.cast %a : {at} to {dm}
    %bd = tensor.cast %b : {bt} to {dbt}
    %c = func.call @kernel(%ad, %bd) : ({dm}, {dbt}) -> {dc}
    %cc = tensor.cast %c : {dc} to {ct}
    return %cc : {ct}
  }}"""
    for mcpu in TARGETS:
        pipe = "--kiln-cpu-pipeline=" + " ".join(
            [f"mcpu={mcpu}"] + list(extra))
        (got,) = kt.run_func(func, "f", [a_in, b_in], [elt, elt],
                             [(batch + (m, n), "f32")], pipeline=[pipe])
        tol = 1e-5 if elt == "f32" else 1e-4
        kt.assert_close(f"{name} [{mcpu}]", got, want, rtol=tol,
                        atol=tol * np.sqrt(k) * 4)


for s in (1, 7, 65, 129):
    case(f"square {s}", s, s, s)
case("257x129x65", 257, 129, 65)
case("512^3", 512, 512, 512)
case("33x1000x3 (N remainder)", 33, 1000, 3)
case("transpose_b 65x33x129", 65, 33, 129, transpose_b=True)
case("batched 3x17x40x9", 17, 40, 9, batch=(3,))
case("batched transpose_b 2x2x9x31x20", 9, 31, 20, batch=(2, 2),
     transpose_b=True)
case("f16 37x45x29", 37, 45, 29, elt="f16")
case("bf16 37x45x29", 37, 45, 29, elt="bf16")
case("bf16 transpose_b batched", 13, 18, 70, batch=(2,), elt="bf16",
     transpose_b=True)
case("dynamic M 70x50x40", 70, 50, 40, dyn_m=True)
case("dynamic M=1", 1, 50, 40, dyn_m=True)
case("dynamic batch and M, batched", 11, 24, 7, batch=(2,), dyn_m=True,
     dyn_batch=True)
case("linalg.matmul 100x70x90", 100, 70, 90, op="linalg.matmul")
case("linalg.batch_matmul 2x30x50x20", 30, 50, 20, batch=(2,),
     op="linalg.batch_matmul")
# M >= 4 register tiles: B is packed per cache block (row-major B by rows,
# transposed B by 16-deep reads; K and N remainders zero-padded).
case("packed transpose_b, K blocks 70x45x300", 70, 45, 300, transpose_b=True)
case("packed batched transpose_b 2x40x33x50", 40, 33, 50, batch=(2,),
     transpose_b=True)
case("packed bf16 batched 2x64x40x70", 64, 40, 70, batch=(2,), elt="bf16")
case("packed dynamic M 130x77x200", 130, 77, 200, dyn_m=True)
case("matmul-tiles=16,64,8 67x130x41", 67, 130, 41,
     extra=("matmul-tiles=16,64,8",))


def const_b_case(name, m, n, k, transpose_b=False):
    """B as a constant inside the kernel (a model's weights): packed at
    compile time into every cache block, read by slices, for any M."""
    a = rng.standard_normal((m, k)).astype(np.float32)
    bshape = (n, k) if transpose_b else (k, n)
    b = rng.standard_normal(bshape).astype(np.float32)
    want = a.astype(np.float64) @ (b.T if transpose_b else b).astype(np.float64)
    lines = []
    kt._constant("b", b, bshape, "f32", lines)
    at, bt, ct = ty((m, k), "f32"), ty(bshape, "f32"), ty((m, n), "f32")
    tb = " {transpose_b}" if transpose_b else ""
    func = f"""
  func.func @f(%a: {at}) -> {ct} {{
{chr(10).join(lines)}
    %i = tensor.empty() : {ct}
    %c = kiln.matmul ins(%a, %b : {at}, {bt}) outs(%i : {ct}){tb} -> {ct}
    return %c : {ct}
  }}"""
    for mcpu in TARGETS:
        (got,) = kt.run_func(func, "f", [a], ["f32"], [((m, n), "f32")],
                             pipeline=[f"--kiln-cpu-pipeline=mcpu={mcpu}"])
        kt.assert_close(f"{name} [{mcpu}]", got, want, rtol=1e-5,
                        atol=1e-5 * np.sqrt(k) * 4)


# Constant B: N and K remainders across several cache blocks, transposed,
# and M below the run-time packing threshold.
const_b_case("constant B 70x530x600", 70, 530, 600)
const_b_case("constant transposed B 33x45x1030", 33, 45, 1030,
             transpose_b=True)
const_b_case("constant B, M=3 (decode) 3x77x129", 3, 77, 129)
