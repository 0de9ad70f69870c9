//===- BlockSparseRewrite.cpp - shared by the routing passes --------------===//
#include "BlockSparseRewrite.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::selectedForRouting(AttentionOp op, StringRef attrName,
                                    bool all) {
  return all || op->hasAttr(attrName);
}

std::string mlir::kiln::routingObstacle(AttentionOp op, bool allowNonCausal) {
  if (!op.getCausal() && !allowNonCausal)
    return "it is not causal";
  if (op.hasBlockList())
    return "it already has a block list";
  if (op.getQPositions())
    return "it has position operands";
  if (op.getMask())
    return "it has an additive mask";
  if (op.getWindowLeftAttr() || op.getWindowRightAttr())
    return "it has a sliding window";
  auto q = cast<RankedTensorType>(op.getQuery().getType());
  auto k = cast<RankedTensorType>(op.getKey().getType());
  if (q.isDynamicDim(1) || k.isDynamicDim(1) || q.isDynamicDim(3))
    return "its head counts or head dim are dynamic";
  return "";
}

bool mlir::kiln::belowMinSeqLen(AttentionOp op, int64_t minSeqLen) {
  int64_t sq = cast<RankedTensorType>(op.getQuery().getType()).getDimSize(2);
  return !ShapedType::isDynamic(sq) && sq < minSeqLen;
}

Value mlir::kiln::emptyI32(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                           ValueRange dynamicSizes) {
  return tensor::EmptyOp::create(b, loc, shape, b.getI32Type(),
                                 dynamicSizes);
}

void mlir::kiln::replaceWithBlockSparse(RewriterBase &rewriter,
                                        AttentionOp op, Value key,
                                        Value value, Value indices,
                                        Value counts, Value qPositions,
                                        Value kPositions, int64_t block) {
  rewriter.setInsertionPoint(op);
  auto sparse = AttentionOp::create(
      rewriter, op.getLoc(), op->getResultTypes(), op.getQuery(), key, value,
      /*mask=*/Value(), indices, counts, qPositions, kPositions,
      op.getOuts(), op.getScaleAttr(), op.getCausalAttr(),
      /*window_left=*/nullptr, /*window_right=*/nullptr,
      rewriter.getI64IntegerAttr(block), rewriter.getI64IntegerAttr(block));
  rewriter.replaceOp(op, sparse->getResults());
}
