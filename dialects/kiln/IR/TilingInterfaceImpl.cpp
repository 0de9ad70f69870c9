//===- TilingInterfaceImpl.cpp ----------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;

#define KILN_TILING_STUB(OP)                                                   \
  SmallVector<Range> OP::getIterationDomain(OpBuilder &) { return {}; }        \
  SmallVector<utils::IteratorType> OP::getLoopIteratorTypes() { return {}; }   \
  FailureOr<TilingResult> OP::getTiledImplementation(                          \
      OpBuilder &, ArrayRef<OpFoldResult>, ArrayRef<OpFoldResult>) {           \
    return failure();                                                          \
  }                                                                            \
  LogicalResult OP::getResultTilePosition(                                     \
      OpBuilder &, unsigned, ArrayRef<OpFoldResult>, ArrayRef<OpFoldResult>,   \
      SmallVector<OpFoldResult> &, SmallVector<OpFoldResult> &) {              \
    return failure();                                                          \
  }
KILN_TILING_STUB(AttentionOp)
KILN_TILING_STUB(ConvOp)
KILN_TILING_STUB(MatmulOp)
KILN_TILING_STUB(QMatmulOp)
KILN_TILING_STUB(QConvOp)
