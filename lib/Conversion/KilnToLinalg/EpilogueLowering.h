//===- EpilogueLowering.h - ordered epilogue steps in f32 ------*- C++ -*-===//
//
// The reference lowering of the ordered epilogue steps (#kiln.step) shared
// by every op that carries an epilogue. Everything computes in f32.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_EPILOGUELOWERING_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_EPILOGUELOWERING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::kiln {
/// Applies the ordered epilogue `steps` (an array of #kiln.step) to `acc`, an
/// f32 tensor shaped like `init` whose output channel is dim `channelDim`,
/// consuming `operands` in order ([C] for bias / affine, output-shaped for
/// residual_add). Each step is one elementwise linalg.generic in f32; the
/// last one (or a plain copy when there are no steps) writes `init`,
/// converting to its element type. Returns the value of init's type.
Value lowerEpilogue(OpBuilder &b, Location loc, Value acc, ArrayAttr steps,
                    ValueRange operands, unsigned channelDim, Value init);
} // namespace mlir::kiln

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_EPILOGUELOWERING_H
