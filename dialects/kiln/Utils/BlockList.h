//===- BlockList.h - fixed-capacity block lists (no MLIR) -------*- C++ -*-===//
//
// The pure C++ definition of kiln.block_select: block geometry (which KV
// blocks a query block may, must or must not select), the reference
// selection rules (MoBA top-k, PBS cumulative threshold, VMoBA relative
// threshold) and the
// fixed-capacity block list of the semantics contract (i32 indices sorted
// ascending and unique, zeros past the count, plus a count). Shared by the
// op verifier (capacity), the unit tests and any runtime-side checker.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_UTILS_BLOCKLIST_H
#define KILN_UTILS_BLOCKLIST_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::blocklist {

/// Sizes of one selection problem, in tokens. Query position i (0-based in
/// the query tensor) sits at key coordinate i + (keyLen - queryLen).
struct Geometry {
  int64_t queryLen = 0;
  int64_t keyLen = 0;
  int64_t queryBlock = 1;
  int64_t keyBlock = 1;
  /// PBS segment length in tokens (0 = no segment).
  int64_t segment = 0;
  bool causal = false;
};

int64_t ceilDiv(int64_t a, int64_t b);
int64_t numQueryBlocks(const Geometry &g);
int64_t numKeyBlocks(const Geometry &g);
/// First and last key-coordinate positions of query block `i` (may be
/// negative when queryLen > keyLen).
int64_t firstPosition(const Geometry &g, int64_t i);
int64_t lastPosition(const Geometry &g, int64_t i);

/// What a KV block is to one query block.
enum class Role : uint8_t {
  Excluded,  ///< never selected
  Candidate, ///< selected if the rule picks it
  Forced     ///< always selected
};

/// top_k roles of the KV blocks for query block `i`: Forced = the blocks
/// holding the block's own (non-negative) positions; Candidate = with
/// `causal`, blocks whose last key precedes the first query position
/// ((J+1)*keyBlock <= first), else every other block.
std::vector<Role> topKRoles(const Geometry &g, int64_t i);
/// Closed forms of the counts of topKRoles (O(1), for verifiers).
int64_t numForcedTopK(const Geometry &g, int64_t i);
int64_t numCandidatesTopK(const Geometry &g, int64_t i);

/// threshold roles for query block `i`. Diagonal-segment blocks (KV blocks
/// in the segments of the block's non-negative positions; with `causal`
/// only those with J*keyBlock <= last unless `wholeSegment`, for keys
/// permuted within segments) and the sink block (`sinkBlock`, -1 = none;
/// with `causal` only when last >= 0) are Forced. Candidates are the other
/// blocks, with `causal` only those with J*keyBlock <= last.
std::vector<Role> thresholdRoles(const Geometry &g, int64_t i,
                                 int64_t sinkBlock, bool wholeSegment);

/// MoBA top-k: every Forced block, plus the max(0, k - #Forced) best
/// Candidates by score (descending; NaN ranks as -inf; ties toward the lower
/// index). Returns the selection mask. Sizes of roles and scores must match.
std::vector<bool> selectTopK(const std::vector<Role> &roles,
                             const std::vector<float> &scores, int64_t k);

/// PBS cumulative threshold: softmax over the Candidates' scores (NaN as
/// -inf), stable descending order, the shortest prefix whose cumulative mass
/// reaches `threshold` (all Candidates when threshold >= 1 or when the mass
/// never reaches it, e.g. non-finite scores), plus every Forced block.
std::vector<bool> selectThreshold(const std::vector<Role> &roles,
                                  const std::vector<float> &scores,
                                  double threshold);

/// VMoBA's relative threshold (mode relative; roles as for top_k): scores
/// of the Forced and Candidate blocks min-max normalized (all 1 when equal),
/// need = max(0, threshold - own / total), a Candidate kept unless the
/// normalized mass ranked before it, over total, reaches need; threshold 1
/// keeps every Candidate. Every Forced block is kept.
std::vector<bool> selectRelative(const std::vector<Role> &roles,
                                 const std::vector<float> &scores,
                                 double threshold);

/// Most blocks a top_k row can select, exactly, for known lengths.
int64_t topKCapacity(const Geometry &g, int64_t k);
/// Upper bound for unknown lengths: a query block of at most `queryBlockLen`
/// tokens at any alignment spans at most 1 + ceil((len-1)/keyBlock) KV
/// blocks; `numKeyBlocks` < 0 means unknown (no cap).
int64_t topKCapacityBound(int64_t k, int64_t queryBlockLen, int64_t keyBlock,
                          int64_t numKeyBlocks);

/// One row of a block list.
struct Row {
  std::vector<int32_t> indices; ///< `capacity` entries, zeros past count
  int32_t count = 0;
};

/// Builds the sorted list of the set entries of `mask`. Fails (false, with a
/// message in *error when given) if more than `capacity` entries are set.
bool buildRow(const std::vector<bool> &mask, int64_t capacity, Row &row,
              std::string *error = nullptr);

/// Checks one row: 0 <= count <= capacity, and the first `count` entries are
/// strictly increasing and in [0, numKeyBlocks). Entries past the count are
/// ignored.
bool validateRow(const int32_t *indices, int64_t capacity, int64_t count,
                 int64_t numKeyBlocks, std::string *error = nullptr);

} // namespace kiln::blocklist

#endif // KILN_UTILS_BLOCKLIST_H
