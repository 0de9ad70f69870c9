//===- ConvTiling.cpp - TilingInterface of kiln.conv / kiln.qconv ---------===//
//
// Tiles over the output dims (batch, output channels, output spatial), all
// parallel. A spatial output tile reads an input window of the zero-padded
// input; the tiled op therefore gets a padded slice and no padding of its own.
// Input channels (the reduction) stay whole. With groups > 1 the output
// channels must stay whole too: a dynamic partial tile could split a group.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/TilingUtils.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// Positions of the batch, channel and spatial dims of an activation.
struct DataDims {
  unsigned n = 0, c = 0;
  SmallVector<unsigned> spatial;
};
DataDims dataDims(kiln::DataLayout layout, unsigned rank) {
  DataDims d;
  bool cFirst = layout == kiln::DataLayout::NCHW;
  d.c = cFirst ? 1 : rank - 1;
  for (unsigned i = 0; i < rank - 2; ++i)
    d.spatial.push_back(cFirst ? i + 2 : i + 1);
  return d;
}
/// Positions of the output-channel and spatial dims of a filter.
struct FilterDims {
  unsigned o = 0;
  SmallVector<unsigned> spatial;
};
FilterDims filterDims(FilterLayout layout, unsigned rank) {
  FilterDims f;
  unsigned ns = rank - 2;
  f.o = layout == FilterLayout::HWIO ? rank - 1 : 0;
  unsigned first = layout == FilterLayout::OIHW   ? 2
                   : layout == FilterLayout::HWIO ? 0
                                                  : 1;
  for (unsigned i = 0; i < ns; ++i)
    f.spatial.push_back(first + i);
  return f;
}

/// The input and filter regions a conv tile reads (the input region is in
/// the coordinates of the unpadded input when there is no padding).
struct ConvTileRegions {
  TileRegion input, filter;
};

/// Shared by ConvOp and QConvOp: appends the input and filter slices to
/// `prefix`. `quantizedInput` forbids padding (a quantized zero is the zero
/// point, not the zero code).
template <typename ConvLikeOp>
FailureOr<ConvTileRegions>
tileConv(ConvLikeOp op, OpBuilder &b, ArrayRef<OpFoldResult> offsets,
         ArrayRef<OpFoldResult> sizes, SmallVectorImpl<Value> &prefix,
         bool quantizedInput, TilingResult &result) {
  Location loc = op.getLoc();
  Value input = op.getInput(), filter = op.getFilter(), init = op.getInit();
  unsigned rank = offsets.size();
  DataDims dd = dataDims(op.getDataLayout(), rank);
  FilterDims fd = filterDims(op.getFilterLayout(), rank);
  TileRegion outRegion{llvm::to_vector(offsets), llvm::to_vector(sizes)};
  if (op.getGroups() != 1 && !coversWholeDim(init, outRegion, dd.c))
    return op.emitOpError("cannot tile output channels of a grouped conv");

  SmallVector<int64_t> lo = op.getPadLowValues(), hi = op.getPadHighValues();
  bool padded = llvm::any_of(lo, [](int64_t p) { return p != 0; }) ||
                llvm::any_of(hi, [](int64_t p) { return p != 0; });
  if (padded && quantizedInput)
    return op.emitOpError("cannot tile a padded conv of a quantized input");
  if (padded) {
    SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0)), high = low;
    for (auto [i, d] : llvm::enumerate(dd.spatial)) {
      low[d] = b.getIndexAttr(lo[i]);
      high[d] = b.getIndexAttr(hi[i]);
    }
    Type elt = cast<RankedTensorType>(input.getType()).getElementType();
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
    input = tensor::PadOp::create(b, loc, Type(), input, low, high, zero);
  }

  TileRegion in = wholeRegion(b, loc, input);
  in.offsets[dd.n] = offsets[dd.n];
  in.sizes[dd.n] = sizes[dd.n];
  SmallVector<int64_t> strides = op.getStrideValues();
  SmallVector<int64_t> dilations = op.getDilationValues();
  SmallVector<OpFoldResult> kernel = tensor::getMixedSizes(b, loc, filter);
  AffineExpr o, t, k;
  bindDims(b.getContext(), o, t);
  bindSymbols(b.getContext(), k);
  for (auto [i, d] : llvm::enumerate(dd.spatial)) {
    int64_t s = strides[i], dl = dilations[i];
    in.offsets[d] = affine::makeComposedFoldedAffineApply(
        b, loc, o * s, {offsets[d]});
    in.sizes[d] = affine::makeComposedFoldedAffineApply(
        b, loc, (t - 1) * s + (k - 1) * dl + 1,
        {offsets[d], sizes[d], kernel[fd.spatial[i]]});
  }
  TileRegion fr = wholeRegion(b, loc, filter);
  fr.offsets[fd.o] = offsets[dd.c];
  fr.sizes[fd.o] = sizes[dd.c];
  prefix.push_back(extractRegion(b, loc, input, in, result));
  prefix.push_back(extractRegion(b, loc, filter, fr, result));
  return ConvTileRegions{in, fr};
}

/// Slices the epilogue operands: per-channel vectors follow the output
/// channels, residuals follow the output tile.
void sliceEpilogue(OpBuilder &b, Location loc, ArrayAttr steps,
                   ValueRange operands, unsigned channelDim,
                   const TileRegion &out, SmallVectorImpl<Value> &sliced,
                   TilingResult &result) {
  unsigned next = 0;
  for (auto step : steps.getAsRange<EpilogueStepAttr>()) {
    for (unsigned i = 0; i < step.getNumOperands(); ++i) {
      Value v = operands[next++];
      if (step.getKind() == EpilogueKind::ResidualAdd) {
        sliced.push_back(extractRegion(b, loc, v, out, result));
        continue;
      }
      TileRegion r{{out.offsets[channelDim]}, {out.sizes[channelDim]}};
      sliced.push_back(extractRegion(b, loc, v, r, result));
    }
  }
}

void dropPadding(Operation *tiled) {
  tiled->removeAttr("pad_low");
  tiled->removeAttr("pad_high");
}
} // namespace

FailureOr<TilingResult>
ConvOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                               ArrayRef<OpFoldResult> sizes) {
  TilingResult result;
  SmallVector<Value> operands;
  if (failed(tileConv(*this, b, offsets, sizes, operands, false, result)))
    return failure();
  TileRegion out{llvm::to_vector(offsets), llvm::to_vector(sizes)};
  unsigned c = dataDims(getDataLayout(), offsets.size()).c;
  sliceEpilogue(b, getLoc(), getEpilogue(), getEpilogueOperands(), c, out,
                operands, result);
  operands.push_back(extractRegion(b, getLoc(), getInit(), out, result));
  cloneTiled(b, *this, operands, result);
  dropPadding(result.tiledOps.back());
  return result;
}

FailureOr<TilingResult>
QConvOp::getTiledImplementation(OpBuilder &b, ArrayRef<OpFoldResult> offsets,
                                ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  TilingResult result;
  SmallVector<Value> operands;
  bool quantizedInput = getInputFormat().has_value();
  FailureOr<ConvTileRegions> regions =
      tileConv(*this, b, offsets, sizes, operands, quantizedInput, result);
  if (failed(regions))
    return failure();
  // Quant params of the input follow its (unpadded: tileConv refuses padding
  // of a quantized input) slice; the filter's follow the filter slice.
  for (Value p : {getInputScale(), getInputZeroPoint()}) {
    if (!p)
      continue;
    FailureOr<Value> s = sliceQuantParam(b, loc, p, *getInputFormat(),
                                         getInput(), regions->input, result);
    if (failed(s))
      return emitOpError("cannot tile along the blocked axis of 'input'");
    operands.push_back(*s);
  }
  for (Value p : {getFilterScale(), getFilterZeroPoint()}) {
    if (!p)
      continue;
    FailureOr<Value> s = sliceQuantParam(b, loc, p, getFilterFormat(),
                                         getFilter(), regions->filter, result);
    if (failed(s))
      return emitOpError("cannot tile along the blocked axis of 'filter'");
    operands.push_back(*s);
  }
  TileRegion out{llvm::to_vector(offsets), llvm::to_vector(sizes)};
  unsigned c = dataDims(getDataLayout(), offsets.size()).c;
  sliceEpilogue(b, loc, getEpilogue(), getEpilogueOperands(), c, out, operands,
                result);
  operands.push_back(extractRegion(b, loc, getInit(), out, result));
  cloneTiled(b, *this, operands, result);
  dropPadding(result.tiledOps.back());
  return result;
}
