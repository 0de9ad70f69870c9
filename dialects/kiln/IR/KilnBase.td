//===- KilnBase.td - the kiln dialect and its op base class -*- tablegen -*-===//
#ifndef KILN_IR_KILNBASE_TD
#define KILN_IR_KILNBASE_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::mlir::kiln";
  let summary = "Attention, convolution and quantization at graph level";
  let description = [{
    The `kiln` dialect states *what* the kernels of modern networks compute:
    attention (dense, causal, sliding-window, grouped-query, block-sparse,
    token-permuted), its LSE merge, token permutation and block selection,
    convolution with ordered fused epilogues, normalizations, and quantized
    values in the storage + scale/zero-point operand form.

    Every compute op is in destination-passing style on ranked tensors: the
    `outs` operands give the result shapes and are overwritten (never
    accumulated into). Softmax and accumulation are in f32 whatever the
    input element type. `convert-kiln-to-linalg` is the reference lowering
    that defines each op's numerics.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Defined beside the attribute storage classes (KilnAttrs.cpp).
    void registerAttributes();
  }];
  let dependentDialects = [
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect"
  ];
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// Element types Kiln computes on in floating point.
def Kiln_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Kiln_F32Tensor : RankedTensorOf<[F32]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_I32Tensor : RankedTensorOf<[I32]>;

#endif // KILN_IR_KILNBASE_TD
