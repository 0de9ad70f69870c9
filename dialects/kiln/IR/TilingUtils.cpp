//===- TilingUtils.cpp - slices shared by the TilingInterface impls -------===//
#include "kiln/IR/TilingUtils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln;

TileRegion mlir::kiln::wholeRegion(OpBuilder &b, Location loc, Value v) {
  TileRegion r;
  r.sizes = tensor::getMixedSizes(b, loc, v);
  r.offsets.assign(r.sizes.size(), b.getIndexAttr(0));
  return r;
}

Value mlir::kiln::extractRegion(OpBuilder &b, Location loc, Value v,
                                const TileRegion &region,
                                TilingResult &result) {
  SmallVector<OpFoldResult> strides(region.sizes.size(), b.getIndexAttr(1));
  auto slice = tensor::ExtractSliceOp::create(b, loc, v, region.offsets,
                                              region.sizes, strides);
  result.generatedSlices.push_back(slice);
  return slice.getResult();
}

bool mlir::kiln::coversWholeDim(Value v, const TileRegion &region,
                                unsigned d) {
  std::optional<int64_t> off = getConstantIntValue(region.offsets[d]);
  if (!off || *off != 0)
    return false;
  auto type = cast<RankedTensorType>(v.getType());
  std::optional<int64_t> size = getConstantIntValue(region.sizes[d]);
  if (size && !type.isDynamicDim(d))
    return *size == type.getDimSize(d);
  // A dynamic size: whole only if it is literally the tensor.dim of v.
  if (auto val = dyn_cast<Value>(region.sizes[d]))
    if (auto dim = val.getDefiningOp<tensor::DimOp>())
      return dim.getSource() == v && dim.getConstantIndex() == (int64_t)d;
  return false;
}

FailureOr<Value> mlir::kiln::sliceQuantParam(OpBuilder &b, Location loc,
                                             Value param,
                                             QuantFormatAttr format, Value data,
                                             const TileRegion &dataRegion,
                                             TilingResult &result) {
  if (!param || format.isPerTensor())
    return param;
  int64_t axis = format.getAxis();
  if (!format.isBlocked()) {
    TileRegion r{{dataRegion.offsets[axis]}, {dataRegion.sizes[axis]}};
    return extractRegion(b, loc, param, r, result);
  }
  if (!coversWholeDim(data, dataRegion, axis))
    return failure();
  TileRegion r = dataRegion;
  TileRegion whole = wholeRegion(b, loc, param);
  r.offsets[axis] = whole.offsets[axis];
  r.sizes[axis] = whole.sizes[axis];
  return extractRegion(b, loc, param, r, result);
}

SmallVector<Range> mlir::kiln::domainOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<Range> domain;
  for (OpFoldResult size : tensor::getMixedSizes(b, loc, v))
    domain.push_back(Range{b.getIndexAttr(0), size, b.getIndexAttr(1)});
  return domain;
}

void mlir::kiln::cloneTiled(OpBuilder &b, Operation *op, ValueRange operands,
                            TilingResult &result) {
  auto dps = cast<DestinationStyleOpInterface>(op);
  SmallVector<Type> resultTypes;
  for (OpOperand &init : dps.getDpsInitsMutable())
    resultTypes.push_back(operands[init.getOperandNumber()].getType());
  Operation *tiled = mlir::clone(b, op, resultTypes, operands);
  result.tiledOps.push_back(tiled);
  llvm::append_range(result.tiledValues, tiled->getResults());
}
