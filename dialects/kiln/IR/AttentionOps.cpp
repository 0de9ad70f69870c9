//===- AttentionOps.cpp - attention, merge and permute verifiers ----------===//
//
// Every rule names the offending operand or attribute. Only static sizes are
// compared; dynamic sizes (`?`) are accepted wherever the contract allows.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/IR/VerifierUtils.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

float AttentionOp::getScaleOrDefault() {
  if (FloatAttr s = getScaleAttr())
    return static_cast<float>(s.getValueAsDouble());
  return static_cast<float>(1.0 / std::sqrt(double(dimOf(getQuery(), 3))));
}

LogicalResult AttentionOp::verify() {
  ShapeChecker c{getOperation()};
  Value q = getQuery(), k = getKey(), v = getValue();
  if (failed(c.rank("query", q.getType(), 4)) ||
      failed(c.rank("key", k.getType(), 4)) ||
      failed(c.rank("value", v.getType(), 4)))
    return failure();
  int64_t b = dimOf(q, 0), hq = dimOf(q, 1), sq = dimOf(q, 2);
  int64_t d = dimOf(q, 3), hkv = dimOf(k, 1), skv = dimOf(k, 2);
  int64_t dv = dimOf(v, 3);
  if (failed(c.dim("key", k.getType(), 0, b, "batch, as 'query'")) ||
      failed(c.dim("key", k.getType(), 3, d, "head dim, as 'query'")) ||
      failed(c.dim("value", v.getType(), 0, b, "batch, as 'query'")) ||
      failed(c.dim("value", v.getType(), 1, hkv, "heads, as 'key'")) ||
      failed(c.dim("value", v.getType(), 2, skv, "sequence, as 'key'")))
    return failure();
  if (!ShapedType::isDynamic(hkv) && !ShapedType::isDynamic(hq) &&
      (hkv == 0 || hq % hkv != 0))
    return emitOpError() << "'key' head count " << hkv
                         << " must divide 'query' head count " << hq;

  // Inits: O [B, Hq, Sq, Dv] and optionally LSE f32 [B, Hq, Sq].
  if (getOuts().empty() || getOuts().size() > 2)
    return emitOpError() << "expects 1 or 2 'outs' (output, optional lse), got "
                         << getOuts().size();
  // Dims 0..2 of an init: [B, Hq, Sq] as the query's.
  auto queryRows = [&](StringRef name, Type t) {
    return succeeded(c.dim(name, t, 0, b, "batch, as 'query'")) &&
           succeeded(c.dim(name, t, 1, hq, "heads, as 'query'")) &&
           succeeded(c.dim(name, t, 2, sq, "sequence, as 'query'"));
  };
  Type o = getOuts()[0].getType();
  if (failed(c.rank("outs[0]", o, 4)) || !queryRows("outs[0]", o) ||
      failed(c.dim("outs[0]", o, 3, dv, "value dim, as 'value'")))
    return failure();
  if (Value lse = getLseInit()) {
    Type l = lse.getType();
    if (failed(c.rank("outs[1]", l, 3)) || failed(c.f32("outs[1]", l)) ||
        !queryRows("outs[1]", l))
      return failure();
  }

  // Additive mask [B or 1, Hq or 1, Sq, Skv]; a dynamic dim means B / Hq.
  if (Value m = getMask()) {
    Type t = m.getType();
    if (failed(c.rank("mask", t, 4)))
      return failure();
    if (dimOf(m, 0) != 1 && failed(c.dim("mask", t, 0, b, "batch or 1")))
      return failure();
    if (dimOf(m, 1) != 1 && failed(c.dim("mask", t, 1, hq, "heads or 1")))
      return failure();
    if (failed(c.dim("mask", t, 2, sq, "sequence, as 'query'")) ||
        failed(c.dim("mask", t, 3, skv, "sequence, as 'key'")))
      return failure();
  }

  // Block list: indices [B, H, nQ, maxBlocks] and counts [B, H, nQ].
  Value idx = getBlockIndices(), cnt = getBlockCounts();
  if (bool(idx) != bool(cnt))
    return emitOpError("'block_indices' and 'block_counts' must be given "
                       "together");
  if (bool(getQBlockAttr()) != bool(idx) || bool(getKvBlockAttr()) != bool(idx))
    return emitOpError("'q_block' and 'kv_block' are required with a block "
                       "list and allowed only with one");
  if (idx) {
    int64_t qBlock = getQBlockAttr().getInt();
    if (qBlock <= 0 || getKvBlockAttr().getInt() <= 0)
      return emitOpError("'q_block' and 'kv_block' must be positive");
    Type it = idx.getType(), ct = cnt.getType();
    if (failed(c.rank("block_indices", it, 4)) ||
        failed(c.rank("block_counts", ct, 3)) ||
        failed(c.dim("block_indices", it, 0, b, "batch, as 'query'")))
      return failure();
    int64_t h = dimOf(idx, 1);
    if (failed(c.heads("block_indices", it, hq, hkv)))
      return failure();
    int64_t nQ = ShapedType::isDynamic(sq) ? sq : (sq + qBlock - 1) / qBlock;
    if (failed(c.dim("block_indices", it, 2, nQ,
                     "query blocks, ceil(Sq / q_block)")) ||
        failed(c.dim("block_counts", ct, 0, orStatic(dimOf(idx, 0), b),
                     "batch, as 'block_indices'")) ||
        failed(c.dim("block_counts", ct, 1, h, "heads, as 'block_indices'")) ||
        failed(c.dim("block_counts", ct, 2, dimOf(idx, 2),
                     "query blocks, as 'block_indices'")))
      return failure();
  }

  // Original token positions: q [B, Hq or Hkv, Sq], k [B, Hkv, Skv].
  Value qp = getQPositions(), kp = getKPositions();
  if (bool(qp) != bool(kp))
    return emitOpError("'q_positions' and 'k_positions' must be given "
                       "together");
  if (qp) {
    Type qt = qp.getType(), kt = kp.getType();
    if (failed(c.rank("q_positions", qt, 3)) ||
        failed(c.rank("k_positions", kt, 3)) ||
        failed(c.dim("q_positions", qt, 0, b, "batch, as 'query'")))
      return failure();
    if (failed(c.heads("q_positions", qt, hq, hkv)))
      return failure();
    if (failed(c.dim("q_positions", qt, 2, sq, "sequence, as 'query'")) ||
        failed(c.dim("k_positions", kt, 0, orStatic(dimOf(qp, 0), b),
                     "batch, as 'q_positions'")) ||
        failed(c.dim("k_positions", kt, 1, hkv, "heads, as 'key'")) ||
        failed(c.dim("k_positions", kt, 2, skv, "sequence, as 'key'")))
      return failure();
  }

  for (auto [name, attr] : {std::pair{"window_left", getWindowLeftAttr()},
                            std::pair{"window_right", getWindowRightAttr()}})
    if (attr && attr.getInt() < 0)
      return emitOpError() << "'" << name << "' must be >= 0, got "
                           << attr.getInt();
  if (failed(c.scale(getScale())))
    return failure();
  if (!getScaleAttr() && (ShapedType::isDynamic(d) || d <= 0))
    return emitOpError("the default 'scale' 1/sqrt(D) needs a static, "
                       "positive 'query' head dim; give 'scale'");
  return success();
}

LogicalResult OnlineAttentionOp::verify() {
  ShapeChecker c{getOperation()};
  Value q = getQuery(), k = getKey(), v = getValue();
  int64_t r = cast<ShapedType>(q.getType()).getRank();
  if (r < 2)
    return emitOpError() << "'query' must be rank >= 2, got rank " << r;
  if (failed(c.rank("key", k.getType(), r)) ||
      failed(c.rank("value", v.getType(), r)) ||
      failed(c.rank("acc", getAcc().getType(), r)) ||
      failed(c.rank("max", getMax().getType(), r - 1)) ||
      failed(c.rank("sum", getSum().getType(), r - 1)) ||
      (getMask() && failed(c.rank("mask", getMask().getType(), r))))
    return failure();
  SmallVector<std::pair<StringRef, Value>> all = {
      {"key", k}, {"value", v}, {"acc", getAcc()}, {"max", getMax()},
      {"sum", getSum()}};
  if (getMask())
    all.push_back({"mask", getMask()});
  for (int64_t i = 0; i < r - 2; ++i)
    for (auto [name, val] : all)
      if (failed(c.dim(name, val.getType(), i, dimOf(q, i),
                       "batch, as 'query'")))
        return failure();
  int64_t m = dimOf(q, r - 2), n = dimOf(k, r - 2), dv = dimOf(v, r - 1);
  if (failed(c.dim("key", k.getType(), r - 1, dimOf(q, r - 1),
                   "head dim, as 'query'")) ||
      failed(c.dim("value", v.getType(), r - 2, n, "keys, as 'key'")) ||
      failed(c.dim("acc", getAcc().getType(), r - 2, m, "rows, as 'query'")) ||
      failed(c.dim("acc", getAcc().getType(), r - 1, dv,
                   "value dim, as 'value'")) ||
      failed(c.dim("max", getMax().getType(), r - 2, m, "rows, as 'query'")) ||
      failed(c.dim("sum", getSum().getType(), r - 2, m, "rows, as 'query'")))
    return failure();
  if (getMask() &&
      (failed(c.dim("mask", getMask().getType(), r - 2, m, "rows, as 'query'")) ||
       failed(c.dim("mask", getMask().getType(), r - 1, n, "keys, as 'key'"))))
    return failure();
  return c.scale(getScale());
}

LogicalResult AttentionMergeOp::verify() {
  ShapeChecker c{getOperation()};
  auto outs = getPartialOutputs();
  auto lses = getPartialLses();
  if (outs.empty())
    return emitOpError("expects at least one partial in 'partial_outputs'");
  if (lses.size() != outs.size())
    return emitOpError() << "expects one 'partial_lses' per partial output, got "
                         << lses.size() << " for " << outs.size();
  Value o0 = outs[0];
  if (failed(c.rank("partial_outputs[0]", o0.getType(), 4)))
    return failure();
  auto rowDims = [&](StringRef name, Type t, int64_t rank) -> LogicalResult {
    if (failed(c.rank(name, t, rank)))
      return failure();
    for (int64_t i = 0; i < rank; ++i)
      if (failed(c.dim(name, t, i, dimOf(o0, i), "as 'partial_outputs[0]'")))
        return failure();
    return success();
  };
  for (auto [i, o] : llvm::enumerate(outs))
    if (failed(rowDims(("partial_outputs[" + Twine(i) + "]").str(),
                       o.getType(), 4)))
      return failure();
  for (auto [i, l] : llvm::enumerate(lses))
    if (failed(rowDims(("partial_lses[" + Twine(i) + "]").str(), l.getType(),
                       3)))
      return failure();
  if (getOuts().size() != 2)
    return emitOpError() << "expects 2 'outs' (output, lse), got "
                         << getOuts().size();
  Type ot = getOuts()[0].getType();
  if (!isa<Float32Type, Float16Type, BFloat16Type>(cast<ShapedType>(ot).getElementType()))
    return emitOpError() << "'outs[0]' element type must be f32, f16 or bf16, "
                            "got "
                         << cast<ShapedType>(ot).getElementType();
  if (failed(rowDims("outs[0]", ot, 4)) ||
      failed(rowDims("outs[1]", getOuts()[1].getType(), 3)) ||
      failed(c.f32("outs[1]", getOuts()[1].getType())))
    return failure();
  return success();
}

/// Shared by permute and unpermute: x [B, H, S, ...], idx [B, H, S].
static LogicalResult verifyPermutation(Operation *op, Value input,
                                       Value indices, Value init) {
  ShapeChecker c{op};
  int64_t r = cast<ShapedType>(input.getType()).getRank();
  if (r < 3)
    return op->emitOpError() << "'input' must be rank >= 3, got rank " << r;
  if (failed(c.rank("indices", indices.getType(), 3)))
    return failure();
  static const char *what[] = {"batch, as 'input'", "heads, as 'input'",
                               "sequence, as 'input'"};
  for (int64_t i = 0; i < 3; ++i)
    if (failed(c.dim("indices", indices.getType(), i, dimOf(input, i),
                     what[i])))
      return failure();
  if (init.getType() != input.getType())
    return op->emitOpError() << "'init' type " << init.getType()
                             << " must equal 'input' type " << input.getType();
  // Constant indices are checked here; others by the lowering, at run time.
  DenseIntElementsAttr constant;
  auto it = cast<ShapedType>(indices.getType());
  if (!matchPattern(indices, m_Constant(&constant)) || !it.hasStaticShape())
    return success();
  int64_t s = it.getDimSize(2);
  SmallVector<int64_t> values;
  for (const APInt &v : constant.getValues<APInt>())
    values.push_back(v.getSExtValue());
  std::vector<bool> seen(s);
  for (int64_t row = 0; row * s < int64_t(values.size()); ++row) {
    std::fill(seen.begin(), seen.end(), false);
    for (int64_t j = 0; j < s; ++j) {
      int64_t v = values[row * s + j];
      if (v < 0 || v >= s || seen[v])
        return op->emitOpError()
               << "'indices' of (batch, head) (" << row / it.getDimSize(1)
               << ", " << row % it.getDimSize(1)
               << ") are not a permutation of [0, " << s << "): " << v
               << " at position " << j;
      seen[v] = true;
    }
  }
  return success();
}

LogicalResult PermuteOp::verify() {
  return verifyPermutation(*this, getInput(), getIndices(), getInit());
}
LogicalResult UnpermuteOp::verify() {
  return verifyPermutation(*this, getInput(), getIndices(), getInit());
}

// Indices are a permutation, so gather and scatter with the same indices
// are exact inverses of each other.
OpFoldResult PermuteOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<UnpermuteOp>())
    if (inner.getIndices() == getIndices() &&
        inner.getInput().getType() == getType())
      return inner.getInput();
  return {};
}
OpFoldResult UnpermuteOp::fold(FoldAdaptor) {
  if (auto inner = getInput().getDefiningOp<PermuteOp>())
    if (inner.getIndices() == getIndices() &&
        inner.getInput().getType() == getType())
      return inner.getInput();
  return {};
}
