//===- BlockSelectEmitter.h - IR building for block_select -----*- C++ -*-===//
//
// Shared by the block_select reference lowering (BlockSelectToLinalg.cpp:
// pooling and scores; BlockSelectRules.cpp: roles and selection).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_BLOCKSELECTEMITTER_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_BLOCKSELECTEMITTER_H

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::kiln::detail {
struct Emitter {
  OpBuilder &b;
  Location loc;

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value f32(double v) { return f32Const(b, loc, v); }
  Value dim(Value v, int64_t d) { return dimValue(b, loc, v, d); }
  /// ceil(v / c) for index v and constant c > 0 (folded when v is constant).
  Value ceilDiv(Value v, int64_t c) {
    if (std::optional<int64_t> s = getConstantIntValue(v))
      return index((*s + c - 1) / c);
    Value sum = arith::AddIOp::create(b, loc, v, index(c - 1));
    return arith::DivUIOp::create(b, loc, sum, index(c));
  }
  Value filled(ValueRange sizes, Attribute value) {
    return filledTensor(b, loc, sizes, cast<TypedAttr>(value));
  }
  Value fill(Value init, Attribute value) {
    return fillTensor(b, loc, init, cast<TypedAttr>(value));
  }
  /// The map from `n` loops to the given loop dims.
  AffineMap dims(unsigned n, ArrayRef<int64_t> ds) {
    return loopMap(b.getContext(), n, ds);
  }
  /// One-output linalg.generic over `n` loops; the last `numReduce` are
  /// reductions and `out` is indexed by the leading parallel loops.
  Value generic(unsigned n, ValueRange ins, ArrayRef<AffineMap> inMaps,
                Value out, unsigned numReduce, GenericBodyFn body) {
    return buildGeneric(b, loc, n, ins, inMaps, out, numReduce, body);
  }

  /// out[b,h,n,d] = mean of x[b, h*group + r, n*blk + t, d] over r < group
  /// and the valid tokens t (n*blk + t < len), in f32.
  Value pool(Value x, Value len, Value numBlocks, int64_t heads, int64_t group,
             int64_t blk) {
    auto xt = cast<RankedTensorType>(x.getType());
    Type elt = xt.getElementType();
    Value batch = dim(x, 0);
    int64_t d = xt.getDimSize(3);
    Value paddedLen = arith::MulIOp::create(b, loc, numBlocks, index(blk));
    OpFoldResult high = getAsOpFoldResult(
        arith::SubIOp::create(b, loc, paddedLen, len).getResult());
    if (auto s = getConstantIntValue(numBlocks))
      if (auto l = getConstantIntValue(len))
        high = b.getIndexAttr(*s * blk - *l);
    OpFoldResult zero = b.getIndexAttr(0);
    Value padValue = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
    SmallVector<OpFoldResult> low(4, zero), highs = {zero, zero, high, zero};
    Value padded =
        tensor::PadOp::create(b, loc, Type(), x, low, highs, padValue);
    SmallVector<OpFoldResult> shape = {
        getAsOpFoldResult(batch), b.getIndexAttr(heads),
        b.getIndexAttr(group),    getAsOpFoldResult(numBlocks),
        b.getIndexAttr(blk),      b.getIndexAttr(d)};
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynShape;
    dispatchIndexOpFoldResults(shape, dynShape, staticShape);
    auto expandedType = RankedTensorType::get(staticShape, elt);
    Value expanded = tensor::ExpandShapeOp::create(
        b, loc, expandedType, padded,
        ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4}, {5}}, shape);
    // Loops (b, h, n, d, r, t); r and t reduce.
    Value acc = filled({batch, index(heads), numBlocks, index(d)},
                       b.getF32FloatAttr(0.0));
    Value sum = generic(6, expanded, {dims(6, {0, 1, 4, 2, 5, 3})}, acc, 2,
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          return arith::AddFOp::create(nb, nl, a[1],
                                                       toF32(nb, nl, a[0]));
                        });
    // Divide by group * min(blk, len - n*blk).
    return generic(
        4, sum, {dims(4, {0, 1, 2, 3})}, sum, 0,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value n = linalg::IndexOp::create(nb, nl, 2);
          Value start = arith::MulIOp::create(nb, nl, n, index(blk));
          Value rest = arith::SubIOp::create(nb, nl, len, start);
          Value cnt = arith::MinSIOp::create(nb, nl, rest, index(blk));
          cnt = arith::MulIOp::create(nb, nl, cnt, index(group));
          cnt = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), cnt);
          cnt = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), cnt);
          return arith::DivFOp::create(nb, nl, a[0], cnt);
        });
  }
};

/// True where the role tensor element `r` equals `role`.
Value isRole(OpBuilder &nb, Location nl, Value r, int64_t role);
/// Role of each KV block J for each query block I: 0 excluded, 1 candidate,
/// 2 forced (see the op description).
Value emitRoles(Emitter &e, BlockSelectOp op, ArrayRef<Value> rowShape,
                Value sq, Value skv, Value sinkIdx, int64_t kvGroup);
/// The selected flags per (row, J) from the roles and the scores.
Value emitSelection(Emitter &e, BlockSelectOp op, Value roles, Value g,
                    ArrayRef<Value> rowShape);
} // namespace mlir::kiln::detail

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_BLOCKSELECTEMITTER_H
