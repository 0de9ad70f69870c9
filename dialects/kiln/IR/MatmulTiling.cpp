//===- MatmulTiling.cpp - TilingInterface of kiln.matmul / kiln.qmatmul ---===//
//
// The iteration domain is the output's dims (batch..., M, N), all parallel;
// K stays whole in every tile because the ops overwrite their init.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/TilingUtils.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// The lhs and rhs regions of an output tile [batch..., M, N].
struct MatmulRegions {
  TileRegion lhs, rhs;
};

MatmulRegions matmulRegions(OpBuilder &b, Location loc, Value lhs, Value rhs,
                            bool transposeB, ArrayRef<OpFoldResult> offsets,
                            ArrayRef<OpFoldResult> sizes) {
  unsigned nb = offsets.size() - 2;
  MatmulRegions r{wholeRegion(b, loc, lhs), wholeRegion(b, loc, rhs)};
  for (unsigned d = 0; d < nb; ++d) {
    r.lhs.offsets[d] = r.rhs.offsets[d] = offsets[d];
    r.lhs.sizes[d] = r.rhs.sizes[d] = sizes[d];
  }
  r.lhs.offsets[nb] = offsets[nb];
  r.lhs.sizes[nb] = sizes[nb];
  unsigned nDim = transposeB ? nb : nb + 1;
  r.rhs.offsets[nDim] = offsets[nb + 1];
  r.rhs.sizes[nDim] = sizes[nb + 1];
  return r;
}
} // namespace

#define KILN_OUTPUT_SHAPED_DOMAIN(OP)                                          \
  SmallVector<Range> OP::getIterationDomain(OpBuilder &b) {                    \
    return domainOf(b, getLoc(), getInit());                                   \
  }                                                                            \
  SmallVector<utils::IteratorType> OP::getLoopIteratorTypes() {                \
    return SmallVector<utils::IteratorType>(                                   \
        cast<RankedTensorType>(getInit().getType()).getRank(),                 \
        utils::IteratorType::parallel);                                        \
  }                                                                            \
  LogicalResult OP::getResultTilePosition(                                     \
      OpBuilder &, unsigned, ArrayRef<OpFoldResult> offsets,                   \
      ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,  \
      SmallVector<OpFoldResult> &resultSizes) {                                \
    resultOffsets.assign(offsets.begin(), offsets.end());                      \
    resultSizes.assign(sizes.begin(), sizes.end());                            \
    return success();                                                          \
  }

KILN_OUTPUT_SHAPED_DOMAIN(MatmulOp)
KILN_OUTPUT_SHAPED_DOMAIN(QMatmulOp)
KILN_OUTPUT_SHAPED_DOMAIN(ConvOp)
KILN_OUTPUT_SHAPED_DOMAIN(QConvOp)
#undef KILN_OUTPUT_SHAPED_DOMAIN

FailureOr<TilingResult>
MatmulOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                                 ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  TilingResult result;
  MatmulRegions r = matmulRegions(b, loc, getLhs(), getRhs(), getTransposeB(),
                                  offsets, sizes);
  SmallVector<Value> operands = {
      extractRegion(b, loc, getLhs(), r.lhs, result),
      extractRegion(b, loc, getRhs(), r.rhs, result),
      extractRegion(b, loc, getInit(), TileRegion{llvm::to_vector(offsets),
                                                  llvm::to_vector(sizes)},
                    result)};
  cloneTiled(b, *this, operands, result);
  return result;
}

FailureOr<TilingResult>
QMatmulOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                                  ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  TilingResult result;
  MatmulRegions r = matmulRegions(b, loc, getLhs(), getRhs(), getTransposeB(),
                                  offsets, sizes);
  auto slice = [&](Value v, const TileRegion &region) {
    return extractRegion(b, loc, v, region, result);
  };
  // Operand order follows the ODS: lhs, rhs, lhs_scale?, lhs_zero_point?,
  // rhs_scale, rhs_zero_point?, init.
  SmallVector<Value> operands = {slice(getLhs(), r.lhs),
                                 slice(getRhs(), r.rhs)};
  for (Value p : {getLhsScale(), getLhsZeroPoint()}) {
    if (!p)
      continue;
    FailureOr<Value> s = sliceQuantParam(b, loc, p, *getLhsFormat(), getLhs(),
                                         r.lhs, result);
    if (failed(s))
      return emitOpError("cannot tile along the blocked axis of 'lhs'");
    operands.push_back(*s);
  }
  for (Value p : {getRhsScale(), getRhsZeroPoint()}) {
    if (!p)
      continue;
    FailureOr<Value> s =
        sliceQuantParam(b, loc, p, getRhsFormat(), getRhs(), r.rhs, result);
    if (failed(s))
      return emitOpError("cannot tile along the blocked axis of 'rhs'");
    operands.push_back(*s);
  }
  operands.push_back(slice(getInit(), TileRegion{llvm::to_vector(offsets),
                                                 llvm::to_vector(sizes)}));
  cloneTiled(b, *this, operands, result);
  return result;
}
