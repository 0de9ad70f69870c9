//===- RuntimeTest.cpp - .npy and artifact metadata parsing ----------------===//
#include "../lib/Runtime/RuntimeInternal.h"
#include "kiln/Runtime/Npy.h"
#include <cmath>
#include <gtest/gtest.h>

using namespace kiln;

TEST(Npy, RoundTripsEveryDescr) {
  for (const char *d : {"<f4", "<f8", "<f2", "<u2", "<i8", "<i4", "<i2", "|i1",
                        "|u1", "|b1"}) {
    npy::Array a;
    a.descr = d;
    a.shape = {2, 3};
    a.data.resize(6 * a.itemsize());
    for (size_t i = 0; i < a.data.size(); ++i)
      a.data[i] = uint8_t(i * 7);
    npy::Array b;
    std::string error;
    ASSERT_TRUE(npy::parse(npy::serialize(a), b, error)) << d << ": " << error;
    EXPECT_EQ(b.descr, d);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.data, a.data);
  }
}

TEST(Npy, ShapesOfRankZeroAndOne) {
  for (std::vector<int64_t> shape : {std::vector<int64_t>{}, {5}, {0, 4}}) {
    npy::Array a{"<f4", shape, {}};
    a.data.resize(a.numElements() * 4);
    npy::Array b;
    std::string error;
    ASSERT_TRUE(npy::parse(npy::serialize(a), b, error)) << error;
    EXPECT_EQ(b.shape, shape);
  }
}

TEST(Npy, RejectsBadFiles) {
  npy::Array a{"<f4", {4}, std::vector<uint8_t>(16)};
  std::vector<uint8_t> bytes = npy::serialize(a);
  npy::Array b;
  std::string error;
  std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 3);
  EXPECT_FALSE(npy::parse(truncated, b, error));
  EXPECT_NE(error.find("truncated .npy data"), std::string::npos) << error;
  std::vector<uint8_t> header(bytes.begin(), bytes.begin() + 20);
  EXPECT_FALSE(npy::parse(header, b, error));
  EXPECT_NE(error.find("truncated .npy header"), std::string::npos) << error;
  EXPECT_FALSE(npy::parse({'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0}, b, error));
  EXPECT_NE(error.find("bad magic"), std::string::npos) << error;
  npy::Array big{">f4", {1}, std::vector<uint8_t>(4)};
  EXPECT_FALSE(npy::parse(npy::serialize(big), b, error));
  EXPECT_NE(error.find("big-endian"), std::string::npos) << error;
}

TEST(Npy, PacksFourBitTypesLowNibbleFirst) {
  npy::Array a{"|i1", {3}, {0xF8, 0x07, 0x03}}; // -8, 7, 3
  std::vector<uint8_t> packed;
  std::string error;
  ASSERT_TRUE(npy::toTensorData(a, KILN_I4, packed, error)) << error;
  EXPECT_EQ(packed, (std::vector<uint8_t>{0x78, 0x03}));
  npy::Array back = npy::fromTensor(KILN_I4, {3}, packed.data());
  EXPECT_EQ(back.data, a.data);
  EXPECT_FALSE(npy::toTensorData(a, KILN_F32, packed, error));
  EXPECT_NE(error.find("expected <f4"), std::string::npos) << error;
}

TEST(Npy, DecodesBitPatternTypes) {
  npy::Array a{"|u1", {4}, {0x38, 0x7F, 0x01, 0xC8}};
  EXPECT_EQ(npy::elementAsDouble(a, KILN_F8E4M3FN, 0), 1.0);
  EXPECT_TRUE(std::isnan(npy::elementAsDouble(a, KILN_F8E4M3FN, 1)));
  EXPECT_EQ(npy::elementAsDouble(a, KILN_F8E4M3FN, 2), 1.0 / 512);
  EXPECT_EQ(npy::elementAsDouble(a, KILN_F8E4M3FN, 3), -4.0);
  npy::Array f4{"|u1", {2}, {0x7, 0xA}};
  EXPECT_EQ(npy::elementAsDouble(f4, KILN_F4E2M1FN, 0), 6.0);
  EXPECT_EQ(npy::elementAsDouble(f4, KILN_F4E2M1FN, 1), -1.0);
  npy::Array bf{"<u2", {1}, {0xC0, 0x3F}};
  EXPECT_EQ(npy::elementAsDouble(bf, KILN_BF16, 0), 1.5);
  npy::Array h{"<f2", {1}, {0x00, 0xBC}};
  EXPECT_EQ(npy::elementAsDouble(h, KILN_F16, 0), -1.0);
}

TEST(Metadata, ParsesEntries) {
  rt::Metadata m;
  std::string error;
  ASSERT_EQ(rt::parseMetadata("kiln-artifact 1\nisa avx2,fma\nentry mm 2 1\n"
                              "flops 64\nin f32 2 4 -1\nin bf16 1 8\n"
                              "out f32 0\nentry e 0 0\n",
                              m, error),
            KILN_OK)
      << error;
  EXPECT_EQ(m.isa, "avx2,fma");
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].flops, 64);
  EXPECT_EQ(m.entries[0].inputs[0].dims, (std::vector<int64_t>{4, -1}));
  EXPECT_EQ(m.entries[0].inputs[1].dtype, KILN_BF16);
  EXPECT_TRUE(m.entries[0].outputs[0].dims.empty());
  EXPECT_EQ(m.entries[1].flops, -1);
}

TEST(Metadata, ParsesDimAgreements) {
  rt::Metadata m;
  std::string error;
  ASSERT_EQ(rt::parseMetadata("kiln-artifact 1\nisa\nentry mm 2 1\n"
                              "in f32 2 -1 -1\nin f32 2 -1 8\nout f32 2 -1 8\n"
                              "same -1 0:1 1:0\nsame 4 0:0\n",
                              m, error),
            KILN_OK)
      << error;
  ASSERT_EQ(m.entries[0].agreements.size(), 2u);
  EXPECT_EQ(m.entries[0].agreements[0].size, -1);
  EXPECT_EQ(m.entries[0].agreements[0].dims,
            (std::vector<std::pair<int, int>>{{0, 1}, {1, 0}}));
  EXPECT_EQ(m.entries[0].agreements[1].size, 4);
}

TEST(Metadata, RejectsGarbage) {
  const char *bad[] = {
      "", "ELF\x7f", "kiln-artifact 1\n", // no isa
      "kiln-artifact 1\nisa\nentry mm 1 1\nin f32 1 4\n", // missing out
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f99 1 4\n",
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f32 2 4\n",
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f32 1 4 5\n",
      "kiln-artifact 1\nisa\nwhat 3\n",
      "kiln-artifact 1\nisa\nentry mm 30 1\n",
      // "same" naming no input, a dim past the rank, nothing, or too early.
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f32 1 -1\nsame -1 1:0\n",
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f32 1 -1\nsame -1 0:1\n",
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f32 1 -1\nsame -1\n",
      "kiln-artifact 1\nisa\nentry mm 1 0\nin f32 1 -1\nsame -1 0:0x\n",
      "kiln-artifact 1\nisa\nentry mm 2 0\nin f32 1 -1\nsame -1 0:0\n"};
  for (const char *text : bad) {
    rt::Metadata m;
    std::string error;
    EXPECT_EQ(rt::parseMetadata(text, m, error), KILN_ERROR_FILE) << text;
    EXPECT_FALSE(error.empty());
  }
  rt::Metadata m;
  std::string error;
  EXPECT_EQ(rt::parseMetadata("kiln-artifact 2\nisa\n", m, error),
            KILN_ERROR_ABI);
}

TEST(Runtime, DtypeNamesRoundTrip) {
  for (int i = 0; i < KILN_DTYPE_COUNT; ++i)
    EXPECT_EQ(kiln_dtype_from_name(kiln_dtype_name(kiln_dtype(i))), i);
  EXPECT_EQ(kiln_dtype_from_name("f7"), KILN_DTYPE_COUNT);
  kiln_tensor *t = nullptr;
  int64_t dims[] = {3};
  ASSERT_EQ(kiln_tensor_create(KILN_I4, 1, dims, nullptr, &t), KILN_OK);
  EXPECT_EQ(kiln_tensor_nbytes(t), 2u);
  kiln_tensor_free(t);
  EXPECT_EQ(kiln_tensor_create(KILN_F32, 9, dims, nullptr, &t),
            KILN_ERROR_ARGUMENT);
}
