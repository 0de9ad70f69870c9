//===- KilnAttrs.td - kiln enums and attributes -------------*- tablegen -*-===//
#ifndef KILN_IR_KILNATTRS_TD
#define KILN_IR_KILNATTRS_TD

include "kiln/IR/KilnBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Kiln_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Kiln_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Convolution layouts and epilogues
//===----------------------------------------------------------------------===//

def Kiln_DataLayout : I32EnumAttr<"DataLayout",
    "activation layout; for 1-D and 3-D the H stands for the spatial dims", [
      I32EnumAttrCase<"NCHW", 0, "nchw">,
      I32EnumAttrCase<"NHWC", 1, "nhwc">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
def Kiln_DataLayoutAttr : EnumAttr<Kiln_Dialect, Kiln_DataLayout, "data_layout">;

def Kiln_FilterLayout : I32EnumAttr<"FilterLayout",
    "filter layout; for 1-D and 3-D the HW stands for the spatial dims", [
      I32EnumAttrCase<"OIHW", 0, "oihw">,
      I32EnumAttrCase<"HWIO", 1, "hwio">,
      I32EnumAttrCase<"OHWI", 2, "ohwi">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
def Kiln_FilterLayoutAttr
    : EnumAttr<Kiln_Dialect, Kiln_FilterLayout, "filter_layout">;

def Kiln_EpilogueKind : I32EnumAttr<"EpilogueKind", "one fused epilogue step", [
      I32EnumAttrCase<"Bias", 0, "bias">,
      I32EnumAttrCase<"Affine", 1, "affine">,
      I32EnumAttrCase<"ResidualAdd", 2, "residual_add">,
      I32EnumAttrCase<"Relu", 3, "relu">,
      I32EnumAttrCase<"Relu6", 4, "relu6">,
      I32EnumAttrCase<"Clip", 5, "clip">,
      I32EnumAttrCase<"Sigmoid", 6, "sigmoid">,
      I32EnumAttrCase<"Silu", 7, "silu">,
      I32EnumAttrCase<"HardSwish", 8, "hardswish">,
      I32EnumAttrCase<"GeluErf", 9, "gelu_erf">,
      I32EnumAttrCase<"GeluTanh", 10, "gelu_tanh">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}

def Kiln_EpilogueStepAttr : Kiln_Attr<"EpilogueStep", "step"> {
  let summary = "one step of an ordered fused epilogue";
  let description = [{
    Steps apply in order to the op's f32 result, per output element `y` with
    output channel `c`:
    - `bias`: y + b[c] (consumes one [C_out] epilogue operand);
    - `affine`: y * s[c] + t[c] (consumes two [C_out] operands: s, then t);
    - `residual_add`: y + r (consumes one operand shaped like the output);
    - `relu`, `relu6`, `clip` (bounds `min`, `max` required), `sigmoid`,
      `silu`, `hardswish`, `gelu_erf`, `gelu_tanh`: activations.

    Example: `[#kiln.step<bias>, #kiln.step<residual_add>, #kiln.step<relu>]`
    is a ResNet block tail; `#kiln.step<clip, min = -1.0, max = 1.0>` a clip.
  }];
  let parameters = (ins
    EnumParameter<Kiln_EpilogueKind>:$kind,
    OptionalParameter<"::mlir::FloatAttr">:$min,
    OptionalParameter<"::mlir::FloatAttr">:$max);
  let assemblyFormat =
      "`<` $kind (`,` `min` `=` $min^)? (`,` `max` `=` $max^)? `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of epilogue operands this step consumes.
    unsigned getNumOperands() const;
  }];
}

def Kiln_EpilogueArrayAttr
    : TypedArrayAttrBase<Kiln_EpilogueStepAttr, "ordered epilogue steps">;

//===----------------------------------------------------------------------===//
// Quantized value formats
//===----------------------------------------------------------------------===//

def Kiln_QuantKind : I32EnumAttr<"QuantKind", "quantized value family", [
      I32EnumAttrCase<"Int", 0, "int">,
      I32EnumAttrCase<"Float", 1, "float">,
      I32EnumAttrCase<"MX", 2, "mx">,
      I32EnumAttrCase<"BFP", 3, "bfp">,
      I32EnumAttrCase<"Codebook", 4, "codebook">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}

def Kiln_Codebook : I32EnumAttr<"Codebook", "fixed codebooks", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"DynamicSigned", 1, "dynamic_signed">,
      I32EnumAttrCase<"DynamicUnsigned", 2, "dynamic_unsigned">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}

def Kiln_QuantFormatAttr : Kiln_Attr<"QuantFormat", "qformat"> {
  let summary = "how a storage tensor and its scale operands encode values";
  let description = [{
    Granularity: with `axis = -1` (default) one scale for the tensor (scale
    operand of rank 0); with `axis = a` and `block = 0` one scale per index of
    dimension `a` (scale shape [dim_a]); with `axis = a` and `block = n` one
    scale per n consecutive elements along `a` (scale shape = data shape with
    dim a replaced by ceil(dim_a / n)).

    Kinds (value = decoded real number, q = stored element):
    - `int`: storage i8 or i4; value = (q - zp) * scale, zp an optional
      operand of the scale's shape (i32, default 0). Quantize rounds half to
      even and saturates to the storage range.
    - `float`: storage f8E4M3FN, f8E5M2 or f4E2M1FN; value = q * scale (no
      zero point). Quantize rounds to nearest even and saturates to the
      largest finite value (NaN stays NaN where the format has it).
    - `mx`: OCP MX: float storage as above with f8E8M0FNU block scales
      (block 32 along `axis`); value = q * 2^(e - 127).
    - `bfp`: block floating point: i8 storage holding `bits`-bit signed
      mantissas (2..8), f8E8M0FNU shared exponents per block; value =
      q * 2^(e - 127); quantize saturates to +-(2^(bits-1) - 1).
    - `codebook`: i8 storage of 8-bit code indices (read unsigned), f32
      block absmax scales; value = code[q] * absmax. `dynamic_signed` and
      `dynamic_unsigned` are the bitsandbytes dynamic tree maps; quantize
      picks the nearest code entry (ties toward the lower index).

    Examples: `#kiln.qformat<int>`, `#kiln.qformat<int, axis = 0>`,
    `#kiln.qformat<mx, axis = 1, block = 32>`,
    `#kiln.qformat<bfp, axis = 1, block = 32, bits = 4>`,
    `#kiln.qformat<codebook, axis = 0, block = 64, codebook = dynamic_signed>`.
  }];
  let parameters = (ins
    EnumParameter<Kiln_QuantKind>:$kind,
    DefaultValuedParameter<"int64_t", "-1">:$axis,
    DefaultValuedParameter<"int64_t", "0">:$block,
    DefaultValuedParameter<"int64_t", "0">:$bits,
    DefaultValuedParameter<"::mlir::kiln::Codebook",
                           "::mlir::kiln::Codebook::None">:$codebook);
  // struct(): the optional `key = value` pairs in any order (separate
  // optional groups that all start with `,` cannot be parsed).
  let assemblyFormat = [{
    `<` $kind (`,` struct($axis, $block, $bits, $codebook)^)? `>`
  }];
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isPerTensor() const { return getAxis() < 0; }
    bool isBlocked() const { return getAxis() >= 0 && getBlock() > 0; }
  }];
}

//===----------------------------------------------------------------------===//
// Block selection
//===----------------------------------------------------------------------===//

def Kiln_BlockSelectMode : I32EnumAttr<"BlockSelectMode", "block selection rule", [
      I32EnumAttrCase<"TopK", 0, "top_k">,
      I32EnumAttrCase<"Threshold", 1, "threshold">,
      I32EnumAttrCase<"Relative", 2, "relative">
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::kiln";
}
def Kiln_BlockSelectModeAttr
    : EnumAttr<Kiln_Dialect, Kiln_BlockSelectMode, "select_mode">;

#endif // KILN_IR_KILNATTRS_TD
