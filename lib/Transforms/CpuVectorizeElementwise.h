//===- CpuVectorizeElementwise.h - row-wise vectorization -------*- C++ -*-===//
//
// Internal to kiln-cpu-tile-and-vectorize: the non-contraction generics
// (elementwise maps and innermost-dim reductions, e.g. the softmax steps of
// a flash-attention tile) are tiled to rows of at most `chunk` elements and
// vectorized with masks, so dynamic tile sizes need no scalar remainder.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_CPUVECTORIZEELEMENTWISE_H
#define KILN_LIB_TRANSFORMS_CPUVECTORIZEELEMENTWISE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include <optional>
#include <string>

namespace mlir::kiln {
/// Vectorizes the eligible linalg.generic ops under `root` (float, i1, i32
/// or i64 operands, projected-permutation maps, a body of arith / math.exp /
/// math.log / linalg.index ops, reductions only over the innermost loop).
/// Ops it cannot vectorize stay as they are (correct scalar loops).
LogicalResult vectorizeElementwiseGenerics(RewriterBase &rewriter,
                                           Operation *root, int64_t chunk);
/// Why the row vectorizer does not take `op`, or nullopt when it does
/// (kiln-cpu-remark-slow-paths reports the reason).
std::optional<std::string> whyNotVectorizedElementwise(linalg::GenericOp op);
} // namespace mlir::kiln

#endif // KILN_LIB_TRANSFORMS_CPUVECTORIZEELEMENTWISE_H
