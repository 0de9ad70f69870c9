//===- PbsAnalysis.h - PBS permutation and block density (no MLIR) -*- C++ -*-===//
//
// The pure C++ model of kiln-permute-block-sparse's data-dependent steps on
// concrete Q and K (f32, [B, H, S, D] row-major): the key permutation
// (last-block scoring, stable descending order within complete segments)
// and the density of the threshold selection before and after it. Used by
// the density test pass and the unit tests; the pass itself emits IR.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_UTILS_PBSANALYSIS_H
#define KILN_UTILS_PBSANALYSIS_H

#include <cstdint>
#include <vector>

namespace kiln::pbs {

struct Problem {
  int64_t batch = 1, qHeads = 1, kvHeads = 1, queryLen = 0, keyLen = 0,
          dim = 0;
  const float *query = nullptr; ///< [batch, qHeads, queryLen, dim]
  const float *key = nullptr;   ///< [batch, kvHeads, keyLen, dim]
  float scale = 1.0f;
};

struct Options {
  int64_t block = 128, segment = 256;
  double threshold = 0.9;
  bool sink = true;
};

/// Gather indices per (batch, KV head), [batch, kvHeads, keyLen]: position p
/// of the permuted keys holds original key result[p]. Identity when keyLen
/// <= segment (PBS stays dense) and for the tail past the complete segments.
std::vector<int64_t> permutation(const Problem &p, const Options &o);

/// Selected (computed) and causally visible (query block, KV block) pairs,
/// summed over batch and KV heads. After permutation the whole diagonal
/// segment is selected, so `selected` may include blocks past the causal
/// diagonal: the fraction is computed blocks over dense causal blocks.
struct Density {
  int64_t selected = 0, visible = 0;
  double fraction() const {
    return visible ? double(selected) / double(visible) : 0.0;
  }
};

/// The threshold selection (kiln.block_select semantics, per KV head) on the
/// keys in the order `perm` gives (nullptr: the original order, no
/// positions, sink block 0).
Density selectionDensity(const Problem &p, const Options &o,
                         const std::vector<int64_t> *perm);

/// The same selection for one (batch, KV head) as a row-major
/// [query blocks][key blocks] mask (for pictures).
std::vector<bool> selectionMask(const Problem &p, const Options &o,
                                const std::vector<int64_t> *perm, int64_t b,
                                int64_t g);

} // namespace kiln::pbs

#endif // KILN_UTILS_PBSANALYSIS_H
