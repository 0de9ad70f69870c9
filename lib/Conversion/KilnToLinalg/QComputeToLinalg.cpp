//===- QComputeToLinalg.cpp - qmatmul / qconv reference lowering ----------===//
//
// kiln.qmatmul and kiln.qconv are defined as their float op applied to the
// dequantized operands, and their reference lowering is exactly that: each
// quantized operand becomes a kiln.dequantize into an f32 tensor (a fresh
// tensor.empty init of the operand's shape), followed by kiln.matmul /
// kiln.conv with the same attributes, epilogue operands and init. The new
// kiln ops are lowered by their own patterns in the same conversion.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;

/// Decodes `data` with its scale, zero point and format into an f32 tensor of
/// the same shape (dynamic sizes read with tensor.dim); `data` itself when it
/// has no format (a real operand).
static Value dequantizeOperand(OpBuilder &b, Location loc, Value data,
                               Value scale, Value zeroPoint,
                               QuantFormatAttr format) {
  if (!format)
    return data;
  auto type = cast<RankedTensorType>(data.getType());
  SmallVector<Value> dynSizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    if (type.isDynamicDim(i))
      dynSizes.push_back(tensor::DimOp::create(b, loc, data, i));
  auto f32Type = RankedTensorType::get(type.getShape(), b.getF32Type());
  Value init = tensor::EmptyOp::create(b, loc, f32Type, dynSizes);
  return DequantizeOp::create(b, loc, f32Type, data, scale, zeroPoint, init,
                              format)
      .getResult();
}

namespace {
struct QMatmulToDequantMatmul : OpRewritePattern<QMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = dequantizeOperand(rewriter, loc, op.getLhs(), op.getLhsScale(),
                                  op.getLhsZeroPoint(), op.getLhsFormatAttr());
    Value rhs = dequantizeOperand(rewriter, loc, op.getRhs(), op.getRhsScale(),
                                  op.getRhsZeroPoint(), op.getRhsFormatAttr());
    auto matmul = MatmulOp::create(rewriter, loc, op.getResult().getType(), lhs,
                                   rhs, op.getInit(), op.getTransposeBAttr());
    rewriter.replaceOp(op, matmul.getResult());
    return success();
  }
};

struct QConvToDequantConv : OpRewritePattern<QConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input =
        dequantizeOperand(rewriter, loc, op.getInput(), op.getInputScale(),
                          op.getInputZeroPoint(), op.getInputFormatAttr());
    Value filter =
        dequantizeOperand(rewriter, loc, op.getFilter(), op.getFilterScale(),
                          op.getFilterZeroPoint(), op.getFilterFormatAttr());
    // Padding happens inside kiln.conv, on the dequantized input: padded
    // positions are real zeros, as the qconv semantics state.
    auto conv = ConvOp::create(rewriter, loc, op.getResult().getType(), input,
                               filter, op.getEpilogueOperands(), op.getInit(),
                               op.getStridesAttr(), op.getPadLowAttr(),
                               op.getPadHighAttr(), op.getDilationsAttr(),
                               op.getGroupsAttr(), op.getDataLayoutAttr(),
                               op.getFilterLayoutAttr(), op.getEpilogueAttr());
    rewriter.replaceOp(op, conv.getResult());
    return success();
  }
};
} // namespace

void mlir::kiln::populateQComputeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<QMatmulToDequantMatmul, QConvToDequantConv>(
      patterns.getContext());
}
