//===- CpuPrePackedPanel.cpp - B panels of constant weights, at compile time =//
//
// See slicePrePackedPanel in CpuPackPanel.h: a constant B is packed here,
// every cache block into one constant, instead of by a loop at run time.
//
//===----------------------------------------------------------------------===//
#include "ConstantData.h"
#include "CpuPackPanel.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;

Value mlir::kiln::slicePrePackedPanel(RewriterBase &rewriter,
                                      Operation *before, Value block,
                                      const PanelOperand &b, int64_t nc,
                                      int64_t kc, int64_t nr) {
  // Up the cache tiling's slices to B, adding up the K and N offsets.
  SmallVector<OpFoldResult> kOffsets, nOffsets;
  Value source = block;
  while (auto slice = source.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (!slice.hasUnitStride() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank())
      return Value();
    kOffsets.push_back(slice.getMixedOffsets()[b.kResult]);
    nOffsets.push_back(slice.getMixedOffsets()[b.nResult]);
    source = slice.getSource();
  }
  auto type = dyn_cast<RankedTensorType>(source.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape())
    return Value();
  std::optional<std::vector<float>> values = f32ConstantValues(source);
  if (!values)
    return Value();
  int64_t kSize = type.getDimSize(b.kResult), nSize = type.getDimSize(b.nResult);
  int64_t bnc = std::min(nc, nSize), bkc = std::min(kc, kSize);
  RankedTensorType panel =
      packedPanelType(type.getElementType(), b, bnc, bkc, nr);
  int64_t panels = panel.getDimSize(0), depth = panel.getDimSize(1);
  int64_t nBlocks = llvm::divideCeil(nSize, nc), kBlocks = llvm::divideCeil(kSize, kc);
  SmallVector<int64_t> shape = {nBlocks, kBlocks, panels, depth, nr};
  std::vector<float> packed(size_t(nBlocks * kBlocks * panels * depth * nr),
                            0.0f);
  int64_t kStride = b.kResult == 0 ? type.getDimSize(1) : 1;
  int64_t nStride = b.nResult == 0 ? type.getDimSize(1) : 1;
  size_t at = 0;
  for (int64_t nb = 0; nb < nBlocks; ++nb)
    for (int64_t kb = 0; kb < kBlocks; ++kb)
      for (int64_t p = 0; p < panels; ++p)
        for (int64_t kk = 0; kk < depth; ++kk)
          for (int64_t r = 0; r < nr; ++r, ++at) {
            int64_t k = kb * kc + kk, n = nb * nc + p * nr + r;
            bool inBlock = kk < bkc && p * nr + r < bnc;
            if (inBlock && k < kSize && n < nSize)
              packed[at] = (*values)[size_t(k * kStride + n * nStride)];
          }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(before);
  Location loc = before->getLoc();
  auto allType = RankedTensorType::get(shape, type.getElementType());
  Value all = createF32Constant(rewriter, loc, allType, packed, "prepacked_b");
  // This block's position: the summed offsets over the tile sizes.
  MLIRContext *ctx = rewriter.getContext();
  auto blockIndex = [&](ArrayRef<OpFoldResult> offsets, int64_t tile) {
    AffineExpr sum = getAffineConstantExpr(0, ctx);
    for (size_t i = 0; i < offsets.size(); ++i)
      sum = sum + getAffineSymbolExpr(i, ctx);
    return affine::makeComposedFoldedAffineApply(
        rewriter, loc, AffineMap::get(0, offsets.size(), sum.floorDiv(tile)),
        offsets);
  };
  SmallVector<OpFoldResult> offsets = {
      blockIndex(nOffsets, nc), blockIndex(kOffsets, kc),
      rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
      rewriter.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {
      rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
      rewriter.getIndexAttr(panels), rewriter.getIndexAttr(depth),
      rewriter.getIndexAttr(nr)};
  SmallVector<OpFoldResult> strides(5, rewriter.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(rewriter, loc, panel, all, offsets,
                                        sizes, strides);
}
