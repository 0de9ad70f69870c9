//===- EpilogueLowering.h - fused epilogue and elementwise helpers -*- C++
//-*-===//
//
// The reference lowering of the ordered epilogue steps (#kiln.step) shared
// by every op that carries an epilogue, plus the small elementwise helpers
// the conv / matmul / norm lowerings build on. Everything computes in f32.
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

namespace ewise {
/// extf / truncf of a float scalar to `to`; `v` itself when types match.
Value castFloat(OpBuilder &b, Location loc, Value v, Type to);
/// tensor.empty of `elt` shaped like `like` (tensor.dim for dynamic dims).
Value emptyLike(OpBuilder &b, Location loc, Value like, Type elt);
/// An all-parallel linalg.generic over the dims of `dest` (identity map)
/// reading `inputs` through `inputMaps`. `body` receives the input elements
/// converted to f32 and returns an f32 value, stored into dest converted to
/// its element type. Returns the generic's result.
Value map(OpBuilder &b, Location loc, ValueRange inputs,
          ArrayRef<AffineMap> inputMaps, Value dest,
          function_ref<Value(OpBuilder &, Location, ValueRange)> body);
} // namespace ewise
} // namespace mlir::kiln

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_EPILOGUELOWERING_H
