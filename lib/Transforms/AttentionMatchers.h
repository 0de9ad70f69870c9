//===- AttentionMatchers.h - pieces of decomposed attention ----*- C++ -*-===//
//
// Internal to kiln-fuse-attention: recognizers for the scale, the masks
// (additive constants, masked_fill selects) and the K transpose of attention
// written out as ops, in the forms importers and hand-written IR use
// (constants may be splats, fills, broadcasts, reshapes or blobs).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_ATTENTIONMATCHERS_H
#define KILN_LIB_TRANSFORMS_ATTENTIONMATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln::attention_match {

/// The value of a splat f32 constant, or nothing. A linalg.fill of a
/// constant and a linalg.broadcast of a splat count (dynamic shapes).
std::optional<double> splatValue(Value v);
/// The transpose `rhs` comes from (used only there), or null.
linalg::TransposeOp transposeOf(Value rhs);
/// K such that the transpose `tr` gives K with its last two dims swapped:
/// its input, or a new transpose of the input when the permutation also
/// moves other dims.
Value untransposed(PatternRewriter &b, linalg::TransposeOp tr);
/// The fill of a masked_fill hides scores: -inf or at most -1e30.
bool isHidingFill(Value fill);
/// f32 of rank `rank` ([B, H, S, D], or [B*H, S, D] as
/// nn.MultiheadAttention exports it).
bool isF32OfRank(Value v, int64_t rank);
/// A splat multiply or divide of `v` (used only there): the scale it
/// applies and its other operand.
std::optional<std::pair<double, Value>> splatScaling(Value v);
/// `v` of rank 3 with a leading unit dim added (rank 4).
Value withUnitBatch(PatternRewriter &b, Location loc, Value v);

} // namespace mlir::kiln::attention_match

#endif // KILN_LIB_TRANSFORMS_ATTENTIONMATCHERS_H
