//===- NNOps.cpp - ONNX MatMul, Gemm, Softmax, LayerNorm, reductions -------===//
//
// MatMul and Gemm become kiln.matmul (a 2-D weight takes the batch dims
// into M; Gemm's transB is the op's transpose_b), Softmax and
// LayerNormalization their kiln ops, reductions linalg.reduce.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {
FailureOr<Value> floatValue(NodeImporter &n, int i) {
  FailureOr<Value> v = n.value(i);
  if (failed(v))
    return failure();
  if (!isa<FloatType>(cast<RankedTensorType>(v->getType()).getElementType()))
    return n.error("input " + Twine(i) + " must be float");
  return v;
}

/// C = A . B for A [..., M, K] and B [K, N] or [..., K, N] (numpy rules).
FailureOr<Value> matmul(NodeImporter &n, Value a, Value bm, bool transB) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(bm.getType());
  if (at.getElementType() != bt.getElementType())
    return n.error("operands have different element types");
  int64_t k = at.getDimSize(at.getRank() - 1);
  int64_t kb = bt.getDimSize(bt.getRank() - (transB ? 1 : 2));
  if (k != kb && !ShapedType::isDynamic(k) && !ShapedType::isDynamic(kb))
    return n.emitError() << "the contraction dims of " << at << " and " << bt
                         << " differ";
  int64_t nDim = bt.getDimSize(bt.getRank() - (transB ? 2 : 1));
  Type elt = at.getElementType();
  if (bt.getRank() == 2 && at.getRank() > 2) {
    // Fold the batch dims of A into M: one 2-D matmul on the weight.
    SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, a);
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t d = 0; d + 1 < at.getRank(); ++d)
      groups[0].push_back(d);
    groups[1].push_back(at.getRank() - 1);
    Value flat = tensor::CollapseShapeOp::create(b, loc, a, groups);
    SmallVector<OpFoldResult> flatSizes = mixedSizes(b, loc, flat);
    Value init = emptyTensor(b, loc, {flatSizes[0], b.getIndexAttr(nDim)}, elt);
    Value c = MatmulOp::create(b, loc, init.getType(), flat, bm, init, transB);
    SmallVector<OpFoldResult> outSizes(sizes.begin(), sizes.end() - 1);
    outSizes.push_back(b.getIndexAttr(nDim));
    SmallVector<int64_t> outShape = staticShape(outSizes);
    return tensor::ExpandShapeOp::create(
               b, loc, RankedTensorType::get(outShape, elt), c, groups,
               outSizes)
        .getResult();
  }
  // Batched: broadcast both to the common batch dims.
  auto batchType = [&](RankedTensorType t) {
    return RankedTensorType::get(t.getShape().drop_back(2), elt);
  };
  FailureOr<SmallVector<int64_t>> batch =
      broadcastShapes(n, {batchType(at), batchType(bt)});
  if (failed(batch))
    return failure();
  int64_t batchRank = batch->size(), rank = batchRank + 2;
  SmallVector<OpFoldResult> batchSizes;
  for (int64_t d = 0; d < batchRank; ++d) {
    OpFoldResult size = b.getIndexAttr((*batch)[d]);
    if (ShapedType::isDynamic((*batch)[d]))
      for (Value v : {a, bm}) {
        auto t = cast<RankedTensorType>(v.getType());
        int64_t i = d - (batchRank - (t.getRank() - 2));
        if (i >= 0 && t.isDynamicDim(i)) {
          size = tensor::DimOp::create(b, loc, v, i).getResult();
          break;
        }
      }
    batchSizes.push_back(size);
  }
  auto full = [&](Value v) {
    SmallVector<OpFoldResult> sizes = batchSizes, vs = mixedSizes(b, loc, v);
    sizes.append(vs.end() - 2, vs.end());
    return broadcastTo(b, loc, v, sizes);
  };
  Value a2 = full(a), b2 = full(bm);
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, a2);
  sizes.back() = mixedSizes(b, loc, b2)[transB ? rank - 2 : rank - 1];
  Value init = emptyTensor(b, loc, sizes, elt);
  return MatmulOp::create(b, loc, init.getType(), a2, b2, init, transB)
      .getResult();
}

LogicalResult importMatMul(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<Value> a = floatValue(n, 0), bm = floatValue(n, 1);
  if (failed(a) || failed(bm))
    return failure();
  auto at = cast<RankedTensorType>(a->getType());
  auto bt = cast<RankedTensorType>(bm->getType());
  if (at.getRank() == 0 || bt.getRank() == 0)
    return n.error("operands must have rank >= 1");
  // 1-D operands become matrices and the added dim is dropped at the end.
  Value x = *a, y = *bm;
  if (at.getRank() == 1)
    x = *reshapeTo(n, x, {1, at.getDimSize(0)});
  if (bt.getRank() == 1)
    y = *reshapeTo(n, y, {bt.getDimSize(0), 1});
  FailureOr<Value> c = matmul(n, x, y, false);
  if (failed(c))
    return failure();
  auto ct = cast<RankedTensorType>(c->getType());
  SmallVector<int64_t> shape(ct.getShape());
  if (bt.getRank() == 1)
    shape.pop_back();
  if (at.getRank() == 1)
    shape.erase(shape.end() - (bt.getRank() == 1 ? 1 : 2));
  FailureOr<Value> r = reshapeTo(n, *c, shape);
  if (failed(r))
    return failure();
  n.setOutput(0, *r);
  return success();
}

LogicalResult importGemm(NodeImporter &n) {
  FailureOr<float> alpha = n.floatAttr("alpha", 1.0f);
  FailureOr<float> beta = n.floatAttr("beta", 1.0f);
  FailureOr<int64_t> transA = n.intAttr("transA", 0);
  FailureOr<int64_t> transB = n.intAttr("transB", 0);
  if (failed(alpha) || failed(beta) || failed(transA) || failed(transB) ||
      failed(n.checkAttrs({"alpha", "beta", "transA", "transB"})))
    return failure();
  FailureOr<Value> a = floatValue(n, 0), bm = floatValue(n, 1);
  if (failed(a) || failed(bm))
    return failure();
  if (cast<RankedTensorType>(a->getType()).getRank() != 2 ||
      cast<RankedTensorType>(bm->getType()).getRank() != 2)
    return n.error("A and B must be 2-D");
  Value x = *transA ? transpose(n.b, n.loc, *a, {1, 0}) : *a;
  FailureOr<Value> c = matmul(n, x, *bm, *transB != 0);
  if (failed(c))
    return failure();
  Value y = *c;
  OpBuilder &b = n.b;
  if (*alpha != 1.0f)
    y = arith::MulFOp::create(b, n.loc, y, splatLike(b, n.loc, y, *alpha));
  if (n.has(2) && *beta != 0.0f) {
    FailureOr<Value> bias = floatValue(n, 2);
    if (failed(bias))
      return failure();
    Value cv = *bias;
    if (*beta != 1.0f)
      cv = arith::MulFOp::create(b, n.loc, cv, splatLike(b, n.loc, cv, *beta));
    FailureOr<SmallVector<Value>> ops = broadcastAll(n, {y, cv});
    if (failed(ops))
      return failure();
    if (cast<RankedTensorType>((*ops)[0].getType()) !=
        cast<RankedTensorType>(y.getType()))
      return n.error("C does not broadcast to the result");
    y = arith::AddFOp::create(b, n.loc, (*ops)[0], (*ops)[1]);
  }
  n.setOutput(0, y);
  return success();
}

LogicalResult importSoftmax(NodeImporter &n) {
  FailureOr<int64_t> a = n.intAttr("axis", -1);
  FailureOr<Value> x = floatValue(n, 0);
  if (failed(a) || failed(x) || failed(n.checkAttrs({"axis"})))
    return failure();
  auto t = cast<RankedTensorType>(x->getType());
  FailureOr<int64_t> axis = n.axis(*a, t.getRank());
  if (failed(axis))
    return failure();
  Value init = emptyTensor(n.b, n.loc, mixedSizes(n.b, n.loc, *x),
                           t.getElementType());
  n.setOutput(0, SoftmaxOp::create(n.b, n.loc, t, *x, init,
                                   n.b.getI64IntegerAttr(*axis)));
  return success();
}

LogicalResult importLayerNorm(NodeImporter &n) {
  FailureOr<int64_t> a = n.intAttr("axis", -1);
  FailureOr<float> eps = n.floatAttr("epsilon", 1e-5f);
  FailureOr<Value> x = floatValue(n, 0);
  if (failed(a) || failed(eps) || failed(x) ||
      failed(n.checkAttrs({"axis", "epsilon", "stash_type"})))
    return failure();
  if (n.wantsOutput(1) || n.wantsOutput(2))
    return n.error("the Mean and InvStdDev outputs are not supported");
  auto t = cast<RankedTensorType>(x->getType());
  FailureOr<int64_t> axis = n.axis(*a, t.getRank());
  if (failed(axis))
    return failure();
  // Scale and bias shaped like the normalized dims (broadcast when not).
  ArrayRef<int64_t> normShape = t.getShape().drop_front(*axis);
  SmallVector<Value> params;
  for (int i : {1, 2}) {
    if (!n.has(i)) {
      params.push_back(Value());
      continue;
    }
    FailureOr<Value> p = floatValue(n, i);
    if (failed(p))
      return failure();
    auto pt = cast<RankedTensorType>(p->getType());
    if (pt.getShape() != normShape) {
      if (!RankedTensorType::get(normShape, t.getElementType())
               .hasStaticShape() ||
          pt.getRank() > int64_t(normShape.size()))
        return n.emitError() << "parameter " << pt
                             << " does not match the normalized dims";
      SmallVector<OpFoldResult> sizes;
      for (int64_t d : normShape)
        sizes.push_back(n.b.getIndexAttr(d));
      FailureOr<SmallVector<int64_t>> ok = broadcastShapes(
          n, {pt, RankedTensorType::get(normShape, t.getElementType())});
      if (failed(ok) || *ok != SmallVector<int64_t>(normShape))
        return n.emitError() << "parameter " << pt
                             << " does not broadcast to the normalized dims";
      *p = broadcastTo(n.b, n.loc, *p, sizes);
    }
    params.push_back(*p);
  }
  Value init = emptyTensor(n.b, n.loc, mixedSizes(n.b, n.loc, *x),
                           t.getElementType());
  n.setOutput(0, LayerNormOp::create(n.b, n.loc, t, *x, params[0], params[1],
                                     init, n.b.getF32FloatAttr(*eps),
                                     n.b.getI64IntegerAttr(*axis)));
  return success();
}
} // namespace

namespace mlir::kiln::onnx_import { // ReduceOps.cpp
LogicalResult importReduce(NodeImporter &n);
LogicalResult importGlobalAveragePool(NodeImporter &n);
LogicalResult importPool(NodeImporter &n);
} // namespace mlir::kiln::onnx_import

void mlir::kiln::onnx_import::registerNNOps(OpTable &t) {
  t["MatMul"] = importMatMul;
  t["Gemm"] = importGemm;
  t["Softmax"] = importSoftmax;
  t["LayerNormalization"] = importLayerNorm;
  for (StringRef op : {"ReduceMean", "ReduceSum", "ReduceMax"})
    t[op] = importReduce;
  t["GlobalAveragePool"] = importGlobalAveragePool;
  t["MaxPool"] = importPool;
  t["AveragePool"] = importPool;
}
