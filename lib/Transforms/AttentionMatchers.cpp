//===- AttentionMatchers.cpp - pieces of decomposed attention -------------===//
#include "AttentionMatchers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace mlir::kiln::attention_match {
std::optional<double> splatValue(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    FloatAttr f;
    if (matchPattern(fill.getInputs()[0], m_Constant(&f)) &&
        f.getType().isF32())
      return f.getValueAsDouble();
    return std::nullopt;
  }
  if (auto bc = v.getDefiningOp<linalg::BroadcastOp>())
    v = bc.getInput();
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<float>();
}

linalg::TransposeOp transposeOf(Value rhs) {
  auto tr = rhs.getDefiningOp<linalg::TransposeOp>();
  if (!tr || !tr->hasOneUse() || tr.getPermutation().size() < 2)
    return nullptr;
  return tr;
}

Value untransposed(PatternRewriter &b, linalg::TransposeOp tr) {
  SmallVector<int64_t> perm(tr.getPermutation());
  int64_t r = perm.size();
  std::swap(perm[r - 2], perm[r - 1]);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, r)))
    return tr.getInput();
  auto type = cast<RankedTensorType>(tr.getInput().getType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t p : perm)
    sizes.push_back(tensor::getMixedSize(b, tr.getLoc(), tr.getInput(), p));
  Value init = tensor::EmptyOp::create(b, tr.getLoc(), sizes,
                                       type.getElementType());
  return linalg::TransposeOp::create(b, tr.getLoc(), tr.getInput(), init,
                                     perm)
      .getResult()[0];
}

bool isHidingFill(Value fill) {
  std::optional<double> v = splatValue(fill);
  return v && *v <= -1e30;
}

bool isF32OfRank(Value v, int64_t rank) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == rank && t.getElementType().isF32();
}

std::optional<std::pair<double, Value>> splatScaling(Value v) {
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    std::optional<double> c = splatValue(mul.getRhs());
    if (c && mul->hasOneUse())
      return std::make_pair(*c, mul.getLhs());
  } else if (auto div = v.getDefiningOp<arith::DivFOp>()) {
    std::optional<double> c = splatValue(div.getRhs());
    if (c && *c != 0.0 && div->hasOneUse())
      return std::make_pair(1.0 / *c, div.getLhs());
  }
  return std::nullopt;
}

Value withUnitBatch(PatternRewriter &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape = {1};
  shape.append(t.getShape().begin(), t.getShape().end());
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
  for (int64_t d = 0; d < 3; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, v, d));
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, t.getElementType()), v,
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}}, sizes);
}
} // namespace mlir::kiln::attention_match
