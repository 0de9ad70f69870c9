//===- QuantFormats.h - bit-level quantized formats (no MLIR) ---*- C++ -*-===//
#ifndef KILN_UTILS_QUANTFORMATS_H
#define KILN_UTILS_QUANTFORMATS_H
#include <cstdint>
namespace kiln::qfmt {}
#endif
