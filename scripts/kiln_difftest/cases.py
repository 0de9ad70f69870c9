"""Case descriptions, the ONNX graph builder, dtype helpers.

Part of Kiln's differential tester; scripts/difftest.py describes the
method."""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# The command line, which the Python worker and reproducers run again.
SCRIPT = os.path.join(REPO, "scripts", "difftest.py")
sys.path.insert(0, os.path.join(REPO, "test", "Integration", "harness"))

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import kiln_e2e as ke  # noqa: E402
import kiln_testing as kt  # noqa: E402
import onnx_testing as ot  # noqa: E402

SEED_SALT = 0x6B696C6E  # "kiln": case i draws from default_rng([SALT, i])
F32MIN = float(np.finfo(np.float32).min)
NEG_INF = float("-inf")

# Defects being fixed; a case tagged with one of them that mismatches is
# reported as KNOWN (not failed) unless --strict.
KNOWN = {}

# The results compared per case, and how each is produced.
RESULTS = ["O0", "O3", "O3nf", "py-O3", "py-O0"]
CONFIGS = {"O0": ["-O0"], "O3": ["-O3"], "O3nf": ["-O3", "--graph-fusion=false"]}


# ============================================================== cases

class Check:
    """How one output is compared. Floats: |got - want| <= atol + rtol *
    |want|; integers: exact. Elements where `near` holds (a real value
    within rounding error of a quantization tie) may also be `quantum` off.
    NaN must meet NaN, an infinity the same infinity."""

    def __init__(self, rtol=0.0, atol=0.0, near=None, quantum=0.0):
        self.rtol, self.atol = rtol, atol
        self.near, self.quantum = near, quantum

    def compare(self, got, want):
        """None when got passes, else a one-line description."""
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape:
            return f"shape {list(got.shape)} != {list(want.shape)}"
        g, w = got.astype(np.float64), want.astype(np.float64)
        same = (g == w) | (np.isnan(g) & np.isnan(w))
        with np.errstate(invalid="ignore"):
            err = np.where(same, 0.0, np.abs(g - w))
        err = np.where(np.isnan(err), np.inf, err)
        bound = self.atol + self.rtol * np.where(np.isfinite(w), np.abs(w), 0)
        bad = err > bound
        if self.near is not None and self.quantum:
            bad &= ~(np.broadcast_to(self.near, bad.shape) &
                     (err <= bound + self.quantum * (1 + 1e-6)))
        if not bad.any():
            return None
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        worst = float(np.max(np.where(bad, err, 0)))
        return (f"{int(bad.sum())} of {bad.size} elements off (max err "
                f"{worst:.3g}, rtol {self.rtol:.2g}, atol {self.atol:.2g}); "
                f"at {i}: {g[i]!r} vs {w[i]!r}")


def close(rtol, scale=1.0):
    """A float check relative to the case's magnitude `scale`."""
    return Check(rtol, rtol * max(1.0, float(scale)))


EXACT = Check()


class Case:
    """One generated case. `onnx` (a ModelProto, entry main) or `mlir` (a
    func.func @f and helpers); inputs as kiln-run takes them (.npy
    convention), `types` their element types; `want` the expected outputs
    (float64 values or int64 codes), `out_types` their element types."""

    def __init__(self, family, desc, *, onnx_model=None, mlir=None, inputs=(),
                 types=None, want=(), out_types=None, checks=(),
                 template=False, known=(), expect_fused=None):
        self.index = None
        self.family, self.desc = family, desc
        self.onnx, self.mlir = onnx_model, mlir
        self.inputs = [np.asarray(a) for a in inputs]
        self.types = types or [elt_of(a.dtype) for a in self.inputs]
        self.want = [np.asarray(w) for w in want]
        self.out_types = out_types
        self.checks = list(checks)
        self.template = template
        self.known = set(known)
        self.expect_fused = expect_fused

    @property
    def entry(self):
        return f"c{self.index}"


ELT_OF_NUMPY = {"float32": "f32", "float16": "f16", "float64": "f64", "int64": "i64",
        "int32": "i32", "int16": "i16", "int8": "i8", "uint8": "u8",
        "bool": "i1"}
NUMPY_OF_ELT = {"f32": np.float32, "f16": np.float16, "f64": np.float64,
        "bf16": np.uint16, "i64": np.int64, "i32": np.int32, "i16": np.int16,
        "i8": np.int8, "i4": np.int8, "u8": np.uint8, "i1": np.bool_,
        "f8E4M3FN": np.uint8, "f8E5M2": np.uint8, "f8E8M0FNU": np.uint8,
        "f4E2M1FN": np.uint8}


def elt_of(dtype):
    return ELT_OF_NUMPY[np.dtype(dtype).name]


def to_npy(a, elt):
    """An input as kiln-run's .npy convention wants it (0-d stays 0-d)."""
    return np.array(a, dtype=NUMPY_OF_ELT[elt], order="C")


# ml_dtypes' names of the types numpy lacks (the Python binding's arrays)
ML_DTYPES = {"bf16": "bfloat16", "f8E4M3FN": "float8_e4m3fn",
             "f8E5M2": "float8_e5m2", "f8E8M0FNU": "float8_e8m0fnu",
             "f4E2M1FN": "float4_e2m1fn", "i4": "int4"}


def to_python(a, elt, ml):
    """A .npy-convention input as the kiln package takes it: ml_dtypes
    arrays for bf16, the small floats and i4 (when ml_dtypes is there)."""
    if ml is None or elt not in ML_DTYPES:
        return a
    dt = np.dtype(getattr(ml, ML_DTYPES[elt]))
    return a.astype(np.int8).astype(dt) if elt == "i4" else a.view(dt)


def from_python(a, elt):
    """A kiln package result in the .npy convention (bits, i4 values)."""
    if a.dtype.name in ML_DTYPES.values():
        return a.astype(np.int8) if elt == "i4" else \
            a.view(np.uint16 if a.dtype.itemsize == 2 else np.uint8)
    return a


def decode(a, elt):
    """A result (.npy convention) as comparable values: floats as float64,
    bf16 bits read as floats, everything else as int64 codes."""
    a = np.asarray(a)
    if elt == "bf16":
        return kt.bf16_to_f32(a.astype(np.uint16)).astype(np.float64)
    if elt in ("f32", "f16", "f64"):
        return a.astype(np.float64)
    return a.astype(np.int64)


# ============================================================ ONNX graphs

class Graph:
    """An ONNX graph and its numpy reference, built together: every op
    computes its value in float64 and rounds it to the output's dtype.
    `scale` is the largest finite magnitude of any value (for tolerances)."""

    def __init__(self, r, opset=17):
        self.r, self.opset = r, opset
        self.nodes, self.inits = [], {}
        self.inputs, self.outputs = [], []   # names, in order
        self.val, self.dtype, self.dims = {}, {}, {}
        self.scale, self.count = 1.0, 0

    def fresh(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def _set(self, name, value, dtype):
        dtype = np.dtype(dtype)
        v = np.asarray(value)
        if dtype.kind == "f":
            v = v.astype(dtype).astype(np.float64)
            fin = np.abs(v[np.isfinite(v)])
            if fin.size:
                self.scale = max(self.scale, float(fin.max()))
        elif dtype.kind == "b":
            v = v.astype(bool)
        else:
            v = v.astype(dtype).astype(np.int64)
        self.val[name], self.dtype[name] = v, dtype
        return name

    def inp(self, array, dims=None, name=None):
        """A graph input; `dims` may name dynamic dims (dim_param)."""
        name = name or self.fresh("x")
        self.inputs.append(name)
        self.dims[name] = dims or list(np.shape(array))
        return self._set(name, array, np.asarray(array).dtype)

    def const(self, array, name=None):
        name = name or self.fresh("k")
        self.inits[name] = np.asarray(array)
        return self._set(name, array, np.asarray(array).dtype)

    def op(self, op_type, ins, fn, dtype=None, outs=1, **attrs):
        """Adds a node; fn computes its value(s) from the inputs' values."""
        vals = [self.val[i] if i else None for i in ins]
        res = fn(*vals)
        names = [self.fresh(op_type.lower()) for _ in range(outs)]
        self.nodes.append(helper.make_node(op_type, list(ins), names,
                                           name=names[0], **attrs))
        res = [res] if outs == 1 else list(res)
        for n, v in zip(names, res):
            self._set(n, v, dtype or self.dtype[next(i for i in ins if i)])
        return names[0] if outs == 1 else names

    def out(self, name, check, dims=None):
        if all(n != name for n, _, _ in self.outputs):
            self.outputs.append((name, check, dims))
        return name

    def case(self, family, desc, **kw):
        """The Case of the graph built so far."""
        ins = [ot.value_info(n, self.dtype[n], self.dims[n])
               for n in self.inputs]
        outs = [ot.value_info(n, self.dtype[n], dims or list(self.val[n].shape))
                for n, _, dims in self.outputs]
        inits = [numpy_helper.from_array(a, k) for k, a in self.inits.items()]
        model = ot.make_model(self.nodes, ins, outs, inits, opset=self.opset,
                              name=family)
        inputs = [self.val[n].astype(self.dtype[n]) for n in self.inputs]
        return Case(family, desc, onnx_model=model, inputs=inputs,
                    want=[self.val[n] for n, _, _ in self.outputs],
                    out_types=[elt_of(self.dtype[n]) for n, _, _ in self.outputs],
                    checks=[c for _, c, _ in self.outputs], **kw)
