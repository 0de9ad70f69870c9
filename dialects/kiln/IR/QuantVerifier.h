//===- QuantVerifier.h - checks of a quantized operand ----------*- C++ -*-===//
//
// One verifier for every op carrying a quantized operand (kiln.quantize,
// kiln.dequantize, kiln.qmatmul, kiln.qconv): the storage element type per
// format kind, the format's axis against the storage rank, the scale shape
// per granularity and its element type, and the zero point.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IR_QUANTVERIFIER_H
#define KILN_IR_QUANTVERIFIER_H

#include "kiln/IR/KilnAttrs.h"
#include "mlir/IR/Operation.h"

namespace mlir::kiln {
/// A quantized operand and the operands and attribute that decode it, with
/// the names the diagnostics give them.
struct QuantOperand {
  StringRef name;
  Value data;
  QuantFormatAttr format;
  StringRef scaleName;
  Value scale;
  StringRef zeroPointName;
  Value zeroPoint; // null when absent
};

/// How verifyQuantOperand words its diagnostics (the rules are the same):
/// Codec as kiln.quantize / kiln.dequantize ("'input' element type must be
/// i8 or i4 for the int format, got ..."), Compute as kiln.qmatmul /
/// kiln.qconv ("'rhs' element type ... is not a storage type of the int
/// format (i8 or i4)"). Codec checks the scale element type before the
/// axis, Compute after the scale shape.
enum class QuantDiagStyle { Codec, Compute };

/// Checks `q` against its format: storage element type, axis in range,
/// scale shape (rank 0 per tensor, [dim_axis] per axis, the data shape with
/// ceil(dim_axis / block) along the axis for blocks), scale element type
/// (f32, or f8E8M0FNU for mx and bfp) and the zero point (int only, shaped
/// like the scale). `q.scale` must be given.
LogicalResult verifyQuantOperand(Operation *op, const QuantOperand &q,
                                 QuantDiagStyle style);
} // namespace mlir::kiln

#endif // KILN_IR_QUANTVERIFIER_H
