"""Kiln from Python: compile a model, call it on numpy arrays.

    import kiln
    model = kiln.compile("model.onnx")          # or .mlir, bytes, ModelProto
    y = model(x)                                # numpy in, numpy out
    model = kiln.compile_torch(module, (x,))    # via torch.onnx.export

Compilation runs Kiln's driver in-process (kiln-cpu-pipeline, the same
phases as kiln-compile) into a shared artifact in a private temporary
folder; calls go through Kiln's C runtime, which checks dtypes and shapes.
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
    """A compiled artifact; calling it runs its entry point."""

    def __init__(self, source, onnx, name, target, mcpu, opt_level, entry,
                 graph_fusion=True):
        if target != "cpu":
            raise ValueError(f"kiln: unknown target {target!r} (expected 'cpu')")
        self._dir = tempfile.TemporaryDirectory(prefix="kiln-")
        self.path = os.path.join(self._dir.name, "model.so")
        _kiln.compile_file(source, onnx, name, self.path, mcpu, opt_level,
                           graph_fusion)
        self._artifact = _kiln.Artifact(self.path)
        self.entry = entry

    @property
    def entries(self):
        return list(self._artifact.entries)

    def __call__(self, *inputs):
        outputs = self._artifact.run(self.entry,
                                     [np.asarray(x) for x in inputs])
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


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
            entry="main", graph_fusion=True):
    """Compiles an ONNX or MLIR model (a path, bytes or an onnx.ModelProto).

    `graph_fusion=False` skips kiln-fuse-attention and kiln-fold-conv-bn
    (to see what they buy). Raises RuntimeError with Kiln's diagnostics when
    the model is rejected.
    """
    data, onnx, name = _source(model)
    return CompiledModel(data, onnx, name, target, mcpu, opt_level, entry,
                         graph_fusion)


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
