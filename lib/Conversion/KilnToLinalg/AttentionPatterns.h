//===- AttentionPatterns.h - attention family pattern sets -----*- C++ -*-===//
//
// populateAttentionToLinalgPatterns (AttentionToLinalg.cpp) adds these too.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_ATTENTIONPATTERNS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_ATTENTIONPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln::detail {
/// kiln.online_attention and kiln.attention_merge (AttentionMergeToLinalg.cpp).
void populateAttentionMergeToLinalgPatterns(RewritePatternSet &patterns);
/// kiln.permute and kiln.unpermute (PermuteToLinalg.cpp).
void populatePermuteToLinalgPatterns(RewritePatternSet &patterns);
} // namespace mlir::kiln::detail

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_ATTENTIONPATTERNS_H
