"""Kiln from Python: compile a model, call it on numpy arrays.

    import kiln
    model = kiln.compile("model.onnx")          # or .mlir, bytes, ModelProto
    y = model(x)                                # numpy in, numpy out
    model(x, out=y)                             # into an array you own
    model.path                                  # the artifact on disk
    model = kiln.compile_torch(module, (x,))    # via torch.onnx.export

Compilation runs Kiln's driver in-process (kiln-cpu-pipeline, the same
phases as kiln-compile) into a shared artifact in a private temporary
folder; calls go through Kiln's C runtime, which checks dtypes and shapes.

dtypes: f32, f64, f16, integers and bool are numpy's own; bf16, f8E4M3FN,
f8E5M2, f4E2M1FN, f8E8M0FNU and i4 are the ml_dtypes package's bfloat16,
float8_e4m3fn, float8_e5m2, float4_e2m1fn, float8_e8m0fnu and int4 (one
element per byte in numpy; Kiln packs the 4-bit types two per byte, low
nibble first, inside the runtime and unpacks them on the way out). Inputs
are converted only where that is exact or rounds to nearest even (float32
to bf16 or f16, int64 to int32 when every value fits); anything else is a
TypeError or ValueError, never a reinterpretation of the bytes.
"""
import io
import os
import tempfile

import numpy as np

from . import _kiln

__all__ = ["compile", "compile_torch", "CompiledModel", "set_num_threads",
           "get_num_threads"]

set_num_threads = _kiln.set_num_threads
get_num_threads = _kiln.get_num_threads


class CompiledModel:
    """A compiled artifact; calling it runs its entry point.

    `path` is the shared artifact on disk (kiln-run and the C runtime load
    it too); it lives as long as the model. Compiled with `remarks=True`,
    `remarks` lists what Kiln reported (dicts: kind, category, pass, name,
    function, location, message; category kiln-slow-path for an op on a
    slow or reference path, kiln-fusion for a fusion done or not done and
    why) and `remarks_yaml` is the same in LLVM's YAML remark format;
    otherwise `remarks` is empty and `remarks_yaml` None. Results are numpy arrays over
    the artifact's own buffers (no copy); `out=` writes them into arrays the
    caller owns instead, so a loop of calls allocates nothing.
    """

    def __init__(self, source, onnx, name, target, mcpu, opt_level, entry,
                 graph_fusion=True, remarks=False):
        if target != "cpu":
            raise ValueError(f"kiln: unknown target {target!r} (expected 'cpu')")
        self._dir = tempfile.TemporaryDirectory(prefix="kiln-")
        self.path = os.path.join(self._dir.name, "model.so")
        self.remarks_yaml = (os.path.join(self._dir.name, "remarks.yaml")
                             if remarks else None)
        self.remarks = _kiln.compile_file(
            source, onnx, name, self.path, mcpu, opt_level, graph_fusion,
            remarks, self.remarks_yaml or "")
        self._artifact = _kiln.Artifact(self.path)
        self.entry = entry

    @property
    def entries(self):
        return list(self._artifact.entries)

    def __call__(self, *inputs, out=None):
        return self.call(self.entry, *inputs, out=out)

    def call(self, entry, *inputs, out=None):
        """Runs entry point `entry` (any of `entries`) on `inputs`.

        `out`: an array (one output) or a tuple of arrays with the outputs'
        exact dtypes and shapes, C-contiguous and writeable; the results are
        written into them and they are returned.
        """
        sig = self._artifact.inputs(entry)
        if len(inputs) != len(sig):
            raise TypeError(f"kiln: entry '{entry}' takes {len(sig)} "
                            f"inputs, {len(inputs)} given")
        arrays = [_convert(x, kind, want, f"input {i} of '{entry}'")
                  for i, (x, (kind, want, _)) in enumerate(zip(inputs, sig))]
        outs = None
        if out is not None:
            outs = list(out) if isinstance(out, (tuple, list)) else [out]
            for i, o in enumerate(outs):
                if not isinstance(o, np.ndarray):
                    raise TypeError(f"kiln: out= element {i} is "
                                    f"{type(o).__name__}, not a numpy array")
        outputs = self._artifact.run(entry, arrays, outs)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


_WIDE_FLOATS = ("f32", "f64", "f16", "bf16")
_SMALL_FLOATS = ("f8E4M3FN", "f8E5M2", "f4E2M1FN", "f8E8M0FNU")
_INT_RANGES = {"i64": (-2**63, 2**63 - 1), "i32": (-2**31, 2**31 - 1),
               "i16": (-2**15, 2**15 - 1), "i8": (-128, 127), "u8": (0, 255),
               "i4": (-8, 7), "i1": (0, 1)}


def _is_float(dtype):
    """numpy floats and ml_dtypes' floats (whose numpy kind is 'V')."""
    if dtype.kind == "f":
        return True
    try:
        import ml_dtypes
        ml_dtypes.finfo(dtype)
        return True
    except (ImportError, ValueError, TypeError):
        return False


def _convert(x, kind, want, where):
    """`x` as an array of the entry's dtype `want` (Kiln dtype `kind`).

    Conversions that are exact or round to nearest even are made: any float
    or integer to f32/f64/f16/bf16 (numpy and ml_dtypes round to nearest
    even), and integers to an integer type that holds every value. The
    8- and 4-bit floats take only their own ml_dtypes arrays: a conversion
    from float32 would have to choose between saturating and NaN. Anything
    else is refused; bytes are never reinterpreted.
    """
    x = np.asarray(x)
    if x.dtype == want:
        return x
    if kind in _WIDE_FLOATS and (_is_float(x.dtype) or x.dtype.kind in "iub"):
        return x.astype(want)
    if kind in _SMALL_FLOATS:
        raise TypeError(f"kiln: {where} is {kind}: pass an array of dtype "
                        f"{want} (from {x.dtype}, x.astype({want}) rounds to "
                        "nearest even; choose how out-of-range values go)")
    if kind in _INT_RANGES and x.dtype.kind in "iub":
        lo, hi = _INT_RANGES[kind]
        if x.size and (int(x.min()) < lo or int(x.max()) > hi):
            raise ValueError(f"kiln: {where} is {kind}: values "
                             f"[{x.min()}, {x.max()}] do not fit [{lo}, {hi}]")
        return x.astype(want)
    raise TypeError(f"kiln: {where} is {kind} ({want}); cannot take {x.dtype}")


def _source(model):
    """(bytes, is_onnx, name) of a path, bytes, str of MLIR or ModelProto."""
    if hasattr(model, "SerializeToString"):
        return model.SerializeToString(), True, "model.onnx"
    if isinstance(model, (bytes, bytearray)):
        head = bytes(model[:64]).lstrip()
        is_mlir = head.startswith((b"module", b"func.func", b"//", b"#"))
        return bytes(model), not is_mlir, "model.mlir" if is_mlir else "model.onnx"
    path = os.fspath(model)
    with open(path, "rb") as f:
        data = f.read()
    return data, path.lower().endswith(".onnx"), os.path.basename(path)


def compile(model, target="cpu", *, mcpu="native", opt_level=3,
            entry="main", graph_fusion=True, remarks=False):
    """Compiles an ONNX or MLIR model (a path, bytes or an onnx.ModelProto).

    `graph_fusion=False` skips kiln-fuse-attention and kiln-fold-conv-bn
    (to see what they buy). `remarks=True` collects Kiln's remarks (see
    CompiledModel). Raises RuntimeError with Kiln's diagnostics when the
    model is rejected.
    """
    data, onnx, name = _source(model)
    return CompiledModel(data, onnx, name, target, mcpu, opt_level, entry,
                         graph_fusion, remarks)


def compile_torch(module, example_inputs, *, opset=17, dynamic_batch=False,
                  **options):
    """Exports a torch.nn.Module with torch.onnx.export and compiles it.

    `dynamic_batch` marks dim 0 of every input and output dynamic.
    """
    import torch

    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    names = [f"input{i}" for i in range(len(example_inputs))]
    axes = None
    if dynamic_batch:
        with torch.no_grad():
            outs = module(*example_inputs)
        count = 1 if isinstance(outs, torch.Tensor) else len(outs)
        axes = {n: {0: "batch"} for n in names}
        axes.update({f"output{i}": {0: "batch"} for i in range(count)})
    else:
        count = None
    buffer = io.BytesIO()
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, tuple(example_inputs), buffer,
                          opset_version=opset, input_names=names,
                          output_names=[f"output{i}" for i in range(count)]
                          if count else None,
                          dynamic_axes=axes)
    return compile(buffer.getvalue(), **options)
