//===- Npy.h - .npy files for kiln-run and tests (no MLIR) -------*- C++ -*-===//
//
// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0; C
// order only; little-endian or byte-sized dtypes). Kiln's dtype convention,
// since numpy has no bf16, f8 or 4-bit types (docs/Tools.md):
//   f32 <f4   f64 <f8   f16 <f2   bf16 <u2 (bit patterns)   i64 <i8
//   i32 <i4   i16 <i2   i8 |i1    u8 |u1    i1 |b1
//   f8E4M3FN, f8E5M2, f8E8M0FNU |u1 (bit patterns)
//   i4 |i1 (one value -8..7 per byte)   f4E2M1FN |u1 (one code 0..15 per byte)
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_NPY_H
#define KILN_RUNTIME_NPY_H

#include "kiln/Runtime/kiln_runtime.h"
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::npy {

struct Array {
  std::string descr; // normalized: '<' for multi-byte, '|' for one byte
  std::vector<int64_t> shape;
  std::vector<uint8_t> data; // C order, one element per itemsize bytes
  size_t itemsize() const;
  int64_t numElements() const;
};

/// Parses .npy bytes; `error` says what is wrong.
bool parse(const std::vector<uint8_t> &bytes, Array &out, std::string &error);
bool read(const std::string &path, Array &out, std::string &error);
std::vector<uint8_t> serialize(const Array &a);
bool write(const std::string &path, const Array &a, std::string &error);

/// The .npy descr that holds `dtype` under Kiln's convention.
const char *descrFor(kiln_dtype dtype);
/// Converts between an Array (one element per item) and kiln_tensor data
/// (4-bit types packed two per byte). False with `error` on a dtype mismatch.
bool toTensorData(const Array &a, kiln_dtype dtype, std::vector<uint8_t> &out,
                  std::string &error);
Array fromTensor(kiln_dtype dtype, const std::vector<int64_t> &shape,
                 const uint8_t *data);
/// Element i of `a` as a double (bf16/f16/f8/f4 decoded from their bits per
/// `dtype`).
double elementAsDouble(const Array &a, kiln_dtype dtype, int64_t i);

} // namespace kiln::npy

#endif // KILN_RUNTIME_NPY_H
