//===- QuantOps.td - quantized values and compute -----------*- tablegen -*-===//
#ifndef KILN_IR_QUANTOPS_TD
#define KILN_IR_QUANTOPS_TD

include "kiln/IR/ConvOps.td"

def Kiln_StorageTensor
    : RankedTensorOf<[I8, I<4>, F8E4M3FN, F8E5M2, F4E2M1FN]>;
def Kiln_ScaleTensor : RankedTensorOf<[F32, F8E8M0FNU]>;

def Kiln_QuantizeOp : Kiln_DpsOp<"quantize"> {
  let summary = "encodes real values into a storage tensor";
  let description = [{
    Encodes `input` (f32, f16 or bf16) with the given scale (and zero point
    for `int`) operands according to `format` (see `#kiln.qformat`), in f32
    with t = x / scale:
    int: q = saturate(round_half_even(t) + zp); float: q =
    round_to_nearest_even_saturating(t); mx: the same with scale =
    2^(e - 127); bfp: q = clamp(round_half_even(t), +-(2^(bits-1) - 1)) with
    scale = 2^(e - 127); codebook: q = index of the code entry nearest to t
    (ties toward the lower index; scale = absmax).
    A zero scale encodes the value 0 (int: q = saturate(zp); float: +0;
    codebook: the entry nearest 0). A NaN quotient encodes NaN in f8E4M3FN
    (0x7F) and f8E5M2 (0x7E) and the value 0 in every format without NaN
    (int, bfp, codebook, f4E2M1FN). Float encodes saturate +-inf as well
    (f8E5M2 included: its inf codes are never produced). The bit-level
    definition of every format is kiln/Utils/QuantFormats.h.
    quantize(dequantize(q)) with the same scale, zero point and format folds
    to q where that is provably exact (see QuantizeOp::fold).
    ```mlir
    %q = kiln.quantize %x scale(%s : tensor<64xf32>) : tensor<64x128xf32>
         outs(%init : tensor<64x128xi8>) {format = #kiln.qformat<int, axis = 0>}
         -> tensor<64x128xi8>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_ScaleTensor:$scale,
                       Optional<Kiln_I32Tensor>:$zero_point,
                       Kiln_StorageTensor:$init,
                       Kiln_QuantFormatAttr:$format);
  let results = (outs Kiln_StorageTensor:$result);
  let assemblyFormat = [{
    $input `scale` `(` $scale `:` type($scale) `)`
    (`zero_point` `(` $zero_point^ `:` type($zero_point) `)`)? `:` type($input)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_DequantizeOp : Kiln_DpsOp<"dequantize"> {
  let summary = "decodes a storage tensor into real values";
  let description = [{
    value = (q - zp) * scale for `int`, q * scale for `float`, q * 2^(e-127)
    for `mx` and `bfp`, code[q] * absmax for `codebook` (q read unsigned),
    computed in f32 and written in the init's element type. Minifloat codes
    decode exactly (f8E5M2 inf and NaN codes to inf and NaN).
    ```mlir
    %x = kiln.dequantize %q scale(%s : tensor<64x4xf8E8M0FNU>)
         : tensor<64x128xf4E2M1FN> outs(%init : tensor<64x128xf32>)
         {format = #kiln.qformat<mx, axis = 1, block = 32>}
         -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Kiln_StorageTensor:$input, Kiln_ScaleTensor:$scale,
                       Optional<Kiln_I32Tensor>:$zero_point,
                       Kiln_FloatTensor:$init,
                       Kiln_QuantFormatAttr:$format);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `scale` `(` $scale `:` type($scale) `)`
    (`zero_point` `(` $zero_point^ `:` type($zero_point) `)`)? `:` type($input)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_QMatmulOp : Kiln_DpsOp<"qmatmul", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<TilingInterface, ["getIterationDomain",
      "getLoopIteratorTypes", "getTiledImplementation",
      "getResultTilePosition"]>]> {
  let summary = "matmul with a quantized right operand (and optionally left)";
  let description = [{
    C = deq(A) . deq(B) with f32 accumulation, where deq is
    `kiln.dequantize` (computed in f32) with the operand's scale, zero point
    and format. A is real-valued (f32, f16 or bf16) when `lhs_format` is
    absent; with `lhs_format` it is a storage tensor and `lhs_scale` is
    required. Scale and zero-point shapes follow each format's granularity
    as for `kiln.dequantize`, over the operand's own dims (batch included);
    zero points only with the `int` format. Shapes as `kiln.matmul`:
    A [..., M, K], B [..., K, N] or, with `transpose_b`, [..., N, K] (the
    usual weight layout), the same batch dims on A, B and the init, whose
    type is the result type.
    ```mlir
    %c = kiln.qmatmul ins(%a, %w : tensor<8x4096xf32>, tensor<4096x4096xi4>)
         rhs_scale(%s : tensor<4096x32xf32>) outs(%init : tensor<8x4096xf32>)
         {transpose_b, rhs_format = #kiln.qformat<int, axis = 1, block = 128>}
         -> tensor<8x4096xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, Kiln_StorageTensor:$rhs,
                       Optional<Kiln_ScaleTensor>:$lhs_scale,
                       Optional<Kiln_I32Tensor>:$lhs_zero_point,
                       Kiln_ScaleTensor:$rhs_scale,
                       Optional<Kiln_I32Tensor>:$rhs_zero_point,
                       Kiln_FloatTensor:$init,
                       OptionalAttr<Kiln_QuantFormatAttr>:$lhs_format,
                       Kiln_QuantFormatAttr:$rhs_format,
                       UnitAttr:$transpose_b);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $lhs `,` $rhs `:` type($lhs) `,` type($rhs) `)`
    (`lhs_scale` `(` $lhs_scale^ `:` type($lhs_scale) `)`)?
    (`lhs_zero_point` `(` $lhs_zero_point^ `:` type($lhs_zero_point) `)`)?
    `rhs_scale` `(` $rhs_scale `:` type($rhs_scale) `)`
    (`rhs_zero_point` `(` $rhs_zero_point^ `:` type($rhs_zero_point) `)`)?
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_QConvOp : Kiln_DpsOp<"qconv", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<TilingInterface, ["getIterationDomain",
      "getLoopIteratorTypes", "getTiledImplementation",
      "getResultTilePosition"]>]> {
  let summary = "convolution with a quantized filter (and optionally input)";
  let description = [{
    `kiln.conv` of deq(input) and deq(filter) (deq as in `kiln.qmatmul`),
    with the same layouts, strides, padding (of real zeros, not of zero
    points), dilations, groups and epilogue. The input is real-valued (f32,
    f16 or bf16) when `input_format` is absent; with it, `input_scale` is
    required. Per-output-channel filter scales use the filter layout's O
    axis (0 for `oihw` / `ohwi`, 3 for 2-D `hwio`).
    ```mlir
    %y = kiln.qconv ins(%x, %w : tensor<1x3x32x32xf32>, tensor<16x3x3x3xi8>)
         filter_scale(%s : tensor<16xf32>) outs(%init : tensor<1x16x30x30xf32>)
         {filter_format = #kiln.qformat<int, axis = 0>}
         -> tensor<1x16x30x30xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, Kiln_StorageTensor:$filter,
                            Optional<Kiln_ScaleTensor>:$input_scale,
                            Optional<Kiln_I32Tensor>:$input_zero_point,
                            Kiln_ScaleTensor:$filter_scale,
                            Optional<Kiln_I32Tensor>:$filter_zero_point,
                            Variadic<Kiln_FloatTensor>:$epilogue_operands,
                            Kiln_FloatTensor:$init,
                            OptionalAttr<Kiln_QuantFormatAttr>:$input_format,
                            Kiln_QuantFormatAttr:$filter_format),
                       Kiln_ConvAttrs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $filter `:` type($input) `,` type($filter) `)`
    (`input_scale` `(` $input_scale^ `:` type($input_scale) `)`)?
    (`input_zero_point` `(` $input_zero_point^ `:` type($input_zero_point) `)`)?
    `filter_scale` `(` $filter_scale `:` type($filter_scale) `)`
    (`filter_zero_point` `(` $filter_zero_point^ `:` type($filter_zero_point) `)`)?
    (`epilogue_operands` `(` $epilogue_operands^ `:` type($epilogue_operands) `)`)?
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = Kiln_ConvExtraDecls;
}

#endif // KILN_IR_QUANTOPS_TD
