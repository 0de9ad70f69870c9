"""Runs one MLIR function on numpy inputs through kiln-opt and mlir-runner.

Numerics tests build their inputs and expected outputs with numpy, call
`run_func`, and compare. Inputs become hex dense constants in a generated
`main`, results are printed with the runner's print functions and parsed
back. Element types without a numpy equivalent (f8E4M3FN, f8E5M2, f4E2M1FN,
f8E8M0FNU, i4) are passed and returned as their bit patterns in uint8.
"""
import os
import re
import subprocess
import tempfile

import numpy as np

TOOLS = os.environ.get("KILN_TOOLS_DIR", "")
LLVM_BIN = os.environ.get("KILN_LLVM_BIN", "/usr/lib/llvm-22/bin")
LLVM_LIB = os.environ.get("KILN_LLVM_LIB", "/usr/lib/llvm-22/lib")
# Kiln's thread pool (the __kmpc_* entry points of kiln-cpu-pipeline's
# parallel loops), next to the tools; mlir-runner loads it with the others.
_POOL = os.path.join(TOOLS, os.pardir, "lib", "libkiln_parallel.so")
POOL_LIBS = ["-shared-libs=" + _POOL] if TOOLS and os.path.exists(_POOL) else []

# element type -> (numpy dtype used on the python side, storage bits)
_BITS_TYPES = {"f8E4M3FN": 8, "f8E5M2": 8, "f8E8M0FNU": 8, "f4E2M1FN": 4,
               "i4": 4}
_NUMPY = {"f32": np.float32, "f16": np.float16, "i32": np.int32,
          "i64": np.int64, "i8": np.int8, "bf16": np.uint16}


def host_flags():
    """The host CPU's /proc/cpuinfo flags (empty if unreadable)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def bf16_bits(x):
    """Rounds float32 values to bf16 (nearest even) and returns the bits."""
    b = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    rounded = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    return (np.asarray(bits, np.uint32) << 16).view(np.float32)


def _tensor_type(shape, elt):
    dims = "x".join(str(d) for d in shape)
    return f"tensor<{dims}x{elt}>" if dims else f"tensor<{elt}>"


def _constant(name, array, shape, elt, lines):
    """Appends SSA lines materializing `array` as a tensor of type elt."""
    ty = _tensor_type(shape, elt)
    if elt in _BITS_TYPES:
        bits = _BITS_TYPES[elt]
        ity = _tensor_type(shape, f"i{bits}")
        vals = np.asarray(array, np.int64).reshape(-1)
        # Text form: sub-byte constants have no portable hex layout.
        signed = [(int(v) & ((1 << bits) - 1)) for v in vals]
        signed = [v - (1 << bits) if v >= (1 << (bits - 1)) else v for v in signed]
        body = ", ".join(str(v) for v in signed)
        lines.append(f"    %{name}_i = arith.constant dense<[{body}]> : "
                     f"{_tensor_type([len(signed)], f'i{bits}')}")
        lines.append(f"    %{name}_r = tensor.reshape %{name}_i(%{name}_shape) : "
                     f"({_tensor_type([len(signed)], f'i{bits}')}, "
                     f"tensor<{len(shape)}xindex>) -> {ity}" if shape else
                     f"    %{name}_r = tensor.collapse_shape %{name}_i [] : "
                     f"{_tensor_type([1], f'i{bits}')} into {ity}")
        if shape:
            dims = ", ".join(str(d) for d in shape)
            lines.insert(len(lines) - 1,
                         f"    %{name}_shape = arith.constant dense<[{dims}]> : "
                         f"tensor<{len(shape)}xindex>")
        if elt == "i4":
            lines[-1] = lines[-1].replace(f"%{name}_r =", f"%{name} =", 1)
        else:
            lines.append(f"    %{name} = arith.bitcast %{name}_r : {ity} to {ty}")
        return
    if elt == "bf16":
        raw = np.asarray(array, np.uint16)
    else:
        raw = np.ascontiguousarray(np.asarray(array, _NUMPY[elt]))
    hexs = raw.reshape(-1).tobytes().hex().upper()
    lines.append(f'    %{name} = arith.constant dense<"0x{hexs}"> : {ty}')


def _printable(value, base, shape, elt, lines):
    """Converts result `value` to f32 or i32; returns (ssa, printer, type)."""
    ty = _tensor_type(shape, elt)
    if elt in ("f32", "f16", "bf16"):
        # Floats travel as their f32 bit patterns: exact, unlike the
        # printer's six significant digits.
        if elt != "f32":
            lines.append(f"    %{base}_x = arith.extf {value} : {ty} to "
                         f"{_tensor_type(shape, 'f32')}")
            value = f"%{base}_x"
        lines.append(f"    %{base}_p = arith.bitcast {value} : "
                     f"{_tensor_type(shape, 'f32')} to {_tensor_type(shape, 'i32')}")
        return f"%{base}_p", "printMemrefI32", "i32"
    if elt == "i32":
        return value, "printMemrefI32", "i32"
    bits = _BITS_TYPES.get(elt, {"i64": 64, "i8": 8}.get(elt))
    if bits is None:
        raise ValueError(f"unsupported result type {elt}")
    op = "arith.extsi"
    if elt in _BITS_TYPES and elt != "i4":
        ity = _tensor_type(shape, f"i{bits}")
        lines.append(f"    %{base}_b = arith.bitcast {value} : {ty} to {ity}")
        value, ty, op = f"%{base}_b", ity, "arith.extui"
    if bits > 32:
        op = "arith.trunci"
    lines.append(f"    %{base}_p = {op} {value} : {ty} to "
                 f"{_tensor_type(shape, 'i32')}")
    return f"%{base}_p", "printMemrefI32", "i32"


def _call_lines(tag, func_name, inputs, input_types, outputs, lines):
    """Appends to `lines` the main-body SSA lines that materialize the
    inputs, call @func_name and print its results (tag keeps names apart)."""
    args = []
    for i, (arr, elt) in enumerate(zip(inputs, input_types)):
        shape = list(np.shape(arr))
        _constant(f"in{tag}{i}", arr, shape, elt, lines)
        args.append((f"%in{tag}{i}", _tensor_type(shape, elt)))
    res_types = [_tensor_type(s, e) for s, e in outputs]
    n = len(outputs)
    lhs = f"%r{tag}" if n == 1 else f"%r{tag}:{n}"
    lines.append(f"    {lhs} = func.call @{func_name}(" +
                 ", ".join(a for a, _ in args) + ") : (" +
                 ", ".join(t for _, t in args) + ") -> (" +
                 ", ".join(res_types) + ")")
    for i, (shape, elt) in enumerate(outputs):
        value = f"%r{tag}" if n == 1 else f"%r{tag}#{i}"
        ssa, printer, ptype = _printable(value, f"o{tag}{i}", shape, elt, lines)
        lines.append(f"    %u{tag}{i} = tensor.cast {ssa} : "
                     f"{_tensor_type(shape, ptype)} to tensor<*x{ptype}>")
        lines.append(f"    func.call @{printer}(%u{tag}{i}) : (tensor<*x{ptype}>) -> ()")


_TAIL = ["    return", "  }",
         "  func.func private @printMemrefF32(tensor<*xf32>)",
         "  func.func private @printMemrefI32(tensor<*xi32>)"]


def build_module(func_text, func_name, inputs, input_types, outputs):
    lines = [func_text, "  func.func @main() {"]
    _call_lines("", func_name, inputs, input_types, outputs, lines)
    return "module {\n" + "\n".join(lines + _TAIL) + "\n}\n"


def build_batch_module(calls):
    """One module running several functions from one @main, in order.
    calls: [(func_text, func_name, inputs, input_types, outputs)]; the
    function texts must define distinct symbols."""
    lines = [c[0] for c in calls] + ["  func.func @main() {"]
    for j, (_, name, inputs, types, outputs) in enumerate(calls):
        _call_lines(f"b{j}_", name, inputs, types, outputs, lines)
    return "module {\n" + "\n".join(lines + _TAIL) + "\n}\n"


_NUM = re.compile(r"-?nan|-?inf|[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def _parse(text, outputs):
    blocks = text.split("Unranked Memref")[1:]
    if len(blocks) != len(outputs):
        raise RuntimeError(f"expected {len(outputs)} printed results:\n{text}")
    arrays = []
    for block, (shape, elt) in zip(blocks, outputs):
        data = block[block.index("data =") + len("data ="):]
        vals = [float(v) for v in _NUM.findall(data)]
        n = int(np.prod(shape)) if shape else 1
        if len(vals) != n:
            raise RuntimeError(f"parsed {len(vals)} values, expected {n}")
        if elt in ("f32", "f16", "bf16"):
            bits = np.array(vals, np.int64).astype(np.int32)
            arrays.append(bits.view(np.float32).reshape(shape))
        elif elt in _BITS_TYPES and elt != "i4":
            arrays.append(np.array(vals, np.int64).astype(np.uint8).reshape(shape))
        else:
            arrays.append(np.array(vals, np.int64).reshape(shape))
    return arrays


def run_func(func_text, func_name, inputs, input_types, outputs,
             pipeline="--kiln-reference-pipeline", keep=None):
    """Runs @func_name of func_text (a func.func in textual MLIR) on inputs.

    inputs: numpy arrays; input_types: MLIR element type names, one per input
    ("f32", "bf16" (uint16 bits), "f16", "i32", "i64", "i8", "i4",
    "f8E4M3FN", "f8E5M2", "f4E2M1FN", "f8E8M0FNU"; bit-pattern types take
    integer bits). outputs: [(shape, element type)] of the function results.
    Returns the results as numpy arrays (f32 for float types, int64 for
    integers, uint8 bits for fp8/fp4/e8m0). `pipeline` is one kiln-opt
    argument or a list of them.
    """
    module = build_module(func_text, func_name, inputs, input_types, outputs)
    opt = os.path.join(TOOLS, "kiln-opt") if TOOLS else "kiln-opt"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.mlir")
        with open(keep or src, "w") as f:
            f.write(module)
        src = keep or src
        passes = [pipeline] if isinstance(pipeline, str) else list(pipeline)
        lowered = subprocess.run([opt, src] + passes, capture_output=True,
                                 text=True)
        if lowered.returncode != 0:
            raise RuntimeError("kiln-opt failed:\n" + lowered.stderr)
        run = subprocess.run(
            [os.path.join(LLVM_BIN, "mlir-runner"), "-e", "main",
             "-entry-point-result=void",
             "-shared-libs=" + os.path.join(LLVM_LIB, "libmlir_runner_utils.so"),
             "-shared-libs=" + os.path.join(LLVM_LIB, "libmlir_c_runner_utils.so")] + POOL_LIBS,
            input=lowered.stdout, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError("mlir-runner failed:\n" + run.stderr)
        return _parse(run.stdout, outputs)


def lower(module, pipeline, keep=None):
    """kiln-opt on module text with `pipeline` (one argument or a list);
    returns the output text, raises with kiln-opt's stderr on failure."""
    opt = os.path.join(TOOLS, "kiln-opt") if TOOLS else "kiln-opt"
    passes = [pipeline] if isinstance(pipeline, str) else list(pipeline)
    with tempfile.TemporaryDirectory() as tmp:
        src = keep or os.path.join(tmp, "in.mlir")
        with open(src, "w") as f:
            f.write(module)
        lowered = subprocess.run([opt, src] + passes, capture_output=True,
                                 text=True)
    if lowered.returncode != 0:
        raise RuntimeError("kiln-opt failed:\n" + lowered.stderr)
    return lowered.stdout


def slow_path_functions(module, pipeline):
    """Names of the functions for which kiln-opt running `pipeline` reports
    a kiln-slow-path remark (an op left to scalar loops, ...)."""
    opt = os.path.join(TOOLS, "kiln-opt") if TOOLS else "kiln-opt"
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.mlir")
        with open(src, "w") as f:
            f.write(module)
        run = subprocess.run(
            [opt, src, pipeline, "-o", os.devnull,
             "--remarks-filter=kiln-slow-path", "--remark-format=emitRemark",
             "--remark-policy=final"], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("kiln-opt failed:\n" + run.stderr)
    return set(re.findall(r"remark: \[Missed\].*\| Function=(\w+)",
                          run.stderr))


def execute(llvm_text):
    """Runs @main of an LLVM-dialect module with mlir-runner; its stdout."""
    run = subprocess.run(
        [os.path.join(LLVM_BIN, "mlir-runner"), "-e", "main",
         "-entry-point-result=void",
         "-shared-libs=" + os.path.join(LLVM_LIB, "libmlir_runner_utils.so"),
         "-shared-libs=" + os.path.join(LLVM_LIB, "libmlir_c_runner_utils.so")] + POOL_LIBS,
        input=llvm_text, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("mlir-runner failed:\n" + run.stderr)
    return run.stdout


def parse_batch(text, calls):
    """Splits the printed results of a build_batch_module run per call."""
    outs = [o for c in calls for o in c[4]]
    flat = _parse(text, outs)
    res, k = [], 0
    for c in calls:
        res.append(flat[k:k + len(c[4])])
        k += len(c[4])
    return res


def run_funcs(calls, pipeline="--kiln-reference-pipeline"):
    """Batched run_func: one module, one kiln-opt and one mlir-runner run
    for all calls [(func_text, func_name, inputs, input_types, outputs)];
    returns one result list per call."""
    module = build_batch_module(calls)
    return parse_batch(execute(lower(module, pipeline)), calls)


def assert_close(name, got, want, rtol=1e-5, atol=1e-6):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != {want.shape}")
    same_inf = (np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want)))
    finite = ~same_inf
    err = np.abs(got - want)[finite]
    bound = (atol + rtol * np.abs(want))[finite]
    if np.isnan(got[finite]).any() or np.isnan(want[finite]).any() or (err > bound).any():
        worst = float(np.max(err)) if err.size else float("nan")
        raise AssertionError(f"{name}: max abs error {worst} exceeds "
                             f"rtol={rtol} atol={atol}")
    print(f"{name}: ok (max abs error {float(np.max(err)) if err.size else 0.0:.3g})")
