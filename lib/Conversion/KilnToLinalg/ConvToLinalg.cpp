//===- ConvToLinalg.cpp - reference lowering of kiln.conv -----------------===//
//
// kiln.conv becomes:
//   1. tensor.pad of the input with zeros (pad_low / pad_high);
//   2. for a grouped conv, tensor.expand_shape splitting the input channel dim into
//      [groups, C_in / groups] and the filter's output-channel dim into
//      [groups, C_out / groups], whatever the layouts;
//   3. one linalg.generic over
//        (n, g, oc, o_1..o_s, ic, k_1..k_s)
//      accumulating x[n, g, ic, o_i * stride_i + k_i * dilation_i] *
//      w[g, oc, ic, k_i] in f32 into y[n, g, oc, o_i] (indices placed by the
//      data and filter layouts through the indexing maps);
//   4. tensor.collapse_shape back to [N, C_out, ...] and the ordered
//      epilogue (lowerEpilogue), which writes the init.
// A grouped conv needs static channel counts and filter; batch and spatial dims may
// be dynamic.
//
//===----------------------------------------------------------------------===//
#include "EpilogueLowering.h"
#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/ConvGeometry.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::kiln;

/// Reassociation that groups dims `dim` and `dim + 1` of a rank + 1 tensor.
static SmallVector<ReassociationIndices> splitReassociation(unsigned rank,
                                                            unsigned dim) {
  SmallVector<ReassociationIndices> groups;
  for (unsigned i = 0, j = 0; i < rank; ++i) {
    if (i == dim) {
      groups.push_back({j, j + 1});
      j += 2;
    } else {
      groups.push_back({j++});
    }
  }
  return groups;
}

/// Splits the static dim `dim` of `v` into [groups, size / groups].
static Value splitDim(OpBuilder &b, Location loc, Value v, unsigned dim,
                      int64_t groups) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t size = shape[dim];
  shape[dim] = size / groups;
  shape.insert(shape.begin() + dim, groups);
  auto expanded = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, expanded, v,
                                       splitReassociation(type.getRank(), dim));
}

static unsigned indexIn(ArrayRef<unsigned> list, unsigned value) {
  return std::find(list.begin(), list.end(), value) - list.begin();
}

namespace {
struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    unsigned ns = op.getNumSpatialDims(), rank = ns + 2;
    ConvDims d = getConvDims(op.getDataLayout(), op.getFilterLayout(), ns);
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    int64_t groups = op.getGroupsAttr().getInt();
    int64_t cOut = filterType.getDimSize(d.filterOut);
    // Groups become a loop dim of their own (through expand_shape), which
    // needs static channel counts; an ungrouped conv (e.g. a tile of one with
    // a dynamic channel slice) needs no split.
    bool grouped = groups != 1;
    if (grouped &&
        (inType.isDynamicDim(d.dataChannel) || !filterType.hasStaticShape()))
      return rewriter.notifyMatchFailure(
          op, "reference lowering of a grouped kiln.conv needs a static input "
              "channel count and a static filter");
    Type f32 = rewriter.getF32Type();
    SmallVector<int64_t> strides = op.getStrideValues();
    SmallVector<int64_t> dilations = op.getDilationValues();
    SmallVector<int64_t> padLow = op.getPadLowValues();
    SmallVector<int64_t> padHigh = op.getPadHighValues();

    // 1. Zero padding of the spatial dims.
    Value input = op.getInput();
    if (llvm::any_of(padLow, [](int64_t p) { return p != 0; }) ||
        llvm::any_of(padHigh, [](int64_t p) { return p != 0; })) {
      SmallVector<OpFoldResult> low(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> high = low;
      for (unsigned i = 0; i < ns; ++i) {
        low[d.dataSpatial[i]] = rewriter.getIndexAttr(padLow[i]);
        high[d.dataSpatial[i]] = rewriter.getIndexAttr(padHigh[i]);
      }
      Value zero = arith::ConstantOp::create(
          rewriter, loc, rewriter.getZeroAttr(inType.getElementType()));
      input =
          tensor::PadOp::create(rewriter, loc, Type(), input, low, high, zero);
    }

    // 2. Expose the groups as a dim of their own.
    Value x = grouped ? splitDim(rewriter, loc, input, d.dataChannel, groups)
                      : input;
    Value w = grouped
                  ? splitDim(rewriter, loc, op.getFilter(), d.filterOut, groups)
                  : op.getFilter();

    // 3. The f32 accumulator, shaped like the init with its channel split.
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getInit());
    if (grouped) {
      sizes[d.dataChannel] = rewriter.getIndexAttr(cOut / groups);
      sizes.insert(sizes.begin() + d.dataChannel,
                   rewriter.getIndexAttr(groups));
    }
    Value acc = tensor::EmptyOp::create(rewriter, loc, sizes, f32);
    acc = fillTensor(rewriter, loc, acc, rewriter.getF32FloatAttr(0));

    // Loop dims: n, [g,] oc, o_1..o_s (parallel), ic, k_1..k_s (reduction).
    unsigned gl = grouped ? 1 : 0;
    unsigned numLoops = 3 + gl + 2 * ns;
    auto dim = [&](unsigned i) { return rewriter.getAffineDimExpr(i); };
    AffineExpr n = dim(0), g = dim(1), oc = dim(1 + gl), ic = dim(2 + gl + ns);
    auto out = [&](unsigned i) { return dim(2 + gl + i); };
    auto tap = [&](unsigned i) { return dim(3 + gl + ns + i); };
    auto channel = [&](AffineExpr c) {
      return grouped ? SmallVector<AffineExpr>{g, c} : SmallVector<AffineExpr>{c};
    };
    SmallVector<AffineExpr> xExprs, wExprs, yExprs;
    for (unsigned i = 0; i < rank; ++i) {
      if (i == d.dataBatch) {
        xExprs.push_back(n);
        yExprs.push_back(n);
      } else if (i == d.dataChannel) {
        xExprs.append(channel(ic));
        yExprs.append(channel(oc));
      } else {
        unsigned s = indexIn(d.dataSpatial, i);
        xExprs.push_back(out(s) * strides[s] + tap(s) * dilations[s]);
        yExprs.push_back(out(s));
      }
      if (i == d.filterOut)
        wExprs.append(channel(oc));
      else if (i == d.filterIn)
        wExprs.push_back(ic);
      else
        wExprs.push_back(tap(indexIn(d.filterSpatial, i)));
    }
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xExprs, ctx),
                                   AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, yExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(2 + gl + ns,
                                               utils::IteratorType::parallel);
    iterators.append(1 + ns, utils::IteratorType::reduction);
    auto conv = linalg::GenericOp::create(
        rewriter, loc, TypeRange{acc.getType()}, ValueRange{x, w},
        ValueRange{acc}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l,
                                  mulAddF32(b, l, args[0], args[1], args[2]));
        });

    // 4. Back to the data layout, then the epilogue into the init.
    Value y = conv.getResult(0);
    if (grouped)
      y = tensor::CollapseShapeOp::create(
          rewriter, loc, y, splitReassociation(rank, d.dataChannel));
    Value result =
        lowerEpilogue(rewriter, loc, y, op.getEpilogue(),
                      op.getEpilogueOperands(), d.dataChannel, op.getInit());
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void mlir::kiln::populateConvToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering>(patterns.getContext());
}
