//===- ConvOps.td - convolution and batch norm --------------*- tablegen -*-===//
#ifndef KILN_IR_CONVOPS_TD
#define KILN_IR_CONVOPS_TD

include "kiln/IR/AttentionOps.td"

// Attributes shared by kiln.conv and kiln.qconv. Absent arrays mean strides 1,
// padding 0, dilation 1.
defvar Kiln_ConvAttrs = (ins
  OptionalAttr<DenseI64ArrayAttr>:$strides,
  OptionalAttr<DenseI64ArrayAttr>:$pad_low,
  OptionalAttr<DenseI64ArrayAttr>:$pad_high,
  OptionalAttr<DenseI64ArrayAttr>:$dilations,
  DefaultValuedAttr<I64Attr, "1">:$groups,
  DefaultValuedAttr<Kiln_DataLayoutAttr, "DataLayout::NCHW">:$data_layout,
  DefaultValuedAttr<Kiln_FilterLayoutAttr, "FilterLayout::OIHW">:$filter_layout,
  DefaultValuedAttr<Kiln_EpilogueArrayAttr, "{}">:$epilogue);

defvar Kiln_ConvExtraDecls = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
    /// Number of spatial dimensions (1, 2 or 3).
    int64_t getNumSpatialDims() {
      return cast<RankedTensorType>(getInput().getType()).getRank() - 2;
    }
    SmallVector<int64_t> getStrideValues();
    SmallVector<int64_t> getPadLowValues();
    SmallVector<int64_t> getPadHighValues();
    SmallVector<int64_t> getDilationValues();
}];

def Kiln_ConvOp : Kiln_DpsOp<"conv", [
    DeclareOpInterfaceMethods<TilingInterface, ["getIterationDomain",
      "getLoopIteratorTypes", "getTiledImplementation",
      "getResultTilePosition"]>]> {
  let summary = "1-D/2-D/3-D grouped convolution with an ordered epilogue";
  let description = [{
    Cross-correlation of input [N, C, spatial...] (or [N, spatial..., C] for
    `nhwc`) with filter [O, C/groups, k...] (`oihw`; `hwio` is [k..., C/groups,
    O], `ohwi` is [O, k..., C/groups]), with `strides`, asymmetric padding
    (`pad_low`, `pad_high`, zeros), `dilations` and `groups` (depthwise:
    groups = C, O = C * multiplier). Output spatial size is
    (in + pad_low + pad_high - dilation * (k - 1) - 1) / stride + 1. The
    result is then transformed by the ordered `epilogue` steps, which
    consume `epilogue_operands` in order ([C_out] for `bias` / `affine`,
    shaped like the output for `residual_add`). Accumulation and the epilogue
    are f32; the result is converted to the init's element type. The init
    gives only the shape: it is overwritten. Batch and spatial dims may be
    dynamic; the reference lowering needs static channel counts and a static
    filter.
    ```mlir
    %y = kiln.conv ins(%x, %w : tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>)
         epilogue_operands(%b : tensor<64xf32>)
         outs(%init : tensor<1x64x56x56xf32>)
         {pad_low = array<i64: 1, 1>, pad_high = array<i64: 1, 1>,
          epilogue = [#kiln.step<bias>, #kiln.step<relu>]}
         -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = !con((ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
                            Variadic<Kiln_FloatTensor>:$epilogue_operands,
                            Kiln_FloatTensor:$init), Kiln_ConvAttrs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $filter `:` type($input) `,` type($filter) `)`
    (`epilogue_operands` `(` $epilogue_operands^ `:` type($epilogue_operands) `)`)?
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = Kiln_ConvExtraDecls;
}

def Kiln_BatchNormOp : Kiln_DpsOp<"batch_norm"> {
  let summary = "inference batch normalization with running statistics";
  let description = [{
    y = (x - mean[c]) / sqrt(var[c] + epsilon) * gamma[c] + beta[c], c the
    index along `channel_axis` (default 1; negative counts from the end), all
    four statistics [C], computed in f32.
    ```mlir
    %y = kiln.batch_norm %x, %gamma, %beta, %mean, %var
         : tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>,
           tensor<64xf32>, tensor<64xf32>
         outs(%init : tensor<1x64x56x56xf32>) {epsilon = 1.0e-5 : f32}
         -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$gamma,
                       Kiln_FloatTensor:$beta, Kiln_FloatTensor:$mean,
                       Kiln_FloatTensor:$variance, Kiln_FloatTensor:$init,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon,
                       DefaultValuedAttr<I64Attr, "1">:$channel_axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance `:` type($input) `,`
    type($gamma) `,` type($beta) `,` type($mean) `,` type($variance)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

#endif // KILN_IR_CONVOPS_TD
