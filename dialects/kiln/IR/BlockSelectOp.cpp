//===- BlockSelectOp.cpp - kiln.block_select verifier ---------------------===//
//
// Every rule names the offending operand or attribute. Batch and sequence
// dims may be dynamic (only static sizes are compared); head counts, the
// head dim and the list capacity must be static. The capacity rule uses the
// geometry of kiln/Utils/BlockList.h, the same definition as the reference.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/IR/VerifierUtils.h"
#include "kiln/Utils/BlockList.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
namespace blocklist = ::kiln::blocklist;

float BlockSelectOp::getScaleOrDefault() {
  if (FloatAttr s = getScaleAttr())
    return static_cast<float>(s.getValueAsDouble());
  auto q = cast<ShapedType>(getQuery().getType());
  if (q.getRank() != 4 || q.isDynamicDim(3) || q.getDimSize(3) <= 0)
    return 1.0f;
  return static_cast<float>(1.0 / std::sqrt(double(q.getDimSize(3))));
}

LogicalResult BlockSelectOp::verify() {
  ShapeChecker c{getOperation()};
  Value q = getQuery(), k = getKey();
  if (failed(c.rank("query", q.getType(), 4)) ||
      failed(c.rank("key", k.getType(), 4)) ||
      failed(c.isStatic("query", q.getType(), 1, "heads")) ||
      failed(c.isStatic("query", q.getType(), 3, "head dim")) ||
      failed(c.isStatic("key", k.getType(), 1, "heads")))
    return failure();
  int64_t b = dimOf(q, 0), hq = dimOf(q, 1), sq = dimOf(q, 2);
  int64_t d = dimOf(q, 3), hkv = dimOf(k, 1), skv = dimOf(k, 2);
  if (failed(c.dim("key", k.getType(), 0, b, "batch, as 'query'")) ||
      failed(c.dim("key", k.getType(), 3, d, "head dim, as 'query'")))
    return failure();
  if (hq <= 0 || hkv <= 0 || hq % hkv != 0)
    return emitOpError() << "'key' head count " << hkv
                         << " must divide 'query' head count " << hq
                         << " (both > 0)";

  // Block sizes and segment.
  int64_t qBlock = getQBlockAttr().getInt();
  int64_t kvBlock = getKvBlockAttr().getInt();
  if (qBlock <= 0)
    return emitOpError() << "'q_block' must be > 0, got " << qBlock;
  if (kvBlock <= 0)
    return emitOpError() << "'kv_block' must be > 0, got " << kvBlock;
  int64_t segment = static_cast<int64_t>(getSegment());
  if (segment < 0 || segment % kvBlock != 0 || segment % qBlock != 0)
    return emitOpError() << "'segment' must be >= 0 and a multiple of "
                            "'kv_block' and 'q_block', got "
                         << segment;

  // Outputs: indices [B, H, nQ, maxBlocks] and counts [B, H, nQ].
  if (getOuts().size() != 2)
    return emitOpError() << "expects 2 'outs' (indices, counts), got "
                         << getOuts().size();
  Value idx = getOuts()[0], cnt = getOuts()[1];
  Type it = idx.getType(), ct = cnt.getType();
  if (failed(c.rank("outs[0]", it, 4)) || failed(c.rank("outs[1]", ct, 3)) ||
      failed(c.isStatic("outs[0]", it, 1, "heads")) ||
      failed(c.isStatic("outs[0]", it, 3, "capacity")) ||
      failed(c.dim("outs[0]", it, 0, b, "batch, as 'query'")))
    return failure();
  int64_t h = dimOf(idx, 1), capacity = dimOf(idx, 3);
  if (failed(c.heads("outs[0]", it, hq, hkv)))
    return failure();
  int64_t nQ = ShapedType::isDynamic(sq) ? sq : blocklist::ceilDiv(sq, qBlock);
  if (failed(c.dim("outs[0]", it, 2, nQ, "query blocks, ceil(Sq / q_block)")) ||
      failed(c.dim("outs[1]", ct, 0, b, "batch, as 'query'")) ||
      failed(c.dim("outs[1]", ct, 1, h, "heads, as 'outs[0]'")) ||
      failed(
          c.dim("outs[1]", ct, 2, dimOf(idx, 2), "query blocks, as 'outs[0]'")))
    return failure();

  // Original key positions [B, Hkv, Skv] (threshold mode only).
  if (Value kp = getKPositions()) {
    Type t = kp.getType();
    if (failed(c.rank("k_positions", t, 3)) ||
        failed(c.dim("k_positions", t, 0, b, "batch, as 'query'")) ||
        failed(c.dim("k_positions", t, 1, hkv, "heads, as 'key'")) ||
        failed(c.dim("k_positions", t, 2, skv, "sequence, as 'key'")))
      return failure();
  }

  if (failed(c.scale(getScale())))
    return failure();

  // Mode rules and the capacity of the list.
  bool dynamicLengths = ShapedType::isDynamic(sq) || ShapedType::isDynamic(skv);
  if (getMode() == BlockSelectMode::TopK) {
    if (!getKAttr() || getKAttr().getInt() < 1)
      return emitOpError("mode top_k requires 'k' >= 1");
    if (getThresholdAttr())
      return emitOpError("'threshold' is not allowed in mode top_k");
    if (segment != 0 || getSink() || getKPositions())
      return emitOpError("'segment', 'sink' and 'k_positions' apply only to "
                         "mode threshold");
    int64_t needed;
    if (!dynamicLengths) {
      blocklist::Geometry g{sq, skv, qBlock, kvBlock, 0, getCausal()};
      needed = blocklist::topKCapacity(g, getKAttr().getInt());
    } else {
      int64_t len = ShapedType::isDynamic(sq) ? qBlock : std::min(qBlock, sq);
      int64_t nK =
          ShapedType::isDynamic(skv) ? -1 : blocklist::ceilDiv(skv, kvBlock);
      needed =
          blocklist::topKCapacityBound(getKAttr().getInt(), len, kvBlock, nK);
    }
    if (capacity < needed)
      return emitOpError() << "'outs[0]' capacity (dim 3) is " << capacity
                           << " but top_k selection can keep " << needed
                           << " blocks per query block; needs >= " << needed;
    return success();
  }

  StringRef mode = stringifyBlockSelectMode(getMode());
  if (getKAttr())
    return emitOpError() << "'k' is not allowed in mode " << mode;
  std::optional<APFloat> t = getThreshold();
  if (!t || !(t->convertToDouble() > 0.0 && t->convertToDouble() <= 1.0))
    return emitOpError() << "mode " << mode
                         << " requires 'threshold' in (0, 1]";
  if (getMode() == BlockSelectMode::Relative &&
      (segment != 0 || getSink() || getKPositions()))
    return emitOpError("'segment', 'sink' and 'k_positions' apply only to "
                       "mode threshold");
  // Any query block may keep every KV block (threshold 1, or the last block).
  if (!ShapedType::isDynamic(skv) && sq != 0) {
    int64_t needed = blocklist::ceilDiv(skv, kvBlock);
    if (capacity < needed)
      return emitOpError() << "'outs[0]' capacity (dim 3) is " << capacity
                           << " but " << mode << " selection can keep all "
                           << needed
                           << " KV blocks, ceil(Skv / kv_block); needs >= "
                           << needed;
  }
  return success();
}
