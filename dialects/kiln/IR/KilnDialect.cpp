//===- KilnDialect.cpp - dialect registration -----------------------------===//
#include "kiln/IR/KilnDialect.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace mlir::kiln;

#include "kiln/IR/KilnDialect.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/IR/KilnOps.cpp.inc"
      >();
  registerAttributes();
}

LogicalResult mlir::kiln::reifyFromInits(DestinationStyleOpInterface op,
                                         OpBuilder &b,
                                         ReifiedRankedShapedTypeDims &shapes) {
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto type = cast<RankedTensorType>(init.get().getType());
    SmallVector<OpFoldResult> dims;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.isDynamicDim(d))
        dims.push_back(
            tensor::DimOp::create(b, op.getLoc(), init.get(), d).getResult());
      else
        dims.push_back(b.getIndexAttr(type.getDimSize(d)));
    }
    shapes.push_back(dims);
  }
  return success();
}

#define GET_OP_CLASSES
#include "kiln/IR/KilnOps.cpp.inc"

// Every kiln op is destination-style: its results have its inits' shapes.
#define KILN_REIFY_FROM_INITS(OP)                                              \
  LogicalResult OP::reifyResultShapes(OpBuilder &b,                            \
                                      ReifiedRankedShapedTypeDims &shapes) {   \
    return reifyFromInits(cast<DestinationStyleOpInterface>(getOperation()),   \
                          b, shapes);                                          \
  }
KILN_REIFY_FROM_INITS(AttentionOp)
KILN_REIFY_FROM_INITS(OnlineAttentionOp)
KILN_REIFY_FROM_INITS(AttentionMergeOp)
KILN_REIFY_FROM_INITS(PermuteOp)
KILN_REIFY_FROM_INITS(UnpermuteOp)
KILN_REIFY_FROM_INITS(BlockSelectOp)
KILN_REIFY_FROM_INITS(ConvOp)
KILN_REIFY_FROM_INITS(BatchNormOp)
KILN_REIFY_FROM_INITS(MatmulOp)
KILN_REIFY_FROM_INITS(LayerNormOp)
KILN_REIFY_FROM_INITS(RmsNormOp)
KILN_REIFY_FROM_INITS(SoftmaxOp)
KILN_REIFY_FROM_INITS(QuantizeOp)
KILN_REIFY_FROM_INITS(DequantizeOp)
KILN_REIFY_FROM_INITS(QMatmulOp)
KILN_REIFY_FROM_INITS(QConvOp)
#undef KILN_REIFY_FROM_INITS
