//===- Passes.td - kiln transform passes --------------------*- tablegen -*-===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnImportQuantTypes : Pass<"kiln-import-quant-types", "ModuleOp"> {
  let summary = "Normalizes upstream !quant.uniform values to kiln's operand form";
  let description = [{
    Rewrites values of upstream `!quant.uniform` type (integer storage,
    per-tensor or per-axis) into kiln's representation: a storage tensor of
    the builtin integer type plus scale and zero-point operands.
    `quant.qcast` becomes `kiln.quantize`, `quant.dcast` becomes
    `kiln.dequantize` (with `arith.constant` scale tensors of rank 0 or
    [C] in f32, zero-point tensors in i32 when any is nonzero, and
    `#kiln.qformat<int>` / `#kiln.qformat<int, axis = a>`), `quant.scast`
    disappears, and function signatures, calls and returns carrying
    quantized tensors take the storage type. A qcast / dcast pair keeps its
    rounding (upstream's dcast(qcast(x)) folder is not applied). Quantize
    follows kiln.quantize: t = x / scale in f32, round half to even, add the
    zero point, saturate.

    Storage: i8, i4 as is. Unsigned u8 / u4 whose range fits the signed type
    (e.g. `u8<0:127>`) keep their bits. Other unsigned storage is stored
    shifted by -2^(w-1) (the top bit flipped), with zero points and bounds
    shifted alike; (q - zp) is unchanged, so decoded values and quantize
    results are exact. `quant.scast` to or from such a type flips the top
    bit, so storage seen through scast keeps the unsigned encoding; function
    arguments and results of such types carry the shifted form. Storage
    ranges narrower than the type (e.g. `i8<-127:127>`) become an
    `arith.maxsi` / `arith.minsi` clamp after `kiln.quantize`.

    Forms kiln cannot represent are errors naming the value and the form,
    reported before anything is rewritten: sub-channel (block-wise)
    quantization, non-integer storage, storage wider than 8 bits,
    expressed types other than f32 / f16 / bf16, unranked tensors, scalars
    and vectors, and non-uniform quantized types. Other ops carrying
    quantized tensors (e.g. tensor.extract_slice) are not converted and fail
    to legalize.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // KILN_TRANSFORMS_PASSES_TD
