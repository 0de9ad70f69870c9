//===- ConstantData.h - f32 constants, dense or blob -----------*- C++ -*-===//
//
// Internal to KilnTransforms. Weights reach the passes either as dense
// attributes or as dense_resource blobs (the ONNX importer's large
// initializers); the passes that read or derive constants (conv-BN folding,
// causal-mask recognition, compile-time B packing) go through these two
// functions, so both forms are handled alike.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_CONSTANTDATA_H
#define KILN_LIB_TRANSFORMS_CONSTANTDATA_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace mlir::kiln {

/// The values of `v` when it is an f32 arith.constant (a dense attribute,
/// splats expanded, or a dense_resource blob); nothing otherwise.
std::optional<std::vector<float>> f32ConstantValues(Value v);

/// An arith.constant of the f32 `type` holding `values`: a dense attribute
/// up to 64 elements, else a dense_resource blob named `blobName`, so a
/// constant derived from weights stays out of the IR text like them.
Value createF32Constant(OpBuilder &b, Location loc, RankedTensorType type,
                        ArrayRef<float> values, StringRef blobName);

} // namespace mlir::kiln

#endif // KILN_LIB_TRANSFORMS_CONSTANTDATA_H
