"""ONNX models through kiln-compile and kiln-run, for test/Integration/ONNX.

Models are built with onnx.helper (any opset: onnx.checker only runs where
onnx itself knows every op at the model's opset, so Gelu-20 and
DequantizeLinear-21 can be built with the installed onnx). A model is saved
to a temporary directory, compiled with `kiln-compile model.onnx -o
model.so`, and run with `kiln-run model.so --input i.npy ... --output o.npy
...`; the outputs come back as numpy arrays.

The tools are found through KILN_TOOLS_DIR (set by lit), as in kiln_testing.

A suite file registers its cases with `Suite.case` and ends with
`suite.main()`: every case runs (a failing case does not hide the others),
one line is printed per case, and the exit code is 1 if any failed.
"""
import os
import re
import subprocess
import sys
import tempfile
import traceback

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TOOLS = os.environ.get("KILN_TOOLS_DIR", "")


def tool(name):
    return os.path.join(TOOLS, name) if TOOLS else name


# ----------------------------------------------------------------- building

_ELEM = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.float16): TensorProto.FLOAT16,
    np.dtype(np.int8): TensorProto.INT8,
    np.dtype(np.uint8): TensorProto.UINT8,
    np.dtype(np.int16): TensorProto.INT16,
    np.dtype(np.int32): TensorProto.INT32,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(np.bool_): TensorProto.BOOL,
}


def elem_type(dtype):
    """The TensorProto element type of a numpy dtype (or an int already)."""
    if isinstance(dtype, int):
        return dtype
    return _ELEM[np.dtype(dtype)]


def value_info(name, dtype, shape):
    """A typed graph input/output; shape entries are ints, dim_param
    strings or None (unknown); shape None leaves the shape out."""
    return helper.make_tensor_value_info(name, elem_type(dtype), shape)


def tensor(name, array):
    """An initializer (or Constant value) holding `array`."""
    return numpy_helper.from_array(np.asarray(array), name)


def node(op, inputs, outputs, name=None, domain=None, **attrs):
    """helper.make_node; the node's name defaults to its first output."""
    return helper.make_node(op, list(inputs), list(outputs),
                            name=name if name is not None else outputs[0],
                            domain=domain, **attrs)


def _known_to_onnx(model):
    """Whether the installed onnx has a schema for every node at the
    model's opset (else onnx.checker would reject a model that is fine)."""
    versions = {o.domain: o.version for o in model.opset_import}
    if versions.get("", 0) > onnx.defs.onnx_opset_version():
        return False
    for n in model.graph.node:
        try:
            onnx.defs.get_schema(n.op_type, versions.get(n.domain, 1), n.domain)
        except Exception:  # onnx.defs.SchemaError
            return False
    return True


def make_model(nodes, inputs, outputs, initializers=(), opset=17,
               extra_opsets=None, check=None, ir_version=8, name="kiln_test"):
    """A ModelProto. inputs/outputs: value_info protos or (name, dtype,
    shape) tuples; initializers: TensorProtos or {name: array}. check:
    None runs onnx.checker where onnx knows the ops, True always, False
    never (malformed models)."""
    def vi(v):
        return v if isinstance(v, onnx.ValueInfoProto) else value_info(*v)
    if isinstance(initializers, dict):
        initializers = [tensor(k, v) for k, v in initializers.items()]
    graph = helper.make_graph(list(nodes), name, [vi(v) for v in inputs],
                              [vi(v) for v in outputs], list(initializers))
    opsets = [helper.make_opsetid("", opset)]
    for domain, version in (extra_opsets or {}).items():
        opsets.append(helper.make_opsetid(domain, version))
    model = helper.make_model(graph, opset_imports=opsets,
                              producer_name="kiln-tests")
    model.ir_version = ir_version
    if check or (check is None and _known_to_onnx(model)):
        onnx.checker.check_model(model)
    return model


def model_bytes(model):
    return model if isinstance(model, (bytes, bytearray)) else \
        model.SerializeToString()


# ------------------------------------------------------------------ running

class ToolError(RuntimeError):
    """A tool exited non-zero; .rc and .stderr say how."""

    def __init__(self, what, proc):
        self.rc = proc.returncode
        self.stderr = proc.stderr
        crash = " (CRASH: signal)" if crashed(proc.returncode) else ""
        super().__init__(f"{what} exited {proc.returncode}{crash}:\n"
                         f"{proc.stderr.strip()}")


def crashed(rc):
    """A signal death: negative from subprocess, or a shell's 128 + N."""
    return rc < 0 or rc > 128


def _run(cmd, timeout=600):
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout)


class Artifact:
    """A model compiled once (kiln-compile), runnable many times.

    with Artifact(model) as art:
        y, = art.run([x])
    """

    def __init__(self, model, compile_args=(), keep=None):
        self._tmp = None if keep else tempfile.TemporaryDirectory()
        self.dir = keep or self._tmp.name
        os.makedirs(self.dir, exist_ok=True)
        self.onnx = os.path.join(self.dir, "model.onnx")
        self.so = os.path.join(self.dir, "model.so")
        data = model_bytes(model)
        with open(self.onnx, "wb") as f:
            f.write(data)
        parsed = onnx.ModelProto()
        parsed.ParseFromString(data)
        self.num_outputs = len(parsed.graph.output)
        self.compile_args = list(compile_args)
        proc = _run([tool("kiln-compile"), self.onnx, "-o", self.so] +
                    self.compile_args)
        if proc.returncode != 0:
            self.close()
            raise ToolError("kiln-compile", proc)
        self._runs = 0

    def close(self):
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _inputs(self, inputs):
        self._runs += 1
        args = []
        for i, a in enumerate(inputs):
            p = os.path.join(self.dir, f"r{self._runs}_in{i}.npy")
            np.save(p, np.array(a, order="C"))  # keeps 0-d arrays 0-d
            args += ["--input", p]
        return args

    def run(self, inputs, args=()):
        """Runs `main` on inputs (numpy arrays, in graph-input order);
        returns the graph outputs in order."""
        cmd = [tool("kiln-run"), self.so] + self._inputs(inputs)
        outs = [os.path.join(self.dir, f"r{self._runs}_out{i}.npy")
                for i in range(self.num_outputs)]
        for p in outs:
            cmd += ["--output", p]
        proc = _run(cmd + list(args))
        if proc.returncode != 0:
            raise ToolError("kiln-run", proc)
        return [np.load(p) for p in outs]

    def bench(self, inputs, runs=20, threads=None):
        """kiln-run --bench: (median, min, max) in milliseconds."""
        cmd = [tool("kiln-run"), self.so] + self._inputs(inputs) + \
            ["--bench", str(runs)]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        proc = _run(cmd)
        if proc.returncode != 0:
            raise ToolError("kiln-run --bench", proc)
        return parse_bench(proc.stdout)


_BENCH = re.compile(r"bench \S+: \d+ runs, median ([0-9.]+) ms, "
                    r"min ([0-9.]+) ms, max ([0-9.]+) ms")


def parse_bench(text):
    m = _BENCH.search(text)
    if not m:
        raise RuntimeError(f"no bench line in kiln-run's output:\n{text}")
    return tuple(float(v) for v in m.groups())


def run_model(model, inputs, compile_args=(), run_args=()):
    """Compiles `model` and runs it once on `inputs`; returns the outputs."""
    with Artifact(model, compile_args) as art:
        return art.run(inputs, run_args)


def compile_to(model, phase, args=()):
    """`kiln-compile model.onnx --compile-to=PHASE -o -`: the MLIR text."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.onnx")
        with open(path, "wb") as f:
            f.write(model_bytes(model))
        proc = _run([tool("kiln-compile"), path, f"--compile-to={phase}",
                     "-o", "-"] + list(args))
        if proc.returncode != 0:
            raise ToolError(f"kiln-compile --compile-to={phase}", proc)
        return proc.stdout


# ------------------------------------------------------------ failing cleanly

def node_ref(name, op_type):
    """How a diagnostic names a node: node 'conv1' (Conv)."""
    return f"node '{name}' ({op_type})"


def assert_clean_failure(proc, substrings=(), path=None, what="tool"):
    """The tool failed as the contract says: exit code 1 (never a signal),
    'error:' on stderr, the file named as '<file>: error:' when `path` is
    given, and every substring present (a tuple item: any one of them)."""
    err = proc.stderr
    if crashed(proc.returncode):
        raise AssertionError(f"{what} CRASHED (rc {proc.returncode}):\n{err}")
    if proc.returncode != 1:
        raise AssertionError(f"{what} exited {proc.returncode}, expected 1:"
                             f"\n{err}")
    if "error:" not in err:
        raise AssertionError(f"{what}: no 'error:' on stderr:\n{err}")
    if path is not None:
        base = re.escape(os.path.basename(path))
        if not re.search(base + r"(:\d+)*: error: ", err):
            raise AssertionError(f"{what}: no '{os.path.basename(path)}: "
                                 f"error:' diagnostic:\n{err}")
    for s in substrings:
        options = s if isinstance(s, tuple) else (s,)
        if not any(o in err for o in options):
            raise AssertionError(f"{what}: stderr lacks {' or '.join(map(repr, options))}:\n{err}")
    return err


def compile_error(model, substrings=(), filename="model.onnx", args=()):
    """kiln-compile on `model` (a ModelProto or raw bytes) must fail
    cleanly (assert_clean_failure); returns its first error line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, filename)
        with open(path, "wb") as f:
            f.write(model_bytes(model))
        proc = _run([tool("kiln-compile"), path, "-o",
                     os.path.join(tmp, "model.so")] + list(args), timeout=300)
        err = assert_clean_failure(proc, substrings, path, "kiln-compile")
        lines = [ln for ln in err.splitlines() if "error:" in ln]
        return lines[0].replace(tmp + os.sep, "") if lines else err


# ---------------------------------------------------------------- comparing

def assert_close(name, got, want, rtol=1e-5, atol=None):
    """Integer and bool outputs: same dtype, exact. Float outputs: the same
    dtype and |got - want| <= rtol * |want| + atol, atol defaulting to
    rtol * max|want| (relative to the tensor's scale). Same-signed
    infinities and NaN where NaN is expected match."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != {want.shape}")
    if want.dtype.kind in "biu":
        if got.dtype != want.dtype:
            raise AssertionError(f"{name}: dtype {got.dtype} != {want.dtype}")
        bad = got != want
        if bad.any():
            i = tuple(int(v) for v in np.argwhere(bad)[0])
            raise AssertionError(f"{name}: {int(bad.sum())} of {want.size} "
                                 f"elements differ; at {i}: {got[i]} != {want[i]}")
        return 0.0
    if got.dtype.kind != "f":
        raise AssertionError(f"{name}: dtype {got.dtype}, expected floats")
    g, w = got.astype(np.float64), want.astype(np.float64)
    finite = np.isfinite(w)
    scale = float(np.max(np.abs(w[finite]))) if finite.any() else 0.0
    if atol is None:
        atol = rtol * scale
    same = (g == w) | (np.isnan(g) & np.isnan(w))
    with np.errstate(invalid="ignore"):
        err = np.where(same, 0.0, np.abs(g - w))
    err = np.where(np.isnan(err), np.inf, err)
    bad = err > atol + rtol * np.abs(np.where(finite, w, 0.0))
    worst = float(np.max(err)) if err.size else 0.0
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise AssertionError(f"{name}: {int(bad.sum())} of {want.size} elements "
                             f"off (max abs error {worst:.3g}, rtol {rtol}, "
                             f"atol {atol:.3g}); at {i}: {g[i]} vs {w[i]}")
    return worst


# ------------------------------------------------------------------- suites

def run_nodes(name, nodes, inputs, outputs, initializers=None, opset=17,
              out_shapes=True, check=None, extra_opsets=None):
    """Builds a model whose graph inputs are `inputs` ({name: array}, in
    order) and whose outputs are `outputs` ({name: (dtype, shape)}, in
    order; the shape left out when out_shapes is False), runs it on the
    inputs and returns the outputs."""
    ins = [(k, v.dtype, list(v.shape)) for k, v in inputs.items()]
    outs = [(k, dt, list(shape) if out_shapes else None)
            for k, (dt, shape) in outputs.items()]
    if not out_shapes and check is None:
        check = False  # onnx.checker wants a shape on graph outputs
    model = make_model(nodes, ins, outs, initializers or {}, opset=opset,
                       check=check, extra_opsets=extra_opsets, name=name)
    return run_model(model, list(inputs.values()))


def check_model(name, nodes, inputs, expected, initializers=None, opset=17,
                rtol=1e-5, atol=None, out_shapes=True, check=None,
                extra_opsets=None):
    """One numerics case: run_nodes with the outputs' dtypes and shapes
    taken from `expected` ({name: array}), then every output compared
    (assert_close). Returns the max error."""
    got = run_nodes(name, nodes, inputs,
                    {k: (v.dtype, v.shape) for k, v in expected.items()},
                    initializers, opset, out_shapes, check, extra_opsets)
    worst = 0.0
    for (k, want), g in zip(expected.items(), got):
        worst = max(worst, assert_close(f"{name}/{k}", g, want, rtol, atol))
    return worst


class Suite:
    """Cases registered with @suite.case run in order by suite.main()."""

    def __init__(self, title):
        self.title = title
        self.cases = []

    def case(self, fn):
        self.cases.append(fn)
        return fn

    def main(self, argv=None):
        argv = sys.argv[1:] if argv is None else argv
        only = [a for a in argv if not a.startswith("-")]
        verbose = "-v" in argv
        failed = []
        ran = 0
        for fn in self.cases:
            name = fn.__name__
            if only and not any(o in name for o in only):
                continue
            ran += 1
            try:
                detail = fn()
                print(f"{name}: ok" + (f" ({detail})" if detail else ""),
                      flush=True)
            except Exception as e:  # every case runs; failures are summed
                failed.append(name)
                first = str(e).strip().splitlines() or [type(e).__name__]
                print(f"{name}: FAIL: {first[0]}", flush=True)
                rest = "\n".join(first[1:8])
                if rest:
                    print("    " + rest.replace("\n", "\n    "), flush=True)
                if verbose or not isinstance(e, (AssertionError, ToolError)):
                    traceback.print_exc(file=sys.stdout)
        print(f"{self.title}: {ran - len(failed)} passed, {len(failed)} failed"
              + (f" ({', '.join(failed)})" if failed else ""), flush=True)
        sys.exit(1 if failed else 0)


def rng(seed=0):
    return np.random.default_rng(seed)


def randn(r, *shape, scale=1.0):
    return (r.standard_normal(shape) * scale).astype(np.float32)
