//===- SliceOps.cpp - ONNX Concat, Slice, Split ----------------------------===//
#include "GraphImporter.h"
#include "HostTensor.h"
#include "IRHelpers.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace {
/// `x` reversed along `dims` (a gather with d -> size - 1 - d).
Value reverse(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr e = b.getAffineDimExpr(d);
    exprs.push_back(llvm::is_contained(dims, d)
                        ? b.getAffineConstantExpr(type.getDimSize(d) - 1) - e
                        : e);
  }
  auto in = AffineMap::get(rank, 0, exprs, b.getContext());
  auto out = b.getMultiDimIdentityMap(rank);
  Value init = emptyTensor(b, loc, mixedSizes(b, loc, x), type.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, type, x, init, ArrayRef<AffineMap>{in, out}, iters,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}
} // namespace

namespace mlir::kiln::onnx_import {
LogicalResult importConcat(NodeImporter &n) {
  FailureOr<int64_t> a = n.intAttr("axis", 0);
  if (failed(a) || failed(n.checkAttrs({"axis"})))
    return failure();
  SmallVector<OnnxValue *> ins;
  for (int i = 0; i < n.numInputs(); ++i) {
    FailureOr<OnnxValue *> v = n.input(i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  if (ins.empty())
    return n.error("needs at least one input");
  RankedTensorType first = ins[0]->type;
  FailureOr<int64_t> axis = n.axis(*a, first.getRank());
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (OnnxValue *v : ins) {
    RankedTensorType t = v->type;
    if (t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return n.emitError() << "inputs " << first << " and " << t
                           << " differ in rank or element type";
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != *axis && t.getDimSize(d) != first.getDimSize(d) &&
          !t.isDynamicDim(d) && !first.isDynamicDim(d))
        return n.emitError() << "inputs " << first << " and " << t
                             << " differ outside the concat axis";
    total = t.isDynamicDim(*axis) || total < 0
                ? -1
                : total + t.getDimSize(*axis);
  }
  SmallVector<HostTensor> host;
  for (OnnxValue *v : ins)
    if (std::optional<HostTensor> h = toHost(*v))
      host.push_back(*h);
  if (host.size() == ins.size()) {
    setHostOutput(n, 0, hostConcat(host, *axis));
    return success();
  }
  OpBuilder &b = n.b;
  SmallVector<Value> values;
  for (int i = 0; i < n.numInputs(); ++i) {
    FailureOr<Value> v = n.value(i);
    if (failed(v))
      return failure();
    values.push_back(*v);
  }
  SmallVector<OpFoldResult> sizes = mixedSizes(b, n.loc, values[0]);
  OpFoldResult offset = b.getIndexAttr(0);
  SmallVector<OpFoldResult> offsets;
  for (Value v : values) {
    offsets.push_back(offset);
    OpFoldResult size = mixedSizes(b, n.loc, v)[*axis];
    offset = affine::makeComposedFoldedAffineApply(
        b, n.loc, b.getAffineSymbolExpr(0) + b.getAffineSymbolExpr(1),
        {offset, size});
  }
  sizes[*axis] = offset;
  Value result = emptyTensor(b, n.loc, sizes, first.getElementType());
  for (auto [v, off] : llvm::zip(values, offsets)) {
    SmallVector<OpFoldResult> at(first.getRank(), b.getIndexAttr(0));
    at[*axis] = off;
    SmallVector<OpFoldResult> ones(first.getRank(), b.getIndexAttr(1));
    result = tensor::InsertSliceOp::create(b, n.loc, v, result, at,
                                           mixedSizes(b, n.loc, v), ones);
  }
  n.setOutput(0, result);
  return success();
}

LogicalResult importSlice(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<OnnxValue *> in = n.input(0);
  FailureOr<SmallVector<int64_t>> starts = n.ints(1, "starts");
  FailureOr<SmallVector<int64_t>> ends = n.ints(2, "ends");
  if (failed(in) || failed(starts) || failed(ends))
    return failure();
  RankedTensorType t = (*in)->type;
  int64_t rank = t.getRank();
  SmallVector<int64_t> axes, steps(starts->size(), 1);
  if (n.has(3)) {
    FailureOr<SmallVector<int64_t>> a = n.ints(3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (n.has(4)) {
    FailureOr<SmallVector<int64_t>> s = n.ints(4, "steps");
    if (failed(s))
      return failure();
    steps = *s;
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return n.error("starts, ends, axes and steps differ in length");
  SmallVector<int64_t> off(rank, 0), count(t.getShape()), stride(rank, 1);
  SmallVector<int64_t> reversed;
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> ax = n.axis(axes[i], rank);
    if (failed(ax))
      return failure();
    if (seen[*ax])
      return n.error("axis " + Twine(*ax) + " is sliced twice");
    seen[*ax] = true;
    int64_t dim = t.getDimSize(*ax), s = (*starts)[i], e = (*ends)[i],
            k = steps[i];
    if (k == 0)
      return n.error("a step is 0");
    if (ShapedType::isDynamic(dim)) {
      if (s == 0 && k == 1 && e >= INT32_MAX)
        continue; // the whole dynamic dim
      return n.error("slicing dynamic dim " + Twine(*ax) +
                     " is supported only as a whole");
    }
    s = s < 0 ? s + dim : s;
    e = e < 0 ? e + dim : e;
    int64_t c;
    if (k > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      c = e > s ? (e - s + k - 1) / k : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      c = s > e ? (s - e - k - 1) / -k : 0;
    }
    if (c == 0)
      return n.error("the slice of axis " + Twine(*ax) +
                     " is empty (empty tensors are not supported)");
    count[*ax] = c;
    stride[*ax] = std::abs(k);
    off[*ax] = k > 0 ? s : s + (c - 1) * k; // the lowest index read
    if (k < 0)
      reversed.push_back(*ax);
  }
  if (std::optional<HostTensor> h = toHost(**in)) {
    HostTensor r = *h;
    for (int64_t d = 0; d < rank; ++d)
      if (!ShapedType::isDynamic(count[d]))
        r = llvm::is_contained(reversed, d)
                ? hostSlice(r, d, off[d] + (count[d] - 1) * stride[d],
                            count[d], -stride[d])
                : hostSlice(r, d, off[d], count[d], stride[d]);
    setHostOutput(n, 0, r);
    return success();
  }
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  OpBuilder &b = n.b;
  SmallVector<OpFoldResult> sizes = mixedSizes(b, n.loc, *x), o, s, st;
  for (int64_t d = 0; d < rank; ++d) {
    o.push_back(b.getIndexAttr(off[d]));
    s.push_back(ShapedType::isDynamic(count[d]) ? sizes[d]
                                                : b.getIndexAttr(count[d]));
    st.push_back(b.getIndexAttr(stride[d]));
  }
  Value y = tensor::ExtractSliceOp::create(b, n.loc, *x, o, s, st);
  if (!reversed.empty())
    y = reverse(b, n.loc, y, reversed);
  n.setOutput(0, y);
  return success();
}

LogicalResult importSplit(NodeImporter &n) {
  FailureOr<int64_t> a = n.intAttr("axis", 0);
  FailureOr<int64_t> parts = n.intAttr("num_outputs", n.numOutputs());
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(a) || failed(parts) || failed(in) ||
      failed(n.checkAttrs({"axis", "num_outputs", "split"})))
    return failure();
  RankedTensorType t = (*in)->type;
  FailureOr<int64_t> axis = n.axis(*a, t.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = t.getDimSize(*axis);
  if (ShapedType::isDynamic(dim))
    return n.error("splitting a dynamic dim is not supported");
  SmallVector<int64_t> sizes;
  if (n.has(1)) {
    FailureOr<SmallVector<int64_t>> s = n.ints(1, "split");
    if (failed(s))
      return failure();
    sizes = *s;
  } else {
    bool given;
    FailureOr<SmallVector<int64_t>> s = n.intsAttr("split", &given);
    if (failed(s))
      return failure();
    if (given) {
      sizes = *s;
    } else {
      if (*parts <= 0 || *parts > dim)
        return n.error("cannot split " + Twine(dim) + " into " +
                       Twine(*parts) + " parts");
      int64_t chunk = (dim + *parts - 1) / *parts;
      for (int64_t p = 0, left = dim; p < *parts; ++p, left -= chunk)
        sizes.push_back(std::min(chunk, left));
    }
  }
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s <= 0 || s > dim)
      return n.error("split size " + Twine(s) + " is invalid");
    sum += s;
  }
  if (sum != dim || int64_t(sizes.size()) != n.numOutputs())
    return n.error("split sizes do not add up to dim " + Twine(dim) +
                   " over " + Twine(n.numOutputs()) + " outputs");
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  OpBuilder &b = n.b;
  SmallVector<OpFoldResult> full = mixedSizes(b, n.loc, *x);
  int64_t at = 0;
  for (auto [i, s] : llvm::enumerate(sizes)) {
    SmallVector<OpFoldResult> off(t.getRank(), b.getIndexAttr(0)), sz = full;
    SmallVector<OpFoldResult> ones(t.getRank(), b.getIndexAttr(1));
    off[*axis] = b.getIndexAttr(at);
    sz[*axis] = b.getIndexAttr(s);
    at += s;
    n.setOutput(i, tensor::ExtractSliceOp::create(b, n.loc, *x, off, sz, ones)
                       .getResult());
  }
  return success();
}
} // namespace mlir::kiln::onnx_import
