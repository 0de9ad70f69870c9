//===- NNOps.td - matmul, normalizations, softmax -----------*- tablegen -*-===//
#ifndef KILN_IR_NNOPS_TD
#define KILN_IR_NNOPS_TD

include "kiln/IR/AttentionOps.td"

def Kiln_MatmulOp : Kiln_DpsOp<"matmul", [
    DeclareOpInterfaceMethods<TilingInterface, ["getIterationDomain",
      "getLoopIteratorTypes", "getTiledImplementation",
      "getResultTilePosition"]>]> {
  let summary = "batched matrix multiply";
  let description = [{
    C[..., m, n] = sum_k A[..., m, k] * B[..., k, n] (B[..., n, k] with
    `transpose_b`), f32 accumulation; A, B and C have the same batch dims
    (rank 2 or more). The init gives only the shape: it is overwritten.
    ```mlir
    %c = kiln.matmul ins(%a, %b : tensor<4x64x32xf32>, tensor<4x32x16xf32>)
         outs(%init : tensor<4x64x16xf32>) -> tensor<4x64x16xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs,
                       Kiln_FloatTensor:$init, UnitAttr:$transpose_b);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $lhs `,` $rhs `:` type($lhs) `,` type($rhs) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_LayerNormOp : Kiln_DpsOp<"layer_norm", [AttrSizedOperandSegments]> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    Normalizes over dims [axis, rank): y = (x - mean) / sqrt(var + epsilon)
    (biased variance, f32), then * gamma + beta when given (shaped like the
    normalized dims). `axis` defaults to -1 (the last dim); negative axes
    count from the end.
    ```mlir
    %y = kiln.layer_norm %x scale(%g : tensor<768xf32>) bias(%b : tensor<768xf32>)
         : tensor<2x16x768xf32> outs(%init : tensor<2x16x768xf32>)
         -> tensor<2x16x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_FloatTensor>:$gamma,
                       Optional<Kiln_FloatTensor>:$beta,
                       Kiln_FloatTensor:$init,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` `(` $gamma^ `:` type($gamma) `)`)?
    (`bias` `(` $beta^ `:` type($beta) `)`)? `:` type($input)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_RmsNormOp : Kiln_DpsOp<"rms_norm"> {
  let summary = "RMS normalization over the trailing dimensions";
  let description = [{
    Over dims [axis, rank): y = x / sqrt(mean(x^2) + epsilon) (f32), then
    * gamma when given. `axis` defaults to -1.
    ```mlir
    %y = kiln.rms_norm %x scale(%g : tensor<4096xf32>) : tensor<8x4096xf32>
         outs(%init : tensor<8x4096xf32>) {epsilon = 1.0e-6 : f32}
         -> tensor<8x4096xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_FloatTensor>:$gamma,
                       Kiln_FloatTensor:$init,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` `(` $gamma^ `:` type($gamma) `)`)? `:` type($input)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_SoftmaxOp : Kiln_DpsOp<"softmax"> {
  let summary = "numerically stable softmax along one dimension";
  let description = [{
    y = exp(x - max) / sum(exp(x - max)) along `dimension` (default -1),
    in f32. A slice that is all -inf gives 0. `dimension` may be negative
    (counted from the end).
    ```mlir
    %y = kiln.softmax %x : tensor<2x128xf32> outs(%init : tensor<2x128xf32>)
         {dimension = 1 : i64} -> tensor<2x128xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$init,
                       DefaultValuedAttr<I64Attr, "-1">:$dimension);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `:` type($input) `outs` `(` $init `:` type($init) `)` attr-dict
    `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

#endif // KILN_IR_NNOPS_TD
