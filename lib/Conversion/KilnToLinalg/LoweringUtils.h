//===- LoweringUtils.h - helpers shared by the reference lowering -*- C++ -*-===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#endif
