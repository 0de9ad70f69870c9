//===- BlockSparseRewrite.h - shared by the routing passes ------*- C++ -*-===//
//
// Internal to kiln-route-blocks (MoBA) and kiln-permute-block-sparse (PBS):
// which kiln.attention ops they may rewrite, and the block-sparse
// kiln.attention that replaces one.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_BLOCKSPARSEREWRITE_H
#define KILN_LIB_TRANSFORMS_BLOCKSPARSEREWRITE_H

#include "kiln/IR/KilnOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {

/// The op a routing pass is asked to rewrite: marked with `attrName`, or
/// every attention op when `all` is set.
bool selectedForRouting(AttentionOp op, StringRef attrName, bool all);

/// Why `op` cannot be routed (it must be causal unless `allowNonCausal`,
/// without a block list, positions, an additive mask or a window, with
/// static head counts and D), or an empty string.
std::string routingObstacle(AttentionOp op, bool allowNonCausal = false);

/// Whether Sq (static) is below `minSeqLen`, so that dense attention stays.
bool belowMinSeqLen(AttentionOp op, int64_t minSeqLen);

/// Replaces `op` by a block-sparse kiln.attention (causal like `op`) over
/// `key` / `value` with the block list (indices, counts), q_block =
/// kv_block = `block`, optional position operands, and op's scale and outs.
void replaceWithBlockSparse(RewriterBase &rewriter, AttentionOp op,
                            Value key, Value value, Value indices,
                            Value counts, Value qPositions, Value kPositions,
                            int64_t block);

/// An i32 tensor.empty of `shape` (dynamic dims from `dynamicSizes`).
Value emptyI32(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
               ValueRange dynamicSizes);

} // namespace mlir::kiln

#endif // KILN_LIB_TRANSFORMS_BLOCKSPARSEREWRITE_H
