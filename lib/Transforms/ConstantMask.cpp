//===- ConstantMask.cpp - a constant mask as the scores see it ------------===//
#include "ConstantMask.h"
#include "ConstantData.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace mlir::kiln::attention_match {
namespace {
constexpr int64_t kMaxElements = int64_t(1) << 24;
constexpr int kMaxChain = 8;

/// The element count of `shape`, or nothing past kMaxElements.
std::optional<int64_t> boundedCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxElements / d))
      return std::nullopt;
    n *= d;
  }
  return n;
}

/// The values of a constant (f32 dense or blob, i1 dense, or a fill).
std::optional<std::vector<float>> leafValues(Value v, RankedTensorType type) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    FloatAttr f;
    if (!matchPattern(fill.getInputs()[0], m_Constant(&f)))
      return std::nullopt;
    return std::vector<float>(type.getNumElements(), f.getValueAsDouble());
  }
  if (type.getElementType().isF32())
    return f32ConstantValues(v);
  DenseElementsAttr attr;
  if (!type.getElementType().isInteger(1) ||
      !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  std::vector<float> out;
  out.reserve(type.getNumElements());
  for (bool b : attr.getValues<bool>())
    out.push_back(b ? 1.0f : 0.0f);
  return out;
}

std::optional<ConstantMask> evaluate(Value v, int depth) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || depth > kMaxChain)
    return std::nullopt;
  if (auto bc = v.getDefiningOp<linalg::BroadcastOp>()) {
    std::optional<ConstantMask> in = evaluate(bc.getInput(), depth + 1);
    if (!in)
      return std::nullopt;
    ArrayRef<int64_t> added = bc.getDimensions();
    ConstantMask out;
    SmallVector<int64_t> source; // input dim of each output dim, or -1
    int64_t next = 0;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (llvm::is_contained(added, d)) {
        out.shape.push_back(type.isDynamicDim(d) ? 1 : type.getDimSize(d));
        source.push_back(-1);
      } else {
        out.shape.push_back(in->shape[next]);
        source.push_back(next++);
      }
    }
    std::optional<int64_t> count = boundedCount(out.shape);
    if (!count)
      return std::nullopt;
    SmallVector<int64_t> inStride(in->shape.size(), 1);
    for (int64_t d = int64_t(in->shape.size()) - 2; d >= 0; --d)
      inStride[d] = inStride[d + 1] * in->shape[d + 1];
    out.values.reserve(*count);
    SmallVector<int64_t> idx(out.shape.size(), 0);
    for (int64_t n = 0; n < *count; ++n) {
      int64_t flat = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        if (source[d] >= 0)
          flat += idx[d] * inStride[source[d]];
      out.values.push_back(in->values[flat]);
      for (int64_t d = int64_t(idx.size()) - 1; d >= 0; --d) {
        if (++idx[d] < out.shape[d])
          break;
        idx[d] = 0;
      }
    }
    return out;
  }
  if (!type.hasStaticShape() || !boundedCount(type.getShape()))
    return std::nullopt;
  ConstantMask out;
  out.shape.assign(type.getShape().begin(), type.getShape().end());
  Operation *def = v.getDefiningOp();
  if (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def)) {
    // Reshapes keep the row-major order of the elements.
    std::optional<ConstantMask> in = evaluate(def->getOperand(0), depth + 1);
    if (!in)
      return std::nullopt;
    out.values = std::move(in->values);
  } else if (std::optional<std::vector<float>> leaf = leafValues(v, type)) {
    out.values = std::move(*leaf);
  } else {
    return std::nullopt;
  }
  if (int64_t(out.values.size()) != type.getNumElements())
    return std::nullopt;
  return out;
}
} // namespace

int64_t ConstantMask::slices() const {
  int64_t n = 1;
  for (size_t d = 0; d + 2 < shape.size(); ++d)
    n *= shape[d];
  return n;
}

std::optional<ConstantMask> evaluateConstantMask(Value v) {
  // The [S, T] extents must be the scores' own, not broadcast ones.
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() < 2 || type.isDynamicDim(type.getRank() - 1) ||
      type.isDynamicDim(type.getRank() - 2))
    return std::nullopt;
  std::optional<ConstantMask> m = evaluate(v, 0);
  if (!m)
    return std::nullopt;
  return m;
}

AdditiveMaskKind classifyAdditiveMask(const ConstantMask &mask) {
  int64_t s = mask.rows(), t = mask.cols();
  bool zero = true, causal = true;
  for (int64_t n = 0; n < mask.slices(); ++n) {
    for (int64_t i = 0; i < s; ++i) {
      bool rowSeesNothing = i + t - s < 0;
      for (int64_t j = 0; j < t; ++j) {
        float x = mask.at(n, i, j);
        zero &= x == 0.0f;
        if (j <= i + t - s)
          causal &= x == 0.0f;
        else if (rowSeesNothing)
          causal &= std::isinf(x) && x < 0;
        else
          causal &= x <= -1e30f;
      }
    }
  }
  if (zero)
    return AdditiveMaskKind::Zero;
  return causal ? AdditiveMaskKind::Causal : AdditiveMaskKind::Other;
}

std::optional<SmallVector<bool>> keptPositions(const ConstantMask &cond,
                                               bool keepWhen) {
  int64_t s = cond.rows(), t = cond.cols();
  SmallVector<bool> kept;
  kept.reserve(s * t);
  for (int64_t i = 0; i < s; ++i)
    for (int64_t j = 0; j < t; ++j)
      kept.push_back((cond.at(0, i, j) != 0.0f) == keepWhen);
  for (int64_t n = 1; n < cond.slices(); ++n)
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < t; ++j)
        if (((cond.at(n, i, j) != 0.0f) == keepWhen) != kept[i * t + j])
          return std::nullopt; // differs across batch/head slices
  return kept;
}
} // namespace mlir::kiln::attention_match
