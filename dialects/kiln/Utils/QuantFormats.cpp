//===- QuantFormats.cpp - bit-level quantized formats (no MLIR) -----------===//
#include "kiln/Utils/QuantFormats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace kiln::qfmt {

static uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof(u));
  return u;
}

const FloatFormatInfo &getInfo(FloatFormat format) {
  // totalBits, expBits, manBits, bias, sign, inf, nan, maxCode, nanCode, emax
  static const FloatFormatInfo e4m3 = {8, 4, 3, 7, true, false, true,
                                       0x7E, 0x7F, 8};
  static const FloatFormatInfo e5m2 = {8, 5, 2, 15, true, true, true,
                                       0x7B, 0x7E, 15};
  static const FloatFormatInfo e2m1 = {4, 2, 1, 1, true, false, false,
                                       0x7, 0x0, 2};
  static const FloatFormatInfo e8m0 = {8, 8, 0, 127, false, false, true,
                                       0xFE, 0xFF, 127};
  switch (format) {
  case FloatFormat::E4M3FN:
    return e4m3;
  case FloatFormat::E5M2:
    return e5m2;
  case FloatFormat::E2M1FN:
    return e2m1;
  case FloatFormat::E8M0FNU:
    break;
  }
  return e8m0;
}

unsigned numCodes(FloatFormat format) {
  return 1u << getInfo(format).totalBits;
}

bool isNaNCode(FloatFormat format, uint32_t code) {
  const FloatFormatInfo &info = getInfo(format);
  code &= numCodes(format) - 1;
  switch (format) {
  case FloatFormat::E4M3FN:
    return (code & 0x7F) == 0x7F;
  case FloatFormat::E5M2:
    return (code & 0x7C) == 0x7C && (code & 0x3) != 0;
  case FloatFormat::E2M1FN:
    return false;
  case FloatFormat::E8M0FNU:
    return code == info.nanCode;
  }
  return false;
}

float maxFinite(FloatFormat format) {
  return decode(format, getInfo(format).maxCode);
}

float decode(FloatFormat format, uint32_t code) {
  const FloatFormatInfo &info = getInfo(format);
  code &= numCodes(format) - 1;
  if (isNaNCode(format, code))
    return std::numeric_limits<float>::quiet_NaN();
  if (format == FloatFormat::E8M0FNU)
    return std::ldexp(1.0f, static_cast<int>(code) - 127);
  uint32_t sign = code >> (info.expBits + info.manBits);
  uint32_t exp = (code >> info.manBits) & ((1u << info.expBits) - 1);
  uint32_t man = code & ((1u << info.manBits) - 1);
  float magnitude;
  if (info.hasInf && exp == (1u << info.expBits) - 1)
    magnitude = std::numeric_limits<float>::infinity();
  else if (exp == 0) // subnormal: man * 2^(1 - bias - manBits)
    magnitude = std::ldexp(static_cast<float>(man),
                           1 - info.bias - static_cast<int>(info.manBits));
  else
    magnitude = std::ldexp(1.0f + std::ldexp(static_cast<float>(man),
                                             -static_cast<int>(info.manBits)),
                           static_cast<int>(exp) - info.bias);
  return sign ? -magnitude : magnitude;
}

/// E8M0: exponent-only rounding of a positive float (see the header).
static uint32_t encodeE8M0(float x) {
  if (std::isnan(x) || (x < 0.0f))
    return 0xFF;
  uint32_t a = bitsOf(x) & 0x7FFFFFFF;
  uint32_t eu = a >> 23, mu = a & 0x7FFFFF;
  if (eu == 0) // +0 and f32 subnormals: 2^-127 (code 0) or 2^-126 (code 1)
    return mu > 3u << 21 ? 1 : 0;
  uint32_t code = eu;
  if (mu > (1u << 22) || (mu == (1u << 22) && (code & 1)))
    ++code;
  return std::min<uint32_t>(code, 0xFE);
}

uint32_t encode(FloatFormat format, float x) {
  if (format == FloatFormat::E8M0FNU)
    return encodeE8M0(x);
  const FloatFormatInfo &info = getInfo(format);
  if (std::isnan(x))
    return info.nanCode;
  // The algorithm the reference lowering builds in IR: from the f32 fields,
  // shift the 24-bit significand right so that it lands on the target's
  // (normal or subnormal) grid, round half to even on the dropped bits and
  // let a carry ripple into the exponent field; then saturate.
  uint32_t u = bitsOf(x);
  uint32_t sign = u >> 31;
  uint32_t a = u & 0x7FFFFFFF;
  int32_t eu = static_cast<int32_t>(a >> 23);
  uint32_t sig = (a & 0x7FFFFF) | 0x800000;
  int32_t m = static_cast<int32_t>(info.manBits);
  int32_t et = eu - 127 + info.bias; // target biased exponent
  int32_t shift = 23 - m + std::max(1 - et, 0);
  shift = std::min(shift, 31);
  uint32_t base = static_cast<uint32_t>(std::max(et - 1, 0)) << m;
  uint32_t trunc = base + (sig >> shift);
  uint32_t rem = sig & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  uint32_t code = trunc + ((rem > half || (rem == half && (trunc & 1))) ? 1 : 0);
  if (eu == 0) // zero and f32 subnormals (far below every target's grid)
    code = 0;
  code = std::min(code, info.maxCode); // finite overflow and +-inf
  return (sign << (info.expBits + info.manBits)) | code;
}

//===----------------------------------------------------------------------===//
// Integers
//===----------------------------------------------------------------------===//

int32_t intMin(unsigned bits) { return -(1 << (bits - 1)); }
int32_t intMax(unsigned bits) { return (1 << (bits - 1)) - 1; }

double roundHalfEven(double x) {
  double lower = std::floor(x);
  double diff = x - lower;
  if (diff > 0.5)
    return lower + 1.0;
  if (diff < 0.5)
    return lower;
  return std::fmod(lower, 2.0) == 0.0 ? lower : lower + 1.0;
}

int32_t quantizeInt(float x, float scale, int32_t zeroPoint, unsigned bits) {
  float t = scale == 0.0f ? 0.0f : x / scale;
  if (std::isnan(t))
    t = 0.0f;
  double r = std::clamp(roundHalfEven(t), -0x1p40, 0x1p40);
  int64_t q = static_cast<int64_t>(r) + zeroPoint;
  return static_cast<int32_t>(
      std::clamp<int64_t>(q, intMin(bits), intMax(bits)));
}

float dequantizeInt(int32_t q, float scale, int32_t zeroPoint) {
  int64_t n = static_cast<int64_t>(q) - zeroPoint;
  return static_cast<float>(n) * scale;
}

uint32_t quantizeFloat(FloatFormat format, float x, float scale) {
  return encode(format, scale == 0.0f ? 0.0f : x / scale);
}

//===----------------------------------------------------------------------===//
// Codebooks
//===----------------------------------------------------------------------===//

/// create_dynamic_map(signed, max_exponent_bits = 7, total_bits = 8). For
/// decade i (0..6) the 2^i (signed) or 2^(i+1) (unsigned) means of adjacent
/// f32 boundaries of linspace(0.1, 1, n + 1), times 10^(i - 6); then 0 and
/// 1.0, sorted. Rounding: the boundaries are f32 (the linspace computed in
/// double from f32(0.1)), means and the decade scaling in double, one final
/// rounding to f32. This reproduces the published 256-entry signed table
/// entry for entry (checked in QuantFormatsTest).
static Codebook makeDynamicMap(bool isSigned) {
  std::vector<double> data;
  const double start = static_cast<double>(0.1f);
  for (int i = 0; i < 7; ++i) {
    int n = (isSigned ? (1 << i) : (1 << (i + 1))) + 1;
    double step = (1.0 - start) / (n - 1);
    std::vector<double> bounds;
    for (int k = 0; k < n; ++k)
      bounds.push_back(static_cast<float>(start + step * k));
    double decade = std::pow(10.0, i - 6);
    for (int k = 0; k + 1 < n; ++k) {
      double mean = (bounds[k] + bounds[k + 1]) / 2.0;
      float v = static_cast<float>(decade * mean);
      data.push_back(v);
      if (isSigned)
        data.push_back(-v);
    }
  }
  data.push_back(0.0);
  data.push_back(1.0);
  std::sort(data.begin(), data.end());
  Codebook code{};
  for (size_t i = 0; i < code.size() && i < data.size(); ++i)
    code[i] = static_cast<float>(data[i]);
  return code;
}

const Codebook &dynamicSignedMap() {
  static const Codebook map = makeDynamicMap(true);
  return map;
}

const Codebook &dynamicUnsignedMap() {
  static const Codebook map = makeDynamicMap(false);
  return map;
}

uint8_t encodeCodebook(const Codebook &code, float normalized) {
  if (std::isnan(normalized))
    normalized = 0.0f;
  double x = normalized;
  unsigned count = 0;
  for (size_t i = 0; i + 1 < code.size(); ++i) {
    // Exact in double: the entries are f32 within 2^-21..1 of each other.
    double mid = (static_cast<double>(code[i]) + code[i + 1]) / 2.0;
    if (mid < x)
      ++count;
  }
  return static_cast<uint8_t>(count);
}

uint8_t codebookZeroIndex(const Codebook &code) {
  return encodeCodebook(code, 0.0f);
}

uint8_t quantizeCodebook(const Codebook &code, float x, float absmax) {
  return encodeCodebook(code, absmax == 0.0f ? 0.0f : x / absmax);
}

//===----------------------------------------------------------------------===//
// Shared block scales
//===----------------------------------------------------------------------===//

static uint8_t e8m0FromExponent(int exp) {
  return static_cast<uint8_t>(std::clamp(exp + 127, 0, 254));
}

uint8_t mxScaleCode(float absMax, FloatFormat element) {
  absMax = std::fabs(absMax);
  if (!std::isfinite(absMax))
    return 0xFF;
  if (absMax == 0.0f)
    return 0;
  return e8m0FromExponent(std::ilogb(absMax) - getInfo(element).emax);
}

uint8_t bfpScaleCode(float absMax, unsigned bits) {
  absMax = std::fabs(absMax);
  if (!std::isfinite(absMax))
    return 0xFF;
  if (absMax == 0.0f)
    return 0;
  return e8m0FromExponent(std::ilogb(absMax) - static_cast<int>(bits) + 2);
}

int32_t quantizeBfp(float x, uint8_t scaleCode, unsigned bits) {
  float t = x / e8m0Value(scaleCode);
  if (std::isnan(t))
    return 0;
  double limit = intMax(bits);
  return static_cast<int32_t>(
      std::clamp(roundHalfEven(t), -limit, limit));
}

float dequantizeBfp(int32_t q, uint8_t scaleCode) {
  return static_cast<float>(q) * e8m0Value(scaleCode);
}

} // namespace kiln::qfmt
