//===- QuantFormatsTest.cpp - bit-level quantized formats -----------------===//
//
// Every expected value here is computed independently from the bit fields
// and the OCP / bitsandbytes definitions, not with the code under test.
//
//===----------------------------------------------------------------------===//
#include "kiln/Utils/QuantFormats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace kiln::qfmt;

namespace {

struct Fields {
  FloatFormat format;
  const char *name;
  int e, m, bias;
};

const Fields kMinifloats[] = {{FloatFormat::E4M3FN, "E4M3FN", 4, 3, 7},
                              {FloatFormat::E5M2, "E5M2", 5, 2, 15},
                              {FloatFormat::E2M1FN, "E2M1FN", 2, 1, 1}};

/// The OCP value of a minifloat code, in double from its fields.
double expectedValue(const Fields &f, unsigned code) {
  unsigned sign = code >> (f.e + f.m);
  unsigned exp = (code >> f.m) & ((1u << f.e) - 1);
  unsigned man = code & ((1u << f.m) - 1);
  double mag;
  bool allOnes = exp == (1u << f.e) - 1;
  if (f.format == FloatFormat::E4M3FN && allOnes && man == (1u << f.m) - 1)
    return std::numeric_limits<double>::quiet_NaN();
  if (f.format == FloatFormat::E5M2 && allOnes)
    mag = man ? std::numeric_limits<double>::quiet_NaN()
              : std::numeric_limits<double>::infinity();
  else if (exp == 0)
    mag = std::pow(2.0, 1 - f.bias) * (man / std::pow(2.0, f.m));
  else
    mag = std::pow(2.0, int(exp) - f.bias) * (1.0 + man / std::pow(2.0, f.m));
  return sign ? -mag : mag;
}

bool sameFloat(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

TEST(QuantFormats, MinifloatDecodeEveryCode) {
  for (const Fields &f : kMinifloats) {
    unsigned n = 1u << (1 + f.e + f.m);
    ASSERT_EQ(numCodes(f.format), n) << f.name;
    for (unsigned c = 0; c < n; ++c) {
      double want = expectedValue(f, c);
      EXPECT_TRUE(sameFloat(decode(f.format, c), want))
          << f.name << " code " << c << ": " << decode(f.format, c)
          << " != " << want;
      EXPECT_EQ(isNaNCode(f.format, c), std::isnan(want)) << f.name << c;
    }
  }
}

TEST(QuantFormats, OcpTable) {
  EXPECT_EQ(maxFinite(FloatFormat::E4M3FN), 448.0f);
  EXPECT_EQ(maxFinite(FloatFormat::E5M2), 57344.0f);
  EXPECT_EQ(maxFinite(FloatFormat::E2M1FN), 6.0f);
  EXPECT_EQ(decode(FloatFormat::E4M3FN, 0x08), std::ldexp(1.0f, -6));
  EXPECT_EQ(decode(FloatFormat::E4M3FN, 0x01), std::ldexp(1.0f, -9));
  EXPECT_EQ(decode(FloatFormat::E5M2, 0x04), std::ldexp(1.0f, -14));
  EXPECT_EQ(decode(FloatFormat::E5M2, 0x01), std::ldexp(1.0f, -16));
  EXPECT_TRUE(std::isinf(decode(FloatFormat::E5M2, 0x7C)));
  EXPECT_TRUE(std::isnan(decode(FloatFormat::E4M3FN, 0xFF)));
  const float grid[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (unsigned c = 0; c < 8; ++c) {
    EXPECT_EQ(decode(FloatFormat::E2M1FN, c), grid[c]);
    EXPECT_EQ(decode(FloatFormat::E2M1FN, c | 8), -grid[c]);
  }
}

TEST(QuantFormats, E8M0EveryCode) {
  ASSERT_EQ(numCodes(FloatFormat::E8M0FNU), 256u);
  for (unsigned c = 0; c < 255; ++c) {
    EXPECT_EQ(double(decode(FloatFormat::E8M0FNU, c)),
              std::pow(2.0, int(c) - 127))
        << c;
    EXPECT_EQ(encode(FloatFormat::E8M0FNU, decode(FloatFormat::E8M0FNU, c)),
              c);
    EXPECT_FALSE(isNaNCode(FloatFormat::E8M0FNU, c));
  }
  EXPECT_TRUE(std::isnan(decode(FloatFormat::E8M0FNU, 0xFF)));
  // Round to nearest on the exponent, ties (1.5 * 2^e) to the even code.
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, 1.5f), 128u); // 127 odd -> 128
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, 3.0f), 128u); // 128 even stays
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, 1.4f), 127u);
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, 0.0f), 0u);
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, 1e-45f), 0u);
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, INFINITY), 0xFEu);
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, NAN), 0xFFu);
  EXPECT_EQ(encode(FloatFormat::E8M0FNU, -2.0f), 0xFFu);
}

TEST(QuantFormats, MinifloatEncodeDecodeRoundTrip) {
  for (const Fields &f : kMinifloats) {
    for (unsigned c = 0; c < numCodes(f.format); ++c) {
      float v = decode(f.format, c);
      if (std::isnan(v))
        continue;
      if (std::isinf(v)) { // Kiln saturates E5M2 too: inf -> max finite
        EXPECT_EQ(encode(f.format, v),
                  (c & 0x80) | getInfo(f.format).maxCode);
        continue;
      }
      EXPECT_EQ(encode(f.format, v), c) << f.name << " code " << c;
    }
  }
  EXPECT_EQ(encode(FloatFormat::E4M3FN, -0.0f), 0x80u);
  EXPECT_EQ(encode(FloatFormat::E4M3FN, 0.0f), 0x00u);
  EXPECT_EQ(encode(FloatFormat::E2M1FN, -0.0f), 0x8u);
}

/// Midpoints between adjacent finite codes round to the even code; values
/// one f32 ulp either side round to the nearer one.
TEST(QuantFormats, MinifloatTiesToEven) {
  for (const Fields &f : kMinifloats) {
    unsigned maxCode = getInfo(f.format).maxCode;
    unsigned signBit = 1u << (f.e + f.m);
    for (unsigned c = 0; c < maxCode; ++c) {
      for (unsigned s : {0u, signBit}) {
        double lo = expectedValue(f, c | s), hi = expectedValue(f, (c + 1) | s);
        float mid = float((lo + hi) / 2); // exact: few significant bits
        ASSERT_EQ(double(mid), (lo + hi) / 2);
        unsigned even = (c % 2 == 0) ? c : c + 1;
        EXPECT_EQ(encode(f.format, mid), even | s) << f.name << " c " << c;
        float toward = std::nextafter(mid, float(lo));
        float away = std::nextafter(mid, float(hi));
        EXPECT_EQ(encode(f.format, toward), c | s) << f.name << " c " << c;
        EXPECT_EQ(encode(f.format, away), (c + 1) | s) << f.name << " c " << c;
      }
    }
  }
  // E2M1: 5 is the tie between 4 (code 6) and 6 (code 7).
  EXPECT_EQ(encode(FloatFormat::E2M1FN, 5.0f), 6u);
  EXPECT_EQ(encode(FloatFormat::E2M1FN, 0.25f), 0u);
  EXPECT_EQ(encode(FloatFormat::E2M1FN, -0.25f), 8u);
  EXPECT_EQ(encode(FloatFormat::E4M3FN, std::ldexp(1.0f, -10)), 0u);
  EXPECT_EQ(encode(FloatFormat::E4M3FN, std::ldexp(3.0f, -10)), 2u);
  EXPECT_EQ(encode(FloatFormat::E4M3FN, std::ldexp(1.0f, -100)), 0u);
  EXPECT_EQ(encode(FloatFormat::E4M3FN, -std::ldexp(1.0f, -140)), 0x80u);
}

TEST(QuantFormats, MinifloatSaturationAndNaN) {
  struct Case {
    FloatFormat f;
    float justOver, far;
    unsigned maxCode, nanCode;
  } cases[] = {{FloatFormat::E4M3FN, 470.0f, 1e30f, 0x7E, 0x7F},
               {FloatFormat::E5M2, 61440.0f, 1e30f, 0x7B, 0x7E},
               {FloatFormat::E2M1FN, 7.0f, 1e30f, 0x7, 0x0}};
  for (const Case &c : cases) {
    unsigned sign = c.f == FloatFormat::E2M1FN ? 0x8 : 0x80;
    EXPECT_EQ(encode(c.f, c.justOver), c.maxCode);
    EXPECT_EQ(encode(c.f, c.far), c.maxCode);
    EXPECT_EQ(encode(c.f, INFINITY), c.maxCode);
    EXPECT_EQ(encode(c.f, -c.justOver), sign | c.maxCode);
    EXPECT_EQ(encode(c.f, -INFINITY), sign | c.maxCode);
    EXPECT_EQ(encode(c.f, NAN), c.nanCode);
    EXPECT_EQ(encode(c.f, -NAN), c.nanCode);
  }
  // Below the rounding boundary to the (missing) next binade: still max.
  EXPECT_EQ(encode(FloatFormat::E4M3FN, 463.0f), 0x7Eu);
  EXPECT_EQ(quantizeFloat(FloatFormat::E4M3FN, 3.0f, 0.0f), 0u);
}

TEST(QuantFormats, IntQuantize) {
  EXPECT_EQ(quantizeInt(0.5f, 1.0f, 0, 8), 0);
  EXPECT_EQ(quantizeInt(1.5f, 1.0f, 0, 8), 2);
  EXPECT_EQ(quantizeInt(2.5f, 1.0f, 0, 8), 2);
  EXPECT_EQ(quantizeInt(-0.5f, 1.0f, 0, 8), 0);
  EXPECT_EQ(quantizeInt(-1.5f, 1.0f, 0, 8), -2);
  EXPECT_EQ(quantizeInt(-2.5f, 1.0f, 0, 8), -2);
  EXPECT_EQ(quantizeInt(2.5001f, 1.0f, 0, 8), 3);
  EXPECT_EQ(quantizeInt(1000.0f, 1.0f, 0, 8), 127);
  EXPECT_EQ(quantizeInt(-1000.0f, 1.0f, 0, 8), -128);
  EXPECT_EQ(quantizeInt(7.6f, 1.0f, 0, 4), 7);
  EXPECT_EQ(quantizeInt(-9.0f, 1.0f, 0, 4), -8);
  EXPECT_EQ(quantizeInt(1.0f, 0.5f, 3, 8), 5);
  EXPECT_EQ(quantizeInt(-4950.0f, 1.0f, 5000, 8), 50);
  EXPECT_EQ(quantizeInt(3.0f, 0.0f, 4, 8), 4);   // zero scale -> value 0
  EXPECT_EQ(quantizeInt(NAN, 1.0f, -2, 8), -2);  // NaN -> value 0
  EXPECT_EQ(quantizeInt(INFINITY, 1.0f, 0, 4), 7);
  EXPECT_EQ(quantizeInt(1.0f, 0.0f, 300, 8), 127);
  EXPECT_EQ(dequantizeInt(5, 0.5f, 3), 1.0f);
  EXPECT_EQ(intMin(4), -8);
  EXPECT_EQ(intMax(8), 127);
}

TEST(QuantFormats, DynamicMapsTable) {
  for (bool isSigned : {true, false}) {
    const Codebook &code = isSigned ? dynamicSignedMap() : dynamicUnsignedMap();
    for (size_t i = 0; i + 1 < code.size(); ++i)
      EXPECT_LT(code[i], code[i + 1]) << i;
    EXPECT_EQ(code[255], 1.0f);
    int negatives = 0;
    for (float v : code)
      negatives += v < 0;
    EXPECT_EQ(negatives, isSigned ? 127 : 0);
  }
  const Codebook &s = dynamicSignedMap();
  const Codebook &u = dynamicUnsignedMap();
  EXPECT_EQ(s[0], -0.99296875f);
  EXPECT_EQ(s[127], 0.0f);
  EXPECT_EQ(u[0], 0.0f);
  for (int k = 1; k < 128; ++k)
    EXPECT_EQ(s[127 + k], -s[127 - k]) << k;
  // Decade structure: 1, 2, 4, ... 64 means per decade (signed); the means
  // of decade i lie in (0.1, 1] * 10^(i-6).
  EXPECT_NEAR(s[128], 5.5e-7, 1e-12);
  EXPECT_NEAR(s[129], 3.25e-6, 1e-12);
  EXPECT_NEAR(s[254], 0.99296875, 1e-7);
  EXPECT_NEAR(u[1], 3.25e-7, 1e-13);
  EXPECT_NEAR(u[254], 0.99648437, 1e-7);
  // Entries of the published table where single-precision intermediate
  // rounding would differ by one ulp: this pins the rounding recipe.
  EXPECT_EQ(s[128], 5.499999815583578e-07f);
  EXPECT_EQ(s[36], -0.4867187738418579f);
  EXPECT_EQ(s[65], -0.09578125178813934f);
  EXPECT_EQ(s[66], -0.09296874701976776f);
  EXPECT_EQ(s[67], -0.09015624970197678f);
  EXPECT_EQ(s[18], -0.7398437261581421f);
}

TEST(QuantFormats, CodebookEncode) {
  for (bool isSigned : {true, false}) {
    const Codebook &code = isSigned ? dynamicSignedMap() : dynamicUnsignedMap();
    for (unsigned i = 0; i < 256; ++i)
      EXPECT_EQ(encodeCodebook(code, code[i]), i);
    for (unsigned i = 0; i + 1 < 256; ++i) {
      // Midpoint in double; test with the f32 values around it.
      double mid = (double(code[i]) + code[i + 1]) / 2;
      float m = float(mid);
      unsigned want = double(m) <= mid ? i : i + 1; // ties to the lower
      EXPECT_EQ(encodeCodebook(code, m), want) << i;
      EXPECT_EQ(encodeCodebook(code, std::nextafter(m, -2.0f)),
                double(std::nextafter(m, -2.0f)) <= mid ? i : i + 1);
      EXPECT_EQ(encodeCodebook(code, std::nextafter(m, 2.0f)), i + 1) << i;
    }
    EXPECT_EQ(encodeCodebook(code, 5.0f), 255u);
    EXPECT_EQ(encodeCodebook(code, -5.0f), 0u);
    unsigned zero = isSigned ? 127 : 0;
    EXPECT_EQ(codebookZeroIndex(code), zero);
    EXPECT_EQ(encodeCodebook(code, NAN), zero);
    EXPECT_EQ(quantizeCodebook(code, 3.0f, 0.0f), zero);
  }
  // A midpoint that is exactly an f32: ties toward the lower index.
  Codebook grid;
  for (int i = 0; i < 256; ++i)
    grid[i] = float(i - 128) / 128.0f;
  EXPECT_EQ(encodeCodebook(grid, 1.0f / 256.0f), 128u);
  EXPECT_EQ(encodeCodebook(grid, -1.0f / 256.0f), 127u);
}

TEST(QuantFormats, ScaleCodes) {
  // MX (OCP): 2^(floor(log2 amax) - emax_elem).
  EXPECT_EQ(mxScaleCode(6.0f, FloatFormat::E2M1FN), 127);
  EXPECT_EQ(mxScaleCode(7.9f, FloatFormat::E2M1FN), 127);
  EXPECT_EQ(mxScaleCode(8.0f, FloatFormat::E2M1FN), 128);
  EXPECT_EQ(mxScaleCode(1.0f, FloatFormat::E2M1FN), 125);
  EXPECT_EQ(mxScaleCode(448.0f, FloatFormat::E4M3FN), 127);
  EXPECT_EQ(mxScaleCode(-1.0f, FloatFormat::E4M3FN), 119);
  EXPECT_EQ(mxScaleCode(57344.0f, FloatFormat::E5M2), 127);
  EXPECT_EQ(mxScaleCode(0.0f, FloatFormat::E4M3FN), 0);
  EXPECT_EQ(mxScaleCode(NAN, FloatFormat::E4M3FN), 0xFF);
  EXPECT_EQ(mxScaleCode(1e-40f, FloatFormat::E4M3FN), 0); // clamped
  // BFP: 2^(floor(log2 amax) - bits + 2).
  EXPECT_EQ(bfpScaleCode(1.0f, 4), 125);
  EXPECT_EQ(bfpScaleCode(1.99f, 8), 121);
  EXPECT_EQ(bfpScaleCode(0.0f, 8), 0);
  EXPECT_EQ(bfpScaleCode(INFINITY, 8), 0xFF);
  EXPECT_EQ(e8m0Value(125), 0.25f);
}

/// After the OCP scale, every element of the block is below 2^(emax+1).
TEST(QuantFormats, MxScaleRange) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> mag(-20.0f, 20.0f);
  for (FloatFormat f :
       {FloatFormat::E2M1FN, FloatFormat::E4M3FN, FloatFormat::E5M2}) {
    for (int trial = 0; trial < 200; ++trial) {
      float amax = std::ldexp(1.0f + std::fabs(mag(rng)) / 20.0f,
                              int(mag(rng)));
      float s = e8m0Value(mxScaleCode(amax, f));
      EXPECT_LT(amax / s, std::ldexp(1.0f, getInfo(f).emax + 1));
      EXPECT_GE(amax / s, std::ldexp(1.0f, getInfo(f).emax));
    }
  }
}

TEST(QuantFormats, BfpRoundTripAndErrorBound) {
  std::mt19937 rng(11);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (unsigned bits : {2u, 4u, 8u}) {
    for (int block = 0; block < 100; ++block) {
      float x[32], amax = 0.0f;
      float range = std::ldexp(1.0f, block % 20 - 10);
      for (float &v : x) {
        v = dist(rng) * range;
        amax = std::max(amax, std::fabs(v));
      }
      uint8_t sc = bfpScaleCode(amax, bits);
      float step = e8m0Value(sc);
      int e = std::ilogb(amax);
      ASSERT_EQ(double(step), std::pow(2.0, e - int(bits) + 2));
      int32_t limit = (1 << (bits - 1)) - 1;
      for (float v : x) {
        int32_t q = quantizeBfp(v, sc, bits);
        ASSERT_LE(std::abs(q), limit);
        float back = dequantizeBfp(q, sc);
        // Half a step, or a whole one where the top value was clamped.
        bool clamped = std::abs(q) == limit;
        EXPECT_LE(std::fabs(back - v), (clamped ? 1.0f : 0.5f) * step)
            << bits << " " << v;
        EXPECT_EQ(quantizeBfp(back, sc, bits), q); // idempotent
      }
    }
  }
  EXPECT_EQ(quantizeBfp(NAN, 127, 8), 0);
  EXPECT_EQ(quantizeBfp(2.5f, 127, 8), 2);
  EXPECT_EQ(quantizeBfp(-300.0f, 127, 8), -127);
}

} // namespace
