"""Helpers the numerics tests share to build their cases: MLIR tensor type
text and inputs rounded to the element type the op sees.

Numpy references of whole op families live beside this module
(attention_ref, quant_ref, block_select_ref); the runner is kiln_testing.
"""
import numpy as np

import kiln_testing as kt


def ty(shape, elt):
    """MLIR tensor type text: ty([2, None], "f32") == "tensor<2x?xf32>".
    None (or "?") is a dynamic dim; an empty shape gives a 0-d tensor."""
    dims = "x".join("?" if d is None else str(d) for d in shape)
    return f"tensor<{dims}x{elt}>" if dims else f"tensor<{elt}>"


def to_input(a, elt):
    """(array passed to the harness for element type elt, its exact value as
    float64): f32 / f16 values, or bf16 bits rounded to nearest even."""
    if elt == "bf16":
        bits = kt.bf16_bits(a)
        return bits, kt.bf16_to_f32(bits).astype(np.float64)
    if elt == "f16":
        h = np.asarray(a, np.float16)
        return h, h.astype(np.float64)
    f = np.asarray(a, np.float32)
    return f, f.astype(np.float64)


def dynamic_lead_lines(xt, xd):
    """MLIR body lines that cast %x of type xt to xd (the same type with a
    dynamic leading dim) as %xd, and make %i, an empty xd of that size."""
    return f"""
    %c0 = arith.constant 0 : index
    %xd = tensor.cast %x : {xt} to {xd}
    %n = tensor.dim %xd, %c0 : {xd}
    %i = tensor.empty(%n) : {xd}"""
