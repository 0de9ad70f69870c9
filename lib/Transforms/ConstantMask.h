//===- ConstantMask.h - a constant mask as the scores see it ----*- C++ -*-===//
//
// Internal to kiln-fuse-attention. An attention mask reaches the scores as a
// value of their shape [..., S, T], usually a linalg.broadcast, a reshape or
// both of a smaller constant ([1, 1, 1, T] key padding, [S, T] causal, a
// scalar). Whether it is zero, causal or hides whole rows must be decided on
// the values the scores actually receive, position by position; reading the
// constant's own last two dims instead confuses a [1, T] row with an [S, T]
// block. These functions evaluate the chain of broadcasts and reshapes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_CONSTANTMASK_H
#define KILN_LIB_TRANSFORMS_CONSTANTMASK_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace mlir::kiln::attention_match {

/// A constant laid out in the shape of the value that was evaluated.
struct ConstantMask {
  /// The value's shape; a dynamic dim (always a broadcast one) counts as 1.
  SmallVector<int64_t> shape;
  /// Row-major values: f32 as they are, i1 as 0 or 1.
  std::vector<float> values;

  int64_t rows() const { return shape[shape.size() - 2]; }
  int64_t cols() const { return shape.back(); }
  /// Number of [S, T] slices (the product of the leading dims).
  int64_t slices() const;
  /// The value at (slice, i, j).
  float at(int64_t slice, int64_t i, int64_t j) const {
    return values[(slice * rows() + i) * cols() + j];
  }
};

/// Evaluates `v` when it is an f32 or i1 constant (dense or, for f32, a
/// dense_resource blob; a linalg.fill of a constant counts) seen through
/// any chain of linalg.broadcast, tensor.collapse_shape and
/// tensor.expand_shape, with rank >= 2 and static last two dims. Nothing
/// otherwise, or when the value has more than 2^24 elements.
std::optional<ConstantMask> evaluateConstantMask(Value v);

/// What an additive mask adds to the scores.
enum class AdditiveMaskKind {
  Zero,   // adds nothing
  Causal, // 0 where j <= i + T - S, hiding (-inf or <= -1e30) above, in
          // every slice; where a row hides every key (S > T), only -inf
          // (kiln.softmax and kiln.attention both give 0 for such a row,
          // while a finite value averages V)
  Other   // any other constant: kept as the attention's mask
};
AdditiveMaskKind classifyAdditiveMask(const ConstantMask &mask);

/// Visibility in [S, T] of a masked_fill condition, `keepWhen` being the
/// condition value that keeps a score: the same in every slice, or nothing.
std::optional<SmallVector<bool>> keptPositions(const ConstantMask &cond,
                                               bool keepWhen);

} // namespace mlir::kiln::attention_match

#endif // KILN_LIB_TRANSFORMS_CONSTANTMASK_H
