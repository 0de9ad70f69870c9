//===- QuantCodec.cpp - bit-level minifloat codecs in IR ------------------===//
#include "QuantCodec.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using ::kiln::qfmt::FloatFormat;
namespace qfmt = ::kiln::qfmt;

namespace {
/// Terse i32 arithmetic on an implicit-location builder.
struct I32Ops {
  ImplicitLocOpBuilder &b;

  Value c(int64_t v) {
    return arith::ConstantIntOp::create(b, b.getI32Type(), v);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value band(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value bor(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value shl(Value x, Value y) { return arith::ShLIOp::create(b, x, y); }
  Value shr(Value x, Value y) { return arith::ShRUIOp::create(b, x, y); }
  Value smax(Value x, Value y) { return arith::MaxSIOp::create(b, x, y); }
  Value smin(Value x, Value y) { return arith::MinSIOp::create(b, x, y); }
  Value umin(Value x, Value y) { return arith::MinUIOp::create(b, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  }
  Value eq(Value x, Value y) { return cmp(arith::CmpIPredicate::eq, x, y); }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, cond, x, y);
  }
  Value toF32(Value bits) {
    return arith::BitcastOp::create(b, b.getF32Type(), bits);
  }
};
} // namespace

std::optional<FloatFormat> quant::getFloatFormat(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return FloatFormat::E4M3FN;
  if (isa<Float8E5M2Type>(type))
    return FloatFormat::E5M2;
  if (isa<Float4E2M1FNType>(type))
    return FloatFormat::E2M1FN;
  if (isa<Float8E8M0FNUType>(type))
    return FloatFormat::E8M0FNU;
  return std::nullopt;
}

Value quant::codeOf(ImplicitLocOpBuilder &b, Value element) {
  unsigned width = element.getType().getIntOrFloatBitWidth();
  Value bits =
      arith::BitcastOp::create(b, b.getIntegerType(width), element);
  return arith::ExtUIOp::create(b, b.getI32Type(), bits);
}

Value quant::fromCode(ImplicitLocOpBuilder &b, Value code, Type type) {
  unsigned width = type.getIntOrFloatBitWidth();
  Value bits = arith::TruncIOp::create(b, b.getIntegerType(width), code);
  return arith::BitcastOp::create(b, type, bits);
}

Value quant::decodeToF32(ImplicitLocOpBuilder &b, FloatFormat format,
                         Value code) {
  I32Ops i{b};
  Value nan = i.toF32(i.c(0x7FC00000));
  if (format == FloatFormat::E8M0FNU) {
    // 2^(c - 127): the f32 exponent field is c; code 0 is the f32
    // subnormal 2^-127 (bits 0x00400000); 0xFF is NaN.
    Value bits = i.sel(i.eq(code, i.c(0)), i.c(0x00400000),
                       i.shl(code, i.c(23)));
    return i.sel(i.eq(code, i.c(0xFF)), nan, i.toF32(bits));
  }
  const qfmt::FloatFormatInfo &info = qfmt::getInfo(format);
  int64_t e = info.expBits, m = info.manBits;
  Value sign = i.band(i.shr(code, i.c(e + m)), i.c(1));
  Value exp = i.band(i.shr(code, i.c(m)), i.c((1 << e) - 1));
  Value man = i.band(code, i.c((1 << m) - 1));
  Value signBit = i.shl(sign, i.c(31));
  // Normal: rebias the exponent into f32 and left-align the mantissa.
  Value normal = i.toF32(
      i.bor(signBit, i.bor(i.shl(i.add(exp, i.c(127 - info.bias)), i.c(23)),
                           i.shl(man, i.c(23 - m)))));
  // Subnormal: man * 2^(1 - bias - m), exact in f32; then the sign.
  Value magnitude = arith::MulFOp::create(
      b, arith::UIToFPOp::create(b, b.getF32Type(), man),
      arith::ConstantOp::create(
          b, b.getF32FloatAttr(std::ldexp(1.0f, 1 - info.bias - int(m)))));
  Value sub = i.sel(i.eq(sign, i.c(1)), arith::NegFOp::create(b, magnitude),
                    magnitude);
  Value value = i.sel(i.eq(exp, i.c(0)), sub, normal);
  switch (format) {
  case FloatFormat::E4M3FN: // S.1111.111 is NaN, no inf
    return i.sel(i.eq(i.band(code, i.c(0x7F)), i.c(0x7F)), nan, value);
  case FloatFormat::E5M2: { // IEEE-like: exponent 11111 is inf or NaN
    Value inf = i.toF32(i.bor(signBit, i.c(0x7F800000)));
    Value special = i.sel(i.eq(man, i.c(0)), inf, nan);
    return i.sel(i.eq(exp, i.c(31)), special, value);
  }
  default: // E2M1FN: every code is finite
    return value;
  }
}

Value quant::encodeFromF32(ImplicitLocOpBuilder &b, FloatFormat format,
                           Value x) {
  // Op for op the algorithm of qfmt::encode (QuantFormats.cpp).
  I32Ops i{b};
  const qfmt::FloatFormatInfo &info = qfmt::getInfo(format);
  int64_t m = info.manBits;
  Value u = arith::BitcastOp::create(b, b.getI32Type(), x);
  Value sign = i.shr(u, i.c(31));
  Value a = i.band(u, i.c(0x7FFFFFFF));
  Value eu = i.shr(a, i.c(23));
  Value sig = i.bor(i.band(a, i.c(0x7FFFFF)), i.c(0x800000));
  Value et = i.add(eu, i.c(info.bias - 127)); // target biased exponent
  // Shift the 24-bit significand onto the target grid (normal or
  // subnormal); shifts past 24 leave 0 (or round to the smallest code).
  Value shift = i.add(i.c(23 - m), i.smax(i.sub(i.c(1), et), i.c(0)));
  shift = i.smin(shift, i.c(31));
  Value base = i.shl(i.smax(i.sub(et, i.c(1)), i.c(0)), i.c(m));
  Value trunc = i.add(base, i.shr(sig, shift));
  Value rem = i.band(sig, i.sub(i.shl(i.c(1), shift), i.c(1)));
  Value half = i.shl(i.c(1), i.sub(shift, i.c(1)));
  Value odd = i.eq(i.band(trunc, i.c(1)), i.c(1));
  Value up = arith::OrIOp::create(
      b, i.cmp(arith::CmpIPredicate::ugt, rem, half),
      arith::AndIOp::create(b, i.eq(rem, half), odd));
  Value code = i.add(trunc, arith::ExtUIOp::create(b, b.getI32Type(), up));
  code = i.sel(i.eq(eu, i.c(0)), i.c(0), code); // zero, f32 subnormals
  code = i.umin(code, i.c(info.maxCode));       // saturate, +-inf included
  code = i.bor(code, i.shl(sign, i.c(info.expBits + m)));
  Value isNaN = i.cmp(arith::CmpIPredicate::ugt, a, i.c(0x7F800000));
  return i.sel(isNaN, i.c(info.nanCode), code);
}
