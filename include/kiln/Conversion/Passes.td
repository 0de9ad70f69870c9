//===- Passes.td - kiln conversion passes -------------------*- tablegen -*-===//
#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalg : Pass<"convert-kiln-to-linalg"> {
  let summary = "Reference lowering of every kiln op to linalg/tensor/arith/math/scf";
  let description = [{
    The naive, obviously right lowering that defines each kiln op's
    numerics and serves as the oracle every optimized pipeline is compared
    against. Attention is lowered as an explicit score matrix with the
    intersection of all masks, an f32 softmax (rows that see no key give 0
    and LSE -inf) and a second contraction; convolution as a zero-padded
    grouped contraction followed by the ordered epilogue; block selection
    as rank computations (a stable descending sort, top-k and cumulative
    mass as closed formulas over linalg.generic); quantized formats through
    Kiln's own bit-level encoding and decoding (FP8/FP4/E8M0 included, no
    arith.extf on f8). Any op it cannot lower is an error that names it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // KILN_CONVERSION_PASSES_TD
