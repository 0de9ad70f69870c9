//===- ShapeOps.cpp - ONNX shape and data-movement ops ---------------------===//
//
// Each op is evaluated at import time when its operands are small constants
// or partially known shapes (HostTensor), and otherwise becomes tensor /
// linalg data movement: expand/collapse or tensor.reshape, extract_slice,
// insert_slice, linalg.transpose, linalg.broadcast.
//
//===----------------------------------------------------------------------===//
#include "HostTensor.h"
#include "IRHelpers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace {
LogicalResult importShape(NodeImporter &n) {
  FailureOr<int64_t> start = n.intAttr("start", 0);
  FailureOr<int64_t> end = n.intAttr("end", INT64_MAX);
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(start) || failed(end) || failed(in) ||
      failed(n.checkAttrs({"start", "end"})))
    return failure();
  int64_t rank = (*in)->type.getRank();
  auto clampIdx = [&](int64_t i) {
    i = i < 0 ? i + rank : i;
    return std::clamp<int64_t>(i, 0, rank);
  };
  HostTensor t;
  t.elementType = n.b.getI64Type();
  for (int64_t d = clampIdx(*start); d < clampIdx(*end); ++d) {
    int64_t size = (*in)->type.getDimSize(d);
    t.data.push_back(ShapedType::isDynamic(size) ? double(kUnknownDim)
                                                 : double(size));
  }
  t.shape = {int64_t(t.data.size())};
  setHostOutput(n, 0, t);
  return success();
}

/// The output shape of Reshape: 0 copies the input dim (unless allowzero),
/// -1 (or one unknown entry of a partial shape) is inferred.
FailureOr<SmallVector<int64_t>> reshapeTarget(NodeImporter &n,
                                              RankedTensorType in,
                                              ArrayRef<int64_t> target,
                                              bool allowZero) {
  SmallVector<int64_t> shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, entry] : llvm::enumerate(target)) {
    int64_t d = entry;
    if (d == 0 && !allowZero) {
      if (int64_t(i) >= in.getRank())
        return n.error("shape entry " + Twine(i) + " is 0 but the input has "
                       "rank " + Twine(in.getRank()));
      d = in.getDimSize(i);
    }
    if (d == -1 || d == kUnknownDim) {
      if (inferred >= 0)
        return n.error("the target shape has more than one unknown entry");
      inferred = i;
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (ShapedType::isDynamic(d)) { // 0 copying a dynamic dim
      if (inferred >= 0)
        return n.error("the target shape has more than one unknown entry");
      inferred = i;
      shape.push_back(d);
      continue;
    }
    if (d < 0 || d > kMaxDim)
      return n.error("shape entry " + Twine(d) + " is invalid");
    if (d > 0 && known > kMaxElements / d)
      return n.error("the target shape has more than 2^40 elements");
    known *= d;
    shape.push_back(d);
  }
  if (in.hasStaticShape()) {
    int64_t total = in.getNumElements();
    if (inferred >= 0) {
      if (known == 0 || total % known != 0)
        return n.emitError() << "cannot reshape " << in << " to "
                             << "a shape with " << known << " x ? elements";
      shape[inferred] = total / known;
    } else if (total != known) {
      return n.emitError() << "cannot reshape " << in << " (" << total
                           << " elements) to " << known << " elements";
    }
  } else if (inferred < 0) {
    return n.error("a dynamic input needs an inferred (-1) target dim");
  }
  return shape;
}

LogicalResult reshapeLike(NodeImporter &n, ArrayRef<int64_t> target,
                          bool allowZero) {
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(in))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      reshapeTarget(n, (*in)->type, target, allowZero);
  if (failed(shape))
    return failure();
  if (std::optional<HostTensor> h = toHost(**in)) {
    setHostOutput(n, 0, hostReshape(*h, *shape));
    return success();
  }
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = reshapeTo(n, *x, *shape);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importReshape(NodeImporter &n) {
  FailureOr<int64_t> allowZero = n.intAttr("allowzero", 0);
  if (failed(allowZero) || failed(n.checkAttrs({"allowzero"})))
    return failure();
  FailureOr<SmallVector<int64_t>> target =
      n.ints(1, "the target shape", /*allowPartial=*/true);
  if (failed(target))
    return failure();
  return reshapeLike(n, *target, *allowZero != 0);
}

LogicalResult importFlatten(NodeImporter &n) {
  FailureOr<int64_t> a = n.intAttr("axis", 1);
  if (failed(a) || failed(n.checkAttrs({"axis"})))
    return failure();
  RankedTensorType t = n.type(0);
  if (!t)
    return failure();
  FailureOr<int64_t> axis = n.axis(*a, t.getRank() + 1);
  if (failed(axis))
    return failure();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    int64_t &acc = d < *axis ? outer : inner;
    acc = ShapedType::isDynamic(t.getDimSize(d)) || acc == -1
              ? -1
              : acc * t.getDimSize(d);
  }
  return reshapeLike(n, {outer, inner}, false);
}

/// Axes from the opset-13 input or the older attribute.
FailureOr<SmallVector<int64_t>> axesOf(NodeImporter &n, int input,
                                       bool *given) {
  *given = n.has(input);
  if (*given)
    return n.ints(input, "axes");
  return n.intsAttr("axes", given);
}

LogicalResult importSqueezeLike(NodeImporter &n, bool squeeze) {
  if (failed(n.checkAttrs({"axes"})))
    return failure();
  RankedTensorType t = n.type(0);
  if (!t)
    return failure();
  bool given;
  FailureOr<SmallVector<int64_t>> axes = axesOf(n, 1, &given);
  if (failed(axes))
    return failure();
  SmallVector<int64_t> shape;
  if (squeeze) {
    SmallVector<bool> drop(t.getRank(), false);
    for (int64_t a : *axes) {
      FailureOr<int64_t> ax = n.axis(a, t.getRank(), "axis");
      if (failed(ax))
        return failure();
      if (t.getDimSize(*ax) != 1)
        return n.emitError() << "dim " << *ax << " of " << t
                             << " is not 1 and cannot be squeezed";
      drop[*ax] = true;
    }
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (!(given ? drop[d] : t.getDimSize(d) == 1))
        shape.push_back(t.getDimSize(d));
  } else {
    if (!given)
      return n.error("axes are required");
    int64_t rank = t.getRank() + axes->size();
    SmallVector<bool> insert(rank, false);
    for (int64_t a : *axes) {
      FailureOr<int64_t> ax = n.axis(a, rank, "axis");
      if (failed(ax))
        return failure();
      if (insert[*ax])
        return n.error("axis " + Twine(a) + " is given twice");
      insert[*ax] = true;
    }
    for (int64_t d = 0, src = 0; d < rank; ++d)
      shape.push_back(insert[d] ? 1 : t.getDimSize(src++));
  }
  // Every dim is given exactly (no -1), so a dynamic dim stays as it is.
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(in))
    return failure();
  if (std::optional<HostTensor> h = toHost(**in)) {
    setHostOutput(n, 0, hostReshape(*h, shape));
    return success();
  }
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = reshapeTo(n, *x, shape);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importTranspose(NodeImporter &n) {
  bool given;
  FailureOr<SmallVector<int64_t>> perm = n.intsAttr("perm", &given);
  RankedTensorType t = n.type(0);
  if (failed(perm) || failed(n.checkAttrs({"perm"})) || !t)
    return failure();
  int64_t rank = t.getRank();
  if (!given)
    for (int64_t d = rank - 1; d >= 0; --d)
      perm->push_back(d);
  SmallVector<bool> seen(rank, false);
  if (int64_t(perm->size()) != rank)
    return n.error("perm has " + Twine(perm->size()) + " entries for rank " +
                   Twine(rank));
  for (int64_t p : *perm) {
    if (p < 0 || p >= rank || seen[p])
      return n.error("perm is not a permutation of the dims");
    seen[p] = true;
  }
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(in))
    return failure();
  if (std::optional<HostTensor> h = toHost(**in)) {
    setHostOutput(n, 0, hostTranspose(*h, *perm));
    return success();
  }
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  n.setOutput(0, transpose(n.b, n.loc, *x, *perm));
  return success();
}

LogicalResult importIdentity(NodeImporter &n) {
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(in) || failed(n.checkAttrs({})))
    return failure();
  n.setOutput(0, **in);
  return success();
}

LogicalResult importExpand(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<SmallVector<int64_t>> target =
      n.ints(1, "the target shape", /*allowPartial=*/true);
  RankedTensorType t = n.type(0);
  if (failed(target) || !t)
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d : *target) {
    if (d == kUnknownDim)
      d = 1; // a dynamic dim of the shape: the input's dim decides
    if (d < 0 || d > kMaxDim)
      return n.error("target dim " + Twine(d) + " is invalid");
    shape.push_back(d);
  }
  FailureOr<SmallVector<int64_t>> out =
      broadcastShapes(n, {t, RankedTensorType::get(shape, t.getElementType())});
  if (failed(out) || !elementCount(*out))
    return failed(out) ? failure() : n.error("the result is too large");
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  n.setOutput(0, broadcastTo(n.b, n.loc, *x,
                             broadcastSizes(n.b, n.loc, {*x}, *out)));
  return success();
}
} // namespace

namespace mlir::kiln::onnx_import { // SliceOps.cpp, GatherOps.cpp, ConstantOps.cpp
LogicalResult importConcat(NodeImporter &n);
LogicalResult importSlice(NodeImporter &n);
LogicalResult importGather(NodeImporter &n);
LogicalResult importSplit(NodeImporter &n);
LogicalResult importConstant(NodeImporter &n);
LogicalResult importConstantOfShape(NodeImporter &n);
} // namespace mlir::kiln::onnx_import

void mlir::kiln::onnx_import::registerShapeOps(OpTable &t) {
  t["Shape"] = importShape;
  t["Reshape"] = importReshape;
  t["Flatten"] = importFlatten;
  t["Squeeze"] = [](NodeImporter &n) { return importSqueezeLike(n, true); };
  t["Unsqueeze"] = [](NodeImporter &n) { return importSqueezeLike(n, false); };
  t["Transpose"] = importTranspose;
  t["Identity"] = importIdentity;
  t["Expand"] = importExpand;
  t["Concat"] = importConcat;
  t["Slice"] = importSlice;
  t["Gather"] = importGather;
  t["Split"] = importSplit;
  t["Constant"] = importConstant;
  t["ConstantOfShape"] = importConstantOfShape;
}
