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
    `kiln.dequantize`, `quant.scast` disappears, and function signatures
    carrying quantized tensors take the storage type. Forms kiln cannot
    represent (sub-channel quantization, non-integer storage, unranked
    tensors) are errors naming the value.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // KILN_TRANSFORMS_PASSES_TD
