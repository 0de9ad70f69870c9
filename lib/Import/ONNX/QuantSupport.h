//===- QuantSupport.h - scales and zero points of ONNX quantization --------===//
#ifndef KILN_LIB_IMPORT_ONNX_QUANTSUPPORT_H
#define KILN_LIB_IMPORT_ONNX_QUANTSUPPORT_H

#include "NodeImporter.h"
#include "kiln/IR/KilnAttrs.h"

namespace mlir::kiln::onnx_import {

/// The scale and zero point of one quantized operand, in kiln.quantize /
/// kiln.dequantize form: a rank-0 scale per tensor, [dim] per axis, the
/// data's rank when blocked; the zero point i32 of the same shape (null
/// for 0), shifted by -128 for uint8 data.
struct QuantParams {
  Value scale, zeroPoint;
  int64_t axis = -1, block = 0;
  bool isU8 = false;
  QuantFormatAttr format;
};

/// Reads the scale (input `scaleInput`) and zero point (`zpInput`, optional)
/// for `data` with the node's axis / block_size attributes. Without a zero
/// point the storage is uint8 unless `requireZpType` says int8.
FailureOr<QuantParams> readQuantParams(NodeImporter &n, RankedTensorType data,
                                       int scaleInput, int zpInput,
                                       bool requireZpType,
                                       int64_t defaultAxis = 1);
/// (q - zp) in i32, the zero point broadcast along its axis.
Value centeredI32(NodeImporter &n, Value q, const QuantParams &p);

/// Output 0 of `n`: kiln.quantize of `x` with `p` (flagged uint8 when p is).
void setQuantizedOutput(NodeImporter &n, Value x, const QuantParams &p);

/// MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv (IntegerOps.cpp).
void registerIntegerOps(OpTable &table);

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_QUANTSUPPORT_H
