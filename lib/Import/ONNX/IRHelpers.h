//===- IRHelpers.h - IR building blocks shared by the ONNX op handlers -----===//
//
// Internal to lib/Import/ONNX: numpy-style broadcasting, reshapes that stay
// expand/collapse where they can, constants, empty tensors with dynamic
// sizes, and reading ElementsAttr contents as int64 / double.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ONNX_IRHELPERS_H
#define KILN_LIB_IMPORT_ONNX_IRHELPERS_H

#include "NodeImporter.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

namespace mlir::kiln::onnx_import {

/// The mixed (static / tensor.dim) sizes of a ranked tensor value.
SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, Location loc, Value v);
/// tensor.empty of the given sizes.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType);
/// A tensor like `sizes` filled with `value` (a splat constant when static).
Value filled(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
             Type elementType, double value);
/// The shape of `sizes` (dynamic entries as ShapedType::kDynamic).
SmallVector<int64_t> staticShape(ArrayRef<OpFoldResult> sizes);

/// numpy broadcasting of several shapes; an error names the mismatch.
FailureOr<SmallVector<int64_t>> broadcastShapes(NodeImporter &n,
                                                ArrayRef<RankedTensorType> types);
/// The output sizes of a broadcast: per dim, a static size, or the dim of
/// the first operand where it is dynamic.
SmallVector<OpFoldResult> broadcastSizes(OpBuilder &b, Location loc,
                                         ArrayRef<Value> operands,
                                         ArrayRef<int64_t> shape);
/// Reassociation between a shape and the same shape without its unit dims
/// (`kept` false): each dropped unit dim joins the next kept dim, trailing
/// ones the last (none at all for an all-unit shape).
SmallVector<ReassociationIndices> unitDimGroups(ArrayRef<bool> kept);
/// `v` broadcast to `sizes` (a reshaped constant where it is one).
Value broadcastTo(OpBuilder &b, Location loc, Value v,
                  ArrayRef<OpFoldResult> sizes);
/// Broadcasts all operands to their common shape (errors on mismatch).
FailureOr<SmallVector<Value>> broadcastAll(NodeImporter &n,
                                           ArrayRef<Value> operands);

/// Reshapes `v` to `shape` (at most one dynamic dim, which must be the
/// input's single dynamic dim count-wise): expand/collapse when the change
/// only splits or merges dims, tensor.reshape otherwise.
FailureOr<Value> reshapeTo(NodeImporter &n, Value v, ArrayRef<int64_t> shape);
/// linalg.transpose by `perm`.
Value transpose(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm);
/// Element-wise conversion to `elementType` (float/int, signed).
Value convertElements(OpBuilder &b, Location loc, Value v, Type elementType);
/// A scalar splat constant shaped like the static type `like`.
Value splatLike(OpBuilder &b, Location loc, Value like, double value);

/// Contents of an integer or float ElementsAttr.
SmallVector<int64_t> readInts(ElementsAttr attr);
std::vector<double> readDoubles(ElementsAttr attr);
/// An ElementsAttr from values (converted to `type`'s element type).
ElementsAttr makeElements(RankedTensorType type, ArrayRef<int64_t> values);
ElementsAttr makeElements(RankedTensorType type, ArrayRef<double> values);

/// The number of elements of a static shape, or nothing on overflow or
/// beyond kMaxElements.
std::optional<int64_t> elementCount(ArrayRef<int64_t> shape);

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_IRHELPERS_H
