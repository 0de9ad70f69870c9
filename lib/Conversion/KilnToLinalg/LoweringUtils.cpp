//===- LoweringUtils.cpp - helpers shared by the reference lowering -------===//
#include "LoweringUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

Value mlir::kiln::f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value mlir::kiln::castFloat(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to || !isa<FloatType>(from) || !isa<FloatType>(to))
    return v;
  if (cast<FloatType>(from).getWidth() < cast<FloatType>(to).getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

Value mlir::kiln::toF32(OpBuilder &b, Location loc, Value v) {
  return castFloat(b, loc, v, b.getF32Type());
}

Value mlir::kiln::isNegInf(OpBuilder &b, Location loc, Value x) {
  return arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ, x,
      f32Const(b, loc, -std::numeric_limits<double>::infinity()));
}

Value mlir::kiln::mulAddF32(OpBuilder &b, Location loc, Value x, Value y,
                            Value acc) {
  Value fx = toF32(b, loc, x);
  Value fy = toF32(b, loc, y);
  Value p = arith::MulFOp::create(b, loc, fx, fy);
  return arith::AddFOp::create(b, loc, acc, p);
}

Value mlir::kiln::dimValue(OpBuilder &b, Location loc, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(d))
    return arith::ConstantIndexOp::create(b, loc, t.getDimSize(d));
  return tensor::DimOp::create(b, loc, v, d);
}

Value mlir::kiln::emptyLike(OpBuilder &b, Location loc, Value like, Type elt) {
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, like),
                                 elt);
}

Value mlir::kiln::fillTensor(OpBuilder &b, Location loc, Value init,
                             TypedAttr value) {
  Value c = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, c, init).getResult(0);
}

Value mlir::kiln::filledTensor(OpBuilder &b, Location loc, ValueRange sizes,
                               TypedAttr value) {
  Value init = tensor::EmptyOp::create(b, loc, getAsOpFoldResult(sizes),
                                       value.getType());
  return fillTensor(b, loc, init, value);
}

AffineMap mlir::kiln::loopMap(MLIRContext *ctx, unsigned numLoops,
                              ArrayRef<int64_t> dims) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d : dims)
    exprs.push_back(d < 0 ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

Value mlir::kiln::buildGeneric(OpBuilder &b, Location loc, unsigned numLoops,
                               ValueRange ins, ArrayRef<AffineMap> inMaps,
                               Value out, unsigned numReduce,
                               GenericBodyFn body) {
  SmallVector<int64_t> outDims;
  for (unsigned i = 0; i + numReduce < numLoops; ++i)
    outDims.push_back(i);
  SmallVector<AffineMap> maps(inMaps);
  maps.push_back(loopMap(b.getContext(), numLoops, outDims));
  SmallVector<utils::IteratorType> iters(numLoops,
                                         utils::IteratorType::parallel);
  for (unsigned i = numLoops - numReduce; i < numLoops; ++i)
    iters[i] = utils::IteratorType::reduction;
  auto op = linalg::GenericOp::create(
      b, loc, out.getType(), ins, out, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return op.getResult(0);
}

Value mlir::kiln::buildGeneric(OpBuilder &b, Location loc, ValueRange ins,
                               ArrayRef<AffineMap> inMaps, Value out,
                               unsigned numReduce, GenericBodyFn body) {
  return buildGeneric(b, loc, inMaps.front().getNumDims(), ins, inMaps, out,
                      numReduce, body);
}

Value ewise::map(OpBuilder &b, Location loc, ValueRange inputs,
                 ArrayRef<AffineMap> inputMaps, Value dest,
                 GenericBodyFn body) {
  auto destType = cast<RankedTensorType>(dest.getType());
  return buildGeneric(b, loc, destType.getRank(), inputs, inputMaps, dest, 0,
                      [&](OpBuilder &nb, Location nloc, ValueRange args) {
                        SmallVector<Value> f32Args;
                        for (Value a : args.drop_back())
                          f32Args.push_back(toF32(nb, nloc, a));
                        Value r = body(nb, nloc, f32Args);
                        return castFloat(nb, nloc, r,
                                         destType.getElementType());
                      });
}
