//===- ConvOps.cpp - kiln.conv verifier and attribute accessors -----------===//
//
// The geometry checks (ranks, strides / padding / dilation arrays, groups,
// channel counts, output shape, epilogue operands) are shared with
// kiln.qconv through verifyConvLikeOp; for qconv the input and filter
// element types are storage types, so only their shapes are checked here.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/ConvGeometry.h"
#include "kiln/IR/KilnOps.h"
#include "kiln/IR/VerifierUtils.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::kiln;

ConvDims mlir::kiln::getConvDims(kiln::DataLayout dataLayout,
                                 FilterLayout filterLayout,
                                 unsigned numSpatialDims) {
  ConvDims d;
  unsigned rank = numSpatialDims + 2;
  bool channelFirst = dataLayout == kiln::DataLayout::NCHW;
  d.dataBatch = 0;
  d.dataChannel = channelFirst ? 1 : rank - 1;
  unsigned firstSpatial = 0;
  switch (filterLayout) {
  case FilterLayout::OIHW: // [O, I, k...]
    d.filterOut = 0;
    d.filterIn = 1;
    firstSpatial = 2;
    break;
  case FilterLayout::HWIO: // [k..., I, O]
    d.filterOut = rank - 1;
    d.filterIn = rank - 2;
    firstSpatial = 0;
    break;
  case FilterLayout::OHWI: // [O, k..., I]
    d.filterOut = 0;
    d.filterIn = rank - 1;
    firstSpatial = 1;
    break;
  }
  for (unsigned i = 0; i < numSpatialDims; ++i) {
    d.dataSpatial.push_back(channelFirst ? i + 2 : i + 1);
    d.filterSpatial.push_back(firstSpatial + i);
  }
  return d;
}

namespace {
/// The parts of a ConvOp or QConvOp the shared verifier looks at.
struct ConvView {
  RankedTensorType input, filter, init;
  Type result;
  ValueRange epilogueOperands;
  DenseI64ArrayAttr strides, padLow, padHigh, dilations;
  int64_t groups;
  kiln::DataLayout dataLayout;
  FilterLayout filterLayout;
  ArrayAttr epilogue;
};

template <typename OpTy> ConvView makeView(OpTy op) {
  return ConvView{cast<RankedTensorType>(op.getInput().getType()),
                  cast<RankedTensorType>(op.getFilter().getType()),
                  cast<RankedTensorType>(op.getInit().getType()),
                  op.getResult().getType(),
                  op.getEpilogueOperands(),
                  op.getStridesAttr(),
                  op.getPadLowAttr(),
                  op.getPadHighAttr(),
                  op.getDilationsAttr(),
                  op.getGroupsAttr().getInt(),
                  op.getDataLayout(),
                  op.getFilterLayout(),
                  op.getEpilogue()};
}

template <typename OpTy>
SmallVector<int64_t> valuesOr(OpTy op, DenseI64ArrayAttr attr, int64_t dflt) {
  if (attr)
    return llvm::to_vector(attr.asArrayRef());
  int64_t n = std::max<int64_t>(op.getNumSpatialDims(), 0);
  return SmallVector<int64_t>(n, dflt);
}
} // namespace

static bool known(int64_t d) { return !ShapedType::isDynamic(d); }

/// Checks one optional per-spatial-dim array: its length and lower bound.
static LogicalResult checkArray(Operation *op, StringRef name,
                                DenseI64ArrayAttr attr, int64_t numSpatial,
                                int64_t minValue) {
  if (!attr)
    return success();
  if (static_cast<int64_t>(attr.size()) != numSpatial)
    return op->emitOpError("'")
           << name << "' has " << attr.size() << " entries, expected "
           << numSpatial << " (one per spatial dim)";
  for (int64_t v : attr.asArrayRef())
    if (v < minValue)
      return op->emitOpError("'")
             << name << "' entries must be >= " << minValue << ", got " << v;
  return success();
}

static LogicalResult checkEpilogue(Operation *op, const ConvView &v,
                                   int64_t cOut) {
  unsigned needed = 0;
  for (Attribute a : v.epilogue)
    needed += cast<EpilogueStepAttr>(a).getNumOperands();
  if (needed != v.epilogueOperands.size())
    return op->emitOpError("'epilogue' steps consume ")
           << needed << " operand(s), but " << v.epilogueOperands.size()
           << " 'epilogue_operands' are given";
  unsigned next = 0;
  for (Attribute a : v.epilogue) {
    auto step = cast<EpilogueStepAttr>(a);
    StringRef kind = stringifyEpilogueKind(step.getKind());
    for (unsigned i = 0; i < step.getNumOperands(); ++i, ++next) {
      auto type = cast<RankedTensorType>(v.epilogueOperands[next].getType());
      if (step.getKind() == EpilogueKind::ResidualAdd) {
        if (!compatibleShapes(type.getShape(), v.init.getShape()))
          return op->emitOpError("'epilogue_operands' #")
                 << next << " (for the '" << kind
                 << "' step) must be shaped like the output " << v.init
                 << ", got " << type;
        continue;
      }
      if (type.getRank() != 1 || dimsConflict(type.getDimSize(0), cOut))
        return op->emitOpError("'epilogue_operands' #")
               << next << " (for the '" << kind
               << "' step) must be a 1-D tensor of the " << dimStr(cOut)
               << " output channels, got " << type;
    }
  }
  return success();
}

LogicalResult mlir::kiln::verifyConvLikeOp(Operation *op) {
  ConvView v;
  if (auto conv = dyn_cast<ConvOp>(op))
    v = makeView(conv);
  else if (auto qconv = dyn_cast<QConvOp>(op))
    v = makeView(qconv);
  else
    return op->emitOpError("is not a convolution");

  int64_t rank = v.input.getRank();
  if (rank < 3 || rank > 5)
    return op->emitOpError("'input' must have rank 3 to 5 (batch, channel "
                           "and 1 to 3 spatial dims), got rank ")
           << rank;
  if (v.filter.getRank() != rank)
    return op->emitOpError("'filter' rank ")
           << v.filter.getRank() << " must equal 'input' rank " << rank;
  if (v.init.getRank() != rank)
    return op->emitOpError("'init' rank ")
           << v.init.getRank() << " must equal 'input' rank " << rank;
  if (v.result != v.init)
    return op->emitOpError("result type ")
           << v.result << " must match 'init' type " << v.init;

  int64_t ns = rank - 2;
  if (failed(checkArray(op, "strides", v.strides, ns, 1)) ||
      failed(checkArray(op, "dilations", v.dilations, ns, 1)) ||
      failed(checkArray(op, "pad_low", v.padLow, ns, 0)) ||
      failed(checkArray(op, "pad_high", v.padHigh, ns, 0)))
    return failure();
  if (v.groups < 1)
    return op->emitOpError("'groups' must be >= 1, got ") << v.groups;

  ConvDims d = getConvDims(v.dataLayout, v.filterLayout, ns);
  int64_t g = v.groups;
  int64_t cIn = v.input.getDimSize(d.dataChannel);
  int64_t cOut = v.filter.getDimSize(d.filterOut);
  int64_t fIn = v.filter.getDimSize(d.filterIn);
  if (known(cIn) && cIn % g != 0)
    return op->emitOpError("'groups' ")
           << g << " must divide the 'input' channel count " << cIn;
  if (known(cOut) && cOut % g != 0)
    return op->emitOpError("'groups' ")
           << g << " must divide the 'filter' output-channel count " << cOut;
  if (known(cIn) && dimsConflict(fIn, cIn / g))
    return op->emitOpError("'filter' input-channel dim ")
           << fIn << " must equal 'input' channels " << cIn << " / groups " << g
           << " = " << cIn / g;
  if (dimsConflict(v.init.getDimSize(d.dataChannel), cOut))
    return op->emitOpError("'init' channel dim ")
           << v.init.getDimSize(d.dataChannel)
           << " must equal the 'filter' output-channel count " << cOut;
  if (dimsConflict(v.init.getDimSize(d.dataBatch),
                   v.input.getDimSize(d.dataBatch)))
    return op->emitOpError("'init' batch dim ")
           << v.init.getDimSize(d.dataBatch) << " must equal 'input' batch dim "
           << v.input.getDimSize(d.dataBatch);

  auto valuesOf = [&](DenseI64ArrayAttr a, int64_t dflt) {
    return a ? llvm::to_vector(a.asArrayRef()) : SmallVector<int64_t>(ns, dflt);
  };
  SmallVector<int64_t> strides = valuesOf(v.strides, 1);
  SmallVector<int64_t> dilations = valuesOf(v.dilations, 1);
  SmallVector<int64_t> lo = valuesOf(v.padLow, 0), hi = valuesOf(v.padHigh, 0);
  for (int64_t i = 0; i < ns; ++i) {
    int64_t k = v.filter.getDimSize(d.filterSpatial[i]);
    if (known(k) && k < 1)
      return op->emitOpError("'filter' spatial dim ")
             << i << " must be >= 1, got " << k;
    int64_t in = v.input.getDimSize(d.dataSpatial[i]);
    if (!known(k) || !known(in))
      continue;
    // Attributes may hold any int64: overflow is an error, not a size.
    std::optional<int64_t> paddedOr = llvm::checkedAdd(in, lo[i]);
    if (paddedOr)
      paddedOr = llvm::checkedAdd(*paddedOr, hi[i]);
    std::optional<int64_t> extentOr = llvm::checkedMul(dilations[i], k - 1);
    if (extentOr)
      extentOr = llvm::checkedAdd(*extentOr, int64_t(1));
    if (!paddedOr || !extentOr)
      return op->emitOpError("spatial dim ")
             << i << ": the padded input or the dilated kernel extent ("
             << dilations[i] << " * (" << k << " - 1) + 1) overflows int64";
    int64_t padded = *paddedOr, extent = *extentOr;
    if (padded < extent)
      return op->emitOpError("'input' spatial dim ")
             << i << " padded to " << padded
             << " is smaller than the dilated kernel extent " << extent;
    int64_t expected = (padded - extent) / strides[i] + 1;
    int64_t out = v.init.getDimSize(d.dataSpatial[i]);
    if (dimsConflict(out, expected))
      return op->emitOpError("'init' spatial dim ")
             << i << " is " << out << ", expected " << expected << " = (" << in
             << " + " << lo[i] << " + " << hi[i] << " - " << dilations[i]
             << " * (" << k << " - 1) - 1) / " << strides[i] << " + 1";
  }
  return checkEpilogue(op, v, cOut);
}

LogicalResult ConvOp::verify() { return verifyConvLikeOp(getOperation()); }

SmallVector<int64_t> ConvOp::getStrideValues() {
  return valuesOr(*this, getStridesAttr(), 1);
}
SmallVector<int64_t> ConvOp::getPadLowValues() {
  return valuesOr(*this, getPadLowAttr(), 0);
}
SmallVector<int64_t> ConvOp::getPadHighValues() {
  return valuesOr(*this, getPadHighAttr(), 0);
}
SmallVector<int64_t> ConvOp::getDilationValues() {
  return valuesOr(*this, getDilationsAttr(), 1);
}
SmallVector<int64_t> QConvOp::getStrideValues() {
  return valuesOr(*this, getStridesAttr(), 1);
}
SmallVector<int64_t> QConvOp::getPadLowValues() {
  return valuesOr(*this, getPadLowAttr(), 0);
}
SmallVector<int64_t> QConvOp::getPadHighValues() {
  return valuesOr(*this, getPadHighAttr(), 0);
}
SmallVector<int64_t> QConvOp::getDilationValues() {
  return valuesOr(*this, getDilationsAttr(), 1);
}
