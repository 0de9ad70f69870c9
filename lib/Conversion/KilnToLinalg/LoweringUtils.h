//===- LoweringUtils.h - shared reference-lowering helpers -----*- C++ -*-===//
//
// Small IR builders every reference lowering uses: f32 constants and float
// casts, tensor.empty / linalg.fill, indexing maps and one-output
// linalg.generic ops. Everything the lowerings compute is in f32; these
// helpers only build IR and never change the element types they are given.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln {
/// Builds the value a linalg.generic yields from its block arguments.
using GenericBodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// An f32 arith.constant.
Value f32Const(OpBuilder &b, Location loc, double v);
/// extf / truncf of a float scalar to `to`; `v` itself when the types match
/// or either is not a float type.
Value castFloat(OpBuilder &b, Location loc, Value v, Type to);
/// castFloat to f32.
Value toF32(OpBuilder &b, Location loc, Value v);
/// `x == -inf` for an f32 scalar.
Value isNegInf(OpBuilder &b, Location loc, Value x);
/// acc + f32(x) * f32(y): one step of an f32 multiply-accumulate.
Value mulAddF32(OpBuilder &b, Location loc, Value x, Value y, Value acc);

/// Dim `d` of the tensor `v` as an index value (a constant when static).
Value dimValue(OpBuilder &b, Location loc, Value v, int64_t d);
/// tensor.empty of `elt` shaped like `like` (tensor.dim for dynamic dims).
Value emptyLike(OpBuilder &b, Location loc, Value like, Type elt);
/// linalg.fill of `init` with the constant `value`.
Value fillTensor(OpBuilder &b, Location loc, Value init, TypedAttr value);
/// A tensor of `value`'s type with the given index sizes (constant sizes
/// become static dims), filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ValueRange sizes,
                   TypedAttr value);

/// The map from `numLoops` loops to the loop dims listed; a negative entry
/// is the constant 0 (a broadcast dim of size 1).
AffineMap loopMap(MLIRContext *ctx, unsigned numLoops, ArrayRef<int64_t> dims);
/// One-output linalg.generic over `numLoops` loops; the last `numReduce`
/// are reductions and `out` is indexed by the leading parallel loops.
/// `body` receives the block arguments as they are and returns the value to
/// yield. Returns the generic's result.
Value buildGeneric(OpBuilder &b, Location loc, unsigned numLoops,
                   ValueRange ins, ArrayRef<AffineMap> inMaps, Value out,
                   unsigned numReduce, GenericBodyFn body);
/// The same with the loop count of the first input map.
Value buildGeneric(OpBuilder &b, Location loc, ValueRange ins,
                   ArrayRef<AffineMap> inMaps, Value out, unsigned numReduce,
                   GenericBodyFn body);

namespace ewise {
/// An all-parallel linalg.generic over the dims of `dest` (identity map)
/// reading `inputs` through `inputMaps`. `body` receives the input elements
/// converted to f32 and returns an f32 value, stored into dest converted to
/// its element type. Returns the generic's result.
Value map(OpBuilder &b, Location loc, ValueRange inputs,
          ArrayRef<AffineMap> inputMaps, Value dest, GenericBodyFn body);
} // namespace ewise
} // namespace mlir::kiln

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
