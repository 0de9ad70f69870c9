//===- QuantFormats.h - bit-level quantized formats (no MLIR) ---*- C++ -*-===//
//
// The bit-level definition of every quantized element and scale format Kiln
// stores, shared by the dialect's folders, the reference lowering's tables
// and the unit tests. Pure C++: no MLIR, no exceptions.
//
// Conventions (the semantics contract: round half to even, saturating):
// - Minifloats (f8E4M3FN, f8E5M2, f4E2M1FN): encode rounds to nearest even
//   and saturates every finite overflow *and* +-inf to +-max finite. This
//   holds for E5M2 too (Kiln's choice, like CUDA's __NV_SATFINITE): encode
//   never produces E5M2's inf codes 0x7C/0xFC, though decode reads them as
//   +-inf. NaN encodes to the canonical positive NaN where the format has one
//   (E4M3FN 0x7F, E5M2 0x7E); E2M1 has no NaN and encodes NaN as +0. The sign
//   of zero is kept (-0.0 -> 0x80 in the 8-bit formats, 0x8 in E2M1).
// - f8E8M0FNU: value 2^(c - 127), 0xFF is NaN, no sign, no zero. Encode
//   rounds to nearest even on the exponent, saturates to [2^-127, 2^127]
//   (0 and tiny values give code 0, inf gives 0xFE); NaN and negative values
//   give 0xFF.
// - Integers: q = saturate(round_half_even(x / scale) + zp); a zero scale
//   (and a NaN quotient) encodes the value 0, i.e. q = saturate(zp).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_UTILS_QUANTFORMATS_H
#define KILN_UTILS_QUANTFORMATS_H

#include <array>
#include <cstdint>

namespace kiln::qfmt {

//===----------------------------------------------------------------------===//
// Minifloats and E8M0
//===----------------------------------------------------------------------===//

enum class FloatFormat : uint8_t { E4M3FN, E5M2, E2M1FN, E8M0FNU };

struct FloatFormatInfo {
  unsigned totalBits;   // 8 or 4
  unsigned expBits;     // exponent field width
  unsigned manBits;     // mantissa field width
  int bias;             // exponent bias
  bool hasSign;         // false for E8M0FNU
  bool hasInf;          // only E5M2
  bool hasNaN;          // false for E2M1FN
  uint32_t maxCode;     // positive code of the largest finite value
  uint32_t nanCode;     // canonical NaN produced by encode (0 if none)
  int emax;             // floor(log2(max finite)): OCP MX emax_elem
};

const FloatFormatInfo &getInfo(FloatFormat format);
/// Number of code points: 2^totalBits.
unsigned numCodes(FloatFormat format);
bool isNaNCode(FloatFormat format, uint32_t code);
/// The largest finite value.
float maxFinite(FloatFormat format);

/// The value of `code` (only the low totalBits bits are read). Exact.
float decode(FloatFormat format, uint32_t code);
/// Round-to-nearest-even, saturating encode of `x` (see the conventions).
uint32_t encode(FloatFormat format, float x);

//===----------------------------------------------------------------------===//
// Integers
//===----------------------------------------------------------------------===//

int32_t intMin(unsigned bits);
int32_t intMax(unsigned bits);
/// Round half to even of a float (exact, independent of the FP env).
double roundHalfEven(double x);
/// q = saturate(round_half_even(x / scale) + zeroPoint) for a signed
/// `bits`-bit integer; a zero scale or NaN quotient encodes 0 (q = sat(zp)).
int32_t quantizeInt(float x, float scale, int32_t zeroPoint, unsigned bits);
/// (q - zeroPoint) * scale, in f32.
float dequantizeInt(int32_t q, float scale, int32_t zeroPoint);
/// Float-kind quantize: encode(x / scale), a zero scale encodes +0.
uint32_t quantizeFloat(FloatFormat format, float x, float scale);

//===----------------------------------------------------------------------===//
// Codebooks (bitsandbytes dynamic tree maps)
//===----------------------------------------------------------------------===//

using Codebook = std::array<float, 256>;

/// bitsandbytes create_dynamic_map(signed, max_exponent_bits=7,
/// total_bits=8): 256 sorted f32 entries. Signed: 0, 1.0 and +-127 means,
/// smallest |nonzero| ~5.5e-7, most negative -0.99296875. Unsigned: 0, 1.0
/// and 254 positive means.
const Codebook &dynamicSignedMap();
const Codebook &dynamicUnsignedMap();
/// Index of the entry nearest to `normalized` (ties toward the lower index),
/// i.e. the number of midpoints (code[i] + code[i+1]) / 2 (exact, in double)
/// strictly below it. NaN encodes like 0.
uint8_t encodeCodebook(const Codebook &code, float normalized);
/// Index of the entry nearest to 0.
uint8_t codebookZeroIndex(const Codebook &code);
/// Codebook-kind quantize: encodeCodebook(x / absmax), a zero absmax
/// encodes the entry nearest 0.
uint8_t quantizeCodebook(const Codebook &code, float x, float absmax);

//===----------------------------------------------------------------------===//
// Shared block scales (E8M0 codes)
//===----------------------------------------------------------------------===//

/// 2^(code - 127), NaN for 0xFF.
inline float e8m0Value(uint32_t code) {
  return decode(FloatFormat::E8M0FNU, code);
}
/// OCP MX v1.0 shared scale: 2^(floor(log2 amax) - emax_elem), clamped to
/// the E8M0 range. amax == 0 gives code 0; inf/NaN amax give 0xFF.
uint8_t mxScaleCode(float absMax, FloatFormat element);
/// Block floating point shared scale: e = floor(log2 amax), scale
/// 2^(e - bits + 2), clamped to the E8M0 range; amax == 0 gives code 0;
/// inf/NaN amax give 0xFF.
uint8_t bfpScaleCode(float absMax, unsigned bits);
/// q = clamp(round_half_even(x / 2^(code-127)), +-(2^(bits-1) - 1)); NaN
/// quotients encode 0.
int32_t quantizeBfp(float x, uint8_t scaleCode, unsigned bits);
/// q * 2^(code - 127).
float dequantizeBfp(int32_t q, uint8_t scaleCode);

} // namespace kiln::qfmt

#endif // KILN_UTILS_QUANTFORMATS_H
