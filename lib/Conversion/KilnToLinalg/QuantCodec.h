//===- QuantCodec.h - bit-level minifloat codecs in IR ----------*- C++ -*-===//
//
// Builders for the scalar IR that decodes and encodes Kiln's quantized
// element formats with integer ops only (upstream arith.extf/truncf on f8
// does not lower to LLVM). They implement, op for op, the algorithms of
// kiln/Utils/QuantFormats.cpp, from which the format constants come.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_QUANTCODEC_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_QUANTCODEC_H

#include "kiln/Utils/QuantFormats.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <optional>

namespace mlir::kiln::quant {
namespace qfmt = ::kiln::qfmt;

/// The format of a minifloat or E8M0 element type, if it is one.
std::optional<qfmt::FloatFormat> getFloatFormat(Type type);
/// The i32 code (zero-extended bits) of a scalar of a minifloat/E8M0 type.
Value codeOf(ImplicitLocOpBuilder &b, Value element);
/// The scalar of minifloat type `type` whose bits are the low bits of the
/// i32 `code`.
Value fromCode(ImplicitLocOpBuilder &b, Value code, Type type);
/// f32 value of the i32 code of `format` (exact; NaN/inf codes included).
Value decodeToF32(ImplicitLocOpBuilder &b, qfmt::FloatFormat format,
                  Value code);
/// i32 code of the round-to-nearest-even, saturating encode of the f32 `x`
/// (NaN -> the canonical NaN code, or +0 where the format has no NaN).
/// Not for E8M0.
Value encodeFromF32(ImplicitLocOpBuilder &b, qfmt::FloatFormat format,
                    Value x);

} // namespace mlir::kiln::quant

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_QUANTCODEC_H
