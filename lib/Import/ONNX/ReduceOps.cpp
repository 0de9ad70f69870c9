//===- ReduceOps.cpp - ONNX reductions and pooling -------------------------===//
//
// ReduceMean / ReduceSum / ReduceMax and GlobalAveragePool become
// linalg.reduce; MaxPool and AveragePool (2-D) linalg pooling ops on an
// explicitly padded input. An average divides by a constant count map
// computed here, so count_include_pad and ceil_mode windows are exact.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "Windows.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace {
enum class Reduce { Sum, Mean, Max };

/// `v` with unit dims inserted where `kept` is false.
Value expandUnitDims(OpBuilder &b, Location loc, Value v,
                     ArrayRef<bool> kept, ArrayRef<OpFoldResult> fullSizes) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < int64_t(kept.size()); ++d)
    sizes.push_back(kept[d] ? fullSizes[d] : b.getIndexAttr(1));
  auto type = RankedTensorType::get(
      staticShape(sizes), cast<RankedTensorType>(v.getType()).getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, v, unitDimGroups(kept),
                                       sizes);
}

/// Reduces `x` over `axes` (normalized, sorted).
Value reduce(NodeImporter &n, Value x, ArrayRef<int64_t> axes, Reduce kind,
             bool keepDims) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto t = cast<RankedTensorType>(x.getType());
  Type elt = t.getElementType();
  bool isFloat = isa<FloatType>(elt);
  SmallVector<OpFoldResult> sizes = mixedSizes(b, loc, x), outSizes;
  SmallVector<bool> kept(t.getRank(), true);
  for (int64_t a : axes)
    kept[a] = false;
  for (int64_t d = 0; d < t.getRank(); ++d)
    if (kept[d])
      outSizes.push_back(sizes[d]);
  double init = 0.0;
  if (kind == Reduce::Max)
    init = isFloat ? -std::numeric_limits<double>::infinity()
                   : double(APInt::getSignedMinValue(
                                elt.getIntOrFloatBitWidth())
                                .getSExtValue());
  Value acc = filled(b, loc, outSizes, elt, init);
  Value r = linalg::ReduceOp::create(
                b, loc, ValueRange{x}, ValueRange{acc}, axes,
                [&](OpBuilder &nb, Location l, ValueRange args) {
                  Value v;
                  if (kind == Reduce::Max)
                    v = isFloat ? arith::MaximumFOp::create(nb, l, args[0],
                                                            args[1])
                                      .getResult()
                                : arith::MaxSIOp::create(nb, l, args[0],
                                                         args[1])
                                      .getResult();
                  else
                    v = isFloat
                            ? arith::AddFOp::create(nb, l, args[0], args[1])
                                  .getResult()
                            : arith::AddIOp::create(nb, l, args[0], args[1])
                                  .getResult();
                  linalg::YieldOp::create(nb, l, v);
                })
                .getResult(0);
  if (kind == Reduce::Mean) {
    // count = product of the reduced dims (run-time where dynamic).
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t a : axes)
      count = arith::MulIOp::create(
          b, loc, count, getValueOrCreateConstantIndexOp(b, loc, sizes[a]));
    Value c = arith::UIToFPOp::create(
        b, loc, elt,
        arith::IndexCastUIOp::create(b, loc, b.getI64Type(), count));
    Value empty = emptyTensor(b, loc, outSizes, elt);
    Value div = linalg::FillOp::create(b, loc, c, empty).getResult(0);
    r = arith::DivFOp::create(b, loc, r, div);
  }
  return keepDims ? expandUnitDims(b, loc, r, kept, sizes) : r;
}
} // namespace

namespace mlir::kiln::onnx_import {
LogicalResult importReduce(NodeImporter &n) {
  StringRef op = n.node.op_type();
  Reduce kind = op == "ReduceMean"  ? Reduce::Mean
                : op == "ReduceSum" ? Reduce::Sum
                                    : Reduce::Max;
  FailureOr<int64_t> keep = n.intAttr("keepdims", 1);
  FailureOr<int64_t> noop = n.intAttr("noop_with_empty_axes", 0);
  if (failed(keep) || failed(noop) ||
      failed(n.checkAttrs({"keepdims", "noop_with_empty_axes", "axes"})))
    return failure();
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  auto t = cast<RankedTensorType>(x->getType());
  if (t.getElementType().isInteger(1) ||
      (kind == Reduce::Mean && !isa<FloatType>(t.getElementType())))
    return n.error("the element type " + Twine(kind == Reduce::Mean
                                                   ? "must be float"
                                                   : "must not be bool"));
  bool given = n.has(1);
  FailureOr<SmallVector<int64_t>> raw =
      given ? n.ints(1, "axes") : n.intsAttr("axes", &given);
  if (failed(raw))
    return failure();
  if (raw->empty() && *noop) {
    n.setOutput(0, *x);
    return success();
  }
  SmallVector<int64_t> axes;
  for (int64_t a : *raw) {
    FailureOr<int64_t> ax = n.axis(a, t.getRank());
    if (failed(ax))
      return failure();
    if (llvm::is_contained(axes, *ax))
      return n.error("axis " + Twine(a) + " is given twice");
    axes.push_back(*ax);
  }
  if (axes.empty())
    for (int64_t d = 0; d < t.getRank(); ++d)
      axes.push_back(d);
  llvm::sort(axes);
  n.setOutput(0, reduce(n, *x, axes, kind, *keep != 0));
  return success();
}

LogicalResult importGlobalAveragePool(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  auto t = cast<RankedTensorType>(x->getType());
  if (t.getRank() < 3 || !isa<FloatType>(t.getElementType()))
    return n.error("the input must be float [N, C, spatial...]");
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < t.getRank(); ++d)
    axes.push_back(d);
  n.setOutput(0, reduce(n, *x, axes, Reduce::Mean, true));
  return success();
}

LogicalResult importPool(NodeImporter &n) {
  bool isMax = n.node.op_type() == "MaxPool";
  FailureOr<int64_t> includePad = n.intAttr("count_include_pad", 0);
  FailureOr<int64_t> order = n.intAttr("storage_order", 0);
  bool given;
  FailureOr<SmallVector<int64_t>> kernel = n.intsAttr("kernel_shape", &given);
  FailureOr<Value> x = n.value(0);
  if (failed(includePad) || failed(order) || failed(kernel) || failed(x) ||
      failed(n.checkAttrs({"auto_pad", "ceil_mode", "count_include_pad",
                           "dilations", "kernel_shape", "pads", "strides",
                           "storage_order"})))
    return failure();
  if (!given)
    return n.error("kernel_shape is required");
  if (*order != 0 || n.wantsOutput(1))
    return n.error("the Indices output and storage_order are not supported");
  auto t = cast<RankedTensorType>(x->getType());
  if (t.getRank() != 4 || !isa<FloatType>(t.getElementType()))
    return n.error("only 2-D pooling of a float [N, C, H, W] input is "
                   "supported");
  FailureOr<Window> w = readWindow(n, t, *kernel, /*allowCeil=*/true);
  if (failed(w))
    return failure();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type elt = t.getElementType();
  double padValue = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
  SmallVector<OpFoldResult> lo(4, b.getIndexAttr(0)), hi(4, b.getIndexAttr(0));
  for (int d = 0; d < 2; ++d) {
    lo[d + 2] = b.getIndexAttr(w->padLow[d]);
    hi[d + 2] = b.getIndexAttr(w->padHigh[d] + w->ceilExtra[d]);
  }
  Value padVal = arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, padValue));
  Value padded = tensor::PadOp::create(b, loc, Type(), *x, lo, hi, padVal);
  Value window = tensor::EmptyOp::create(b, loc, w->kernel, elt);
  SmallVector<OpFoldResult> outSizes = mixedSizes(b, loc, *x);
  outSizes[2] = b.getIndexAttr(w->out[0]);
  outSizes[3] = b.getIndexAttr(w->out[1]);
  Value init = filled(b, loc, outSizes, elt, padValue);
  Attribute strides = b.getI64TensorAttr(w->strides);
  Attribute dil = b.getI64TensorAttr(w->dilations);
  Value y;
  if (isMax) {
    y = linalg::PoolingNchwMaxOp::create(b, loc, TypeRange{init.getType()},
                                         ValueRange{padded, window},
                                         ValueRange{init}, strides, dil)
            .getResult(0);
  } else {
    y = linalg::PoolingNchwSumOp::create(b, loc, TypeRange{init.getType()},
                                         ValueRange{padded, window},
                                         ValueRange{init}, strides, dil)
            .getResult(0);
    // Divisor per output position: the window's taps inside the input
    // (count_include_pad: inside the explicit pads too).
    std::vector<double> counts;
    int64_t in[2] = {t.getDimSize(2), t.getDimSize(3)};
    auto taps = [&](int d, int64_t o) {
      int64_t c = 0, lowEdge = *includePad ? -w->padLow[d] : 0,
              highEdge = *includePad ? in[d] + w->padHigh[d] : in[d];
      for (int64_t k = 0; k < w->kernel[d]; ++k) {
        int64_t pos = o * w->strides[d] - w->padLow[d] + k * w->dilations[d];
        c += pos >= lowEdge && pos < highEdge;
      }
      return c;
    };
    for (int64_t i = 0; i < w->out[0]; ++i)
      for (int64_t j = 0; j < w->out[1]; ++j)
        counts.push_back(double(std::max<int64_t>(1, taps(0, i) * taps(1, j))));
    auto countType = RankedTensorType::get({w->out[0], w->out[1]}, elt);
    Value div = arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(makeElements(countType, counts)));
    y = arith::DivFOp::create(b, loc, y, broadcastTo(b, loc, div, outSizes));
  }
  n.setOutput(0, y);
  return success();
}
} // namespace mlir::kiln::onnx_import
