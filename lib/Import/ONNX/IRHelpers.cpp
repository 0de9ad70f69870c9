//===- IRHelpers.cpp - IR building blocks shared by the ONNX op handlers ---===//
#include "IRHelpers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

SmallVector<OpFoldResult> mlir::kiln::onnx_import::mixedSizes(OpBuilder &b,
                                                              Location loc,
                                                              Value v) {
  return tensor::getMixedSizes(b, loc, v);
}

Value mlir::kiln::onnx_import::emptyTensor(OpBuilder &b, Location loc,
                                           ArrayRef<OpFoldResult> sizes,
                                           Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

SmallVector<int64_t>
mlir::kiln::onnx_import::staticShape(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  return shape;
}

static TypedAttr scalarAttr(Builder &b, Type type, double value) {
  if (isa<FloatType>(type))
    return b.getFloatAttr(type, value);
  return b.getIntegerAttr(type, int64_t(value));
}

Value mlir::kiln::onnx_import::filled(OpBuilder &b, Location loc,
                                      ArrayRef<OpFoldResult> sizes,
                                      Type elementType, double value) {
  SmallVector<int64_t> shape = staticShape(sizes);
  auto type = RankedTensorType::get(shape, elementType);
  TypedAttr scalar = scalarAttr(b, elementType, value);
  if (type.hasStaticShape())
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, scalar));
  Value cst = arith::ConstantOp::create(b, loc, scalar);
  Value empty = emptyTensor(b, loc, sizes, elementType);
  return linalg::FillOp::create(b, loc, cst, empty).getResult(0);
}

Value mlir::kiln::onnx_import::splatLike(OpBuilder &b, Location loc,
                                         Value like, double value) {
  auto type = cast<RankedTensorType>(like.getType());
  return filled(b, loc, mixedSizes(b, loc, like), type.getElementType(),
                value);
}

FailureOr<SmallVector<int64_t>>
mlir::kiln::onnx_import::broadcastShapes(NodeImporter &n,
                                         ArrayRef<RankedTensorType> types) {
  int64_t rank = 0;
  for (RankedTensorType t : types)
    rank = std::max(rank, t.getRank());
  SmallVector<int64_t> out(rank, 1);
  for (RankedTensorType t : types) {
    for (int64_t i = 0; i < t.getRank(); ++i) {
      int64_t &o = out[rank - t.getRank() + i];
      int64_t d = t.getDimSize(i);
      if (d == 1 || d == o)
        continue;
      if (o == 1) {
        o = d;
      } else if (ShapedType::isDynamic(d) || ShapedType::isDynamic(o)) {
        o = ShapedType::isDynamic(o) ? d : o; // a dynamic dim must match
      } else {
        auto diag = n.emitError() << "shapes ";
        llvm::interleave(types, diag, [&](RankedTensorType x) { diag << x; },
                         " and ");
        diag << " do not broadcast";
        return diag;
      }
    }
  }
  return out;
}

SmallVector<ReassociationIndices>
mlir::kiln::onnx_import::unitDimGroups(ArrayRef<bool> kept) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices group;
  for (int64_t d = 0; d < int64_t(kept.size()); ++d) {
    group.push_back(d);
    if (kept[d]) {
      groups.push_back(group);
      group.clear();
    }
  }
  if (!group.empty() && !groups.empty())
    groups.back().append(group.begin(), group.end());
  return groups;
}

SmallVector<OpFoldResult>
mlir::kiln::onnx_import::broadcastSizes(OpBuilder &b, Location loc,
                                        ArrayRef<Value> operands,
                                        ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d) {
    if (!ShapedType::isDynamic(shape[d])) {
      sizes.push_back(b.getIndexAttr(shape[d]));
      continue;
    }
    OpFoldResult size = b.getIndexAttr(1);
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t i = d - (rank - t.getRank());
      if (i >= 0 && t.isDynamicDim(i)) {
        size = tensor::DimOp::create(b, loc, v, i).getResult();
        break;
      }
    }
    sizes.push_back(size);
  }
  return sizes;
}

Value mlir::kiln::onnx_import::broadcastTo(OpBuilder &b, Location loc, Value v,
                                           ArrayRef<OpFoldResult> sizes) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> outShape = staticShape(sizes);
  int64_t rank = outShape.size(), lead = rank - type.getRank();
  auto outType = RankedTensorType::get(outShape, type.getElementType());
  if (type == outType)
    return v;
  // Dims of `v` kept (not broadcast from 1) and the output dims they give.
  SmallVector<int64_t> kept, keptShape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.getDimSize(i) == 1 && outShape[lead + i] != 1)
      continue;
    kept.push_back(i);
    keptShape.push_back(type.getDimSize(i));
  }
  DenseElementsAttr cst;
  if (auto op = v.getDefiningOp<arith::ConstantOp>())
    cst = dyn_cast<DenseElementsAttr>(op.getValue());
  if (cst && cst.isSplat() && outType.hasStaticShape())
    return arith::ConstantOp::create(b, loc, cst.resizeSplat(outType));
  if (lead == 0 && int64_t(kept.size()) == type.getRank())
    return tensor::CastOp::create(b, loc, outType, v); // dynamic vs static
  auto keptType = RankedTensorType::get(keptShape, type.getElementType());
  Value input;
  if (keptType == type) {
    input = v; // only leading dims are added
  } else if (cst) {
    input = arith::ConstantOp::create(b, loc, cst.reshape(keptType));
  } else {
    SmallVector<bool> isKept(type.getRank(), false);
    for (int64_t i : kept)
      isKept[i] = true;
    input = tensor::CollapseShapeOp::create(b, loc, keptType, v,
                                            unitDimGroups(isKept));
  }
  SmallVector<int64_t> added;
  for (int64_t d = 0; d < rank; ++d)
    if (d < lead || !llvm::is_contained(kept, d - lead))
      added.push_back(d);
  Value init = emptyTensor(b, loc, sizes, type.getElementType());
  return linalg::BroadcastOp::create(b, loc, input, init, added).getResult()[0];
}

FailureOr<SmallVector<Value>>
mlir::kiln::onnx_import::broadcastAll(NodeImporter &n,
                                      ArrayRef<Value> operands) {
  SmallVector<RankedTensorType> types;
  for (Value v : operands)
    types.push_back(cast<RankedTensorType>(v.getType()));
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(n, types);
  if (failed(shape))
    return failure();
  SmallVector<OpFoldResult> sizes =
      broadcastSizes(n.b, n.loc, operands, *shape);
  SmallVector<Value> out;
  for (Value v : operands)
    out.push_back(broadcastTo(n.b, n.loc, v, sizes));
  return out;
}

FailureOr<Value> mlir::kiln::onnx_import::reshapeTo(NodeImporter &n, Value v,
                                                    ArrayRef<int64_t> shape) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto src = cast<RankedTensorType>(v.getType());
  auto dst = RankedTensorType::get(shape, src.getElementType());
  if (src == dst)
    return v;
  if (src.hasStaticShape() && dst.hasStaticShape()) {
    if (src.getNumElements() != dst.getNumElements())
      return n.emitError() << "cannot reshape " << src << " to " << dst;
    if (auto cst = v.getDefiningOp<arith::ConstantOp>())
      if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue()))
        return arith::ConstantOp::create(b, loc, dense.reshape(dst))
            .getResult();
    if (dst.getRank() < src.getRank())
      if (auto groups = getReassociationIndicesForCollapse(src.getShape(),
                                                           dst.getShape()))
        return tensor::CollapseShapeOp::create(b, loc, dst, v, *groups)
            .getResult();
    if (dst.getRank() > src.getRank())
      if (auto groups = getReassociationIndicesForCollapse(dst.getShape(),
                                                           src.getShape()))
        return tensor::ExpandShapeOp::create(b, loc, dst, v, *groups)
            .getResult();
  }
  // General form: a run-time shape operand; a dynamic dim is the element
  // count divided by the static ones.
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t i = 0; i < src.getRank(); ++i)
    total = arith::MulIOp::create(b, loc, total,
                                  tensor::DimOp::create(b, loc, v, i));
  int64_t known = 1;
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d))
      known *= d;
  SmallVector<Value> dims;
  for (int64_t d : shape) {
    Value dim = ShapedType::isDynamic(d)
                    ? arith::DivUIOp::create(
                          b, loc, total,
                          arith::ConstantIndexOp::create(b, loc, known))
                          .getResult()
                    : arith::ConstantIndexOp::create(b, loc, d).getResult();
    dims.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), dim));
  }
  Value shapeValue = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({int64_t(dims.size())}, b.getI64Type()),
      dims);
  return tensor::ReshapeOp::create(b, loc, dst, v, shapeValue).getResult();
}

Value mlir::kiln::onnx_import::transpose(OpBuilder &b, Location loc, Value v,
                                         ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, v), sizes;
  for (int64_t p : perm)
    sizes.push_back(in[p]);
  Value init = emptyTensor(b, loc, sizes, type.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

Value mlir::kiln::onnx_import::convertElements(OpBuilder &b, Location loc,
                                               Value v, Type to) {
  auto type = cast<RankedTensorType>(v.getType());
  Type from = type.getElementType();
  if (from == to)
    return v;
  auto outType = type.clone(to);
  if (to.isInteger(1)) { // x != 0
    Value zero = splatLike(b, loc, v, 0.0);
    if (isa<FloatType>(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  if (fromFloat && toFloat)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? arith::ExtFOp::create(b, loc, outType, v).getResult()
               : arith::TruncFOp::create(b, loc, outType, v).getResult();
  if (!fromFloat && toFloat)
    return from.isInteger(1)
               ? arith::UIToFPOp::create(b, loc, outType, v).getResult()
               : arith::SIToFPOp::create(b, loc, outType, v).getResult();
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, outType, v);
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return from.isInteger(1)
               ? arith::ExtUIOp::create(b, loc, outType, v).getResult()
               : arith::ExtSIOp::create(b, loc, outType, v).getResult();
  return arith::TruncIOp::create(b, loc, outType, v);
}
