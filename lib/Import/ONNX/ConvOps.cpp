//===- ConvOps.cpp - ONNX Conv, ConvTranspose, BatchNormalization ----------===//
//
// Conv becomes kiln.conv (NCHW / OIHW, its bias a `bias` epilogue step),
// BatchNormalization kiln.batch_norm (kiln-fold-conv-bn folds it later).
// ConvTranspose is the convolution of the zero-dilated, padded input with
// the spatially flipped filter, its in/out channels swapped per group; the
// filter is rearranged here, so it must be a constant.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "Windows.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {
/// Checks the shared shape rules of Conv / ConvTranspose operands.
LogicalResult checkConvOperands(NodeImporter &n, RankedTensorType x,
                                RankedTensorType w, int64_t group,
                                int64_t filterInputDim) {
  if (!isa<FloatType>(x.getElementType()) || x.getElementType() !=
                                                  w.getElementType())
    return n.error("input and filter must have the same float type");
  if (x.getRank() < 3 || x.getRank() > 5 || w.getRank() != x.getRank())
    return n.emitError() << "input " << x << " and filter " << w
                         << " must both be [N, C, 1 to 3 spatial dims]";
  if (!w.hasStaticShape() || x.isDynamicDim(1))
    return n.error("the filter and the channel count must be static");
  if (group <= 0 || x.getDimSize(1) % group != 0)
    return n.error("group " + Twine(group) + " does not divide the " +
                   Twine(x.getDimSize(1)) + " input channels");
  if (x.getDimSize(1) / (filterInputDim == 1 ? group : 1) !=
      w.getDimSize(filterInputDim))
    return n.emitError() << "filter " << w << " does not match "
                         << x.getDimSize(1) << " input channels in " << group
                         << " groups";
  return success();
}

/// The [C] bias operand, checked.
FailureOr<Value> biasOperand(NodeImporter &n, int64_t channels) {
  FailureOr<Value> bias = n.value(2);
  if (failed(bias))
    return failure();
  auto bt = cast<RankedTensorType>(bias->getType());
  if (bt.getRank() != 1 || bt.getDimSize(0) != channels)
    return n.emitError() << "bias " << bt << " must be [" << channels << "]";
  return bias;
}

LogicalResult importConv(NodeImporter &n) {
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<Value> x = n.value(0), w = n.value(1);
  if (failed(group) || failed(x) || failed(w) ||
      failed(n.checkAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                           "pads", "strides"})))
    return failure();
  auto xt = cast<RankedTensorType>(x->getType());
  auto wt = cast<RankedTensorType>(w->getType());
  if (failed(checkConvOperands(n, xt, wt, *group, 1)))
    return failure();
  int64_t cout = wt.getDimSize(0);
  if (cout % *group != 0)
    return n.error("group does not divide the output channels");
  FailureOr<Window> win = readWindow(n, xt, wt.getShape().drop_front(2),
                                     /*allowCeil=*/false);
  if (failed(win))
    return failure();
  OpBuilder &b = n.b;
  SmallVector<Value> epilogue;
  SmallVector<Attribute> steps;
  if (n.has(2)) {
    FailureOr<Value> bias = biasOperand(n, cout);
    if (failed(bias))
      return failure();
    epilogue.push_back(*bias);
    steps.push_back(
        EpilogueStepAttr::get(b.getContext(), EpilogueKind::Bias, {}, {}));
  }
  SmallVector<OpFoldResult> sizes = mixedSizes(b, n.loc, *x);
  sizes[1] = b.getIndexAttr(cout);
  for (size_t d = 0; d < win->out.size(); ++d)
    sizes[d + 2] = b.getIndexAttr(win->out[d]);
  Value init = emptyTensor(b, n.loc, sizes, xt.getElementType());
  n.setOutput(0, ConvOp::create(
                     b, n.loc, init.getType(), *x, *w, epilogue, init,
                     b.getDenseI64ArrayAttr(win->strides),
                     b.getDenseI64ArrayAttr(win->padLow),
                     b.getDenseI64ArrayAttr(win->padHigh),
                     b.getDenseI64ArrayAttr(win->dilations),
                     b.getI64IntegerAttr(*group),
                     DataLayoutAttr::get(b.getContext(), kiln::DataLayout::NCHW),
                     FilterLayoutAttr::get(b.getContext(), FilterLayout::OIHW),
                     b.getArrayAttr(steps)));
  return success();
}

LogicalResult importConvTranspose(NodeImporter &n) {
  FailureOr<int64_t> group = n.intAttr("group", 1);
  FailureOr<Value> x = n.value(0);
  FailureOr<ElementsAttr> wAttr = n.constant(1, "the filter");
  bool hasOutShape;
  FailureOr<SmallVector<int64_t>> outShape =
      n.intsAttr("output_shape", &hasOutShape);
  FailureOr<std::string> autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (failed(group) || failed(x) || failed(wAttr) || failed(outShape) ||
      failed(autoPad) ||
      failed(n.checkAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                           "pads", "strides", "output_padding",
                           "output_shape"})))
    return failure();
  if (hasOutShape || *autoPad != "NOTSET")
    return n.error("output_shape and auto_pad are not supported; give pads");
  auto xt = cast<RankedTensorType>(x->getType());
  auto wt = cast<RankedTensorType>(wAttr->getType());
  if (failed(checkConvOperands(n, xt, wt, *group, 0)))
    return failure();
  int64_t sp = xt.getRank() - 2, g = *group;
  int64_t cin = wt.getDimSize(0), coutG = wt.getDimSize(1), cinG = cin / g;
  bool present;
  FailureOr<SmallVector<int64_t>> outPad =
      n.intsAttr("output_padding", &present);
  if (failed(outPad))
    return failure();
  if (!present)
    outPad->assign(sp, 0);
  // The window of the equivalent forward conv (strides then act as input
  // dilation, pads as the amount cut from the full output).
  FailureOr<Window> win = readWindow(n, xt, wt.getShape().drop_front(2),
                                     /*allowCeil=*/false, /*transposed=*/true);
  if (failed(win))
    return failure();
  if (int64_t(outPad->size()) != sp)
    return n.error("output_padding needs one entry per spatial dim");
  OpBuilder &b = n.b;
  Location loc = n.loc;
  // W'[g*coutG + o, i, k...] = W[g*cinG + i, o, K-1-k...].
  std::vector<double> src = readDoubles(*wAttr), dst(src.size());
  int64_t kvol = 1;
  for (int64_t d = 0; d < sp; ++d)
    kvol *= wt.getDimSize(d + 2);
  for (int64_t gi = 0; gi < g; ++gi)
    for (int64_t i = 0; i < cinG; ++i)
      for (int64_t o = 0; o < coutG; ++o)
        for (int64_t k = 0; k < kvol; ++k)
          dst[((gi * coutG + o) * cinG + i) * kvol + (kvol - 1 - k)] =
              src[((gi * cinG + i) * coutG + o) * kvol + k];
  SmallVector<int64_t> fshape = {g * coutG, cinG};
  fshape.append(wt.getShape().begin() + 2, wt.getShape().end());
  auto ftype = RankedTensorType::get(fshape, wt.getElementType());
  Value filter = arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(makeElements(ftype, ArrayRef<double>(dst))));

  // Zero-dilated, padded input; negative pads are cut from the result.
  SmallVector<int64_t> inner(sp), crop(sp), outSize(sp);
  SmallVector<OpFoldResult> padSizes = mixedSizes(b, loc, *x);
  SmallVector<OpFoldResult> at(xt.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> step(xt.getRank(), b.getIndexAttr(1));
  SmallVector<int64_t> lowPad(sp), highPad(sp);
  for (int64_t d = 0; d < sp; ++d) {
    int64_t in = xt.getDimSize(d + 2), s = win->strides[d],
            span = win->dilations[d] * (win->kernel[d] - 1);
    int64_t lo = span - win->padLow[d];
    int64_t hi = span - win->padHigh[d] + (*outPad)[d];
    if ((*outPad)[d] < 0 || (*outPad)[d] >= std::max(s, win->dilations[d]))
      return n.error("output_padding must be in [0, max(stride, dilation))");
    outSize[d] = (in - 1) * s + span + 1 + (*outPad)[d] - win->padLow[d] -
                 win->padHigh[d];
    if (outSize[d] <= 0)
      return n.error("the output would be empty");
    lowPad[d] = std::max<int64_t>(lo, 0);
    highPad[d] = std::max<int64_t>(hi, 0);
    padSizes[d + 2] =
        b.getIndexAttr((in - 1) * s + 1 + lowPad[d] + highPad[d]);
    at[d + 2] = b.getIndexAttr(lowPad[d]);
    step[d + 2] = b.getIndexAttr(s);
    crop[d] = std::max<int64_t>(-lo, 0);
  }
  Value zeros = filled(b, loc, padSizes, xt.getElementType(), 0.0);
  Value dilated = tensor::InsertSliceOp::create(
      b, loc, *x, zeros, at, mixedSizes(b, loc, *x), step);
  SmallVector<Value> epilogue;
  SmallVector<Attribute> steps;
  if (n.has(2)) {
    FailureOr<Value> bias = biasOperand(n, g * coutG);
    if (failed(bias))
      return failure();
    epilogue.push_back(*bias);
    steps.push_back(
        EpilogueStepAttr::get(b.getContext(), EpilogueKind::Bias, {}, {}));
  }
  SmallVector<OpFoldResult> convSizes = mixedSizes(b, loc, *x);
  convSizes[1] = b.getIndexAttr(g * coutG);
  for (int64_t d = 0; d < sp; ++d)
    convSizes[d + 2] = b.getIndexAttr(
        *getConstantIntValue(padSizes[d + 2]) -
        win->dilations[d] * (win->kernel[d] - 1));
  Value init = emptyTensor(b, loc, convSizes, xt.getElementType());
  Value y = ConvOp::create(
      b, loc, init.getType(), dilated, filter, epilogue, init, nullptr,
      nullptr, nullptr, b.getDenseI64ArrayAttr(win->dilations),
      b.getI64IntegerAttr(g),
      DataLayoutAttr::get(b.getContext(), kiln::DataLayout::NCHW),
      FilterLayoutAttr::get(b.getContext(), FilterLayout::OIHW),
      b.getArrayAttr(steps));
  if (llvm::any_of(crop, [](int64_t c) { return c > 0; }) ||
      llvm::any_of(llvm::seq<int64_t>(0, sp), [&](int64_t d) {
        return *getConstantIntValue(convSizes[d + 2]) != outSize[d];
      })) {
    SmallVector<OpFoldResult> off(xt.getRank(), b.getIndexAttr(0));
    SmallVector<OpFoldResult> sz = convSizes;
    SmallVector<OpFoldResult> ones(xt.getRank(), b.getIndexAttr(1));
    for (int64_t d = 0; d < sp; ++d) {
      off[d + 2] = b.getIndexAttr(crop[d]);
      sz[d + 2] = b.getIndexAttr(outSize[d]);
    }
    y = tensor::ExtractSliceOp::create(b, loc, y, off, sz, ones);
  }
  n.setOutput(0, y);
  return success();
}

LogicalResult importBatchNorm(NodeImporter &n) {
  FailureOr<float> eps = n.floatAttr("epsilon", 1e-5f);
  FailureOr<int64_t> training = n.intAttr("training_mode", 0);
  if (failed(eps) || failed(training) ||
      failed(n.checkAttrs({"epsilon", "momentum", "training_mode"})))
    return failure();
  if (*training || n.numOutputs() > 1)
    return n.error("training mode (and its extra outputs) is not supported");
  SmallVector<Value> ops;
  for (int i = 0; i < 5; ++i) {
    FailureOr<Value> v = n.value(i);
    if (failed(v))
      return failure();
    ops.push_back(*v);
  }
  auto xt = cast<RankedTensorType>(ops[0].getType());
  if (xt.getRank() < 2 || !isa<FloatType>(xt.getElementType()) ||
      xt.isDynamicDim(1))
    return n.error("the input must be float [N, C, ...] with static C");
  for (int i = 1; i < 5; ++i) {
    auto t = cast<RankedTensorType>(ops[i].getType());
    if (t.getRank() != 1 || t.getDimSize(0) != xt.getDimSize(1) ||
        t.getElementType() != xt.getElementType())
      return n.emitError() << "statistic " << i << " is " << t << ", not ["
                           << xt.getDimSize(1) << "]";
  }
  Value init =
      emptyTensor(n.b, n.loc, mixedSizes(n.b, n.loc, ops[0]),
                  xt.getElementType());
  n.setOutput(0, BatchNormOp::create(n.b, n.loc, xt, ops[0], ops[1], ops[2],
                                     ops[3], ops[4], init,
                                     n.b.getF32FloatAttr(*eps),
                                     n.b.getI64IntegerAttr(1)));
  return success();
}
} // namespace

void mlir::kiln::onnx_import::registerConvOps(OpTable &t) {
  t["Conv"] = importConv;
  t["ConvTranspose"] = importConvTranspose;
  t["BatchNormalization"] = importBatchNorm;
}
