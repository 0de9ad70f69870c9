//===- BlockList.cpp - fixed-capacity block lists (no MLIR) ---------------===//
#include "kiln/Utils/BlockList.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace kiln::blocklist;

int64_t kiln::blocklist::ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

int64_t kiln::blocklist::numQueryBlocks(const Geometry &g) {
  return ceilDiv(g.queryLen, g.queryBlock);
}

int64_t kiln::blocklist::numKeyBlocks(const Geometry &g) {
  return ceilDiv(g.keyLen, g.keyBlock);
}

int64_t kiln::blocklist::firstPosition(const Geometry &g, int64_t i) {
  return i * g.queryBlock + (g.keyLen - g.queryLen);
}

int64_t kiln::blocklist::lastPosition(const Geometry &g, int64_t i) {
  return std::min((i + 1) * g.queryBlock, g.queryLen) - 1 +
         (g.keyLen - g.queryLen);
}

std::vector<Role> kiln::blocklist::topKRoles(const Geometry &g, int64_t i) {
  int64_t nK = numKeyBlocks(g);
  int64_t first = firstPosition(g, i), last = lastPosition(g, i);
  std::vector<Role> roles(nK, Role::Excluded);
  for (int64_t j = 0; j < nK; ++j) {
    bool forced = last >= 0 && j >= std::max<int64_t>(first, 0) / g.keyBlock &&
                  j <= last / g.keyBlock;
    if (forced)
      roles[j] = Role::Forced;
    else if (!g.causal || (j + 1) * g.keyBlock <= first)
      roles[j] = Role::Candidate;
  }
  return roles;
}

int64_t kiln::blocklist::numForcedTopK(const Geometry &g, int64_t i) {
  int64_t last = lastPosition(g, i);
  if (last < 0)
    return 0;
  int64_t lo = std::max<int64_t>(firstPosition(g, i), 0) / g.keyBlock;
  return std::max<int64_t>(0, last / g.keyBlock - lo + 1);
}

int64_t kiln::blocklist::numCandidatesTopK(const Geometry &g, int64_t i) {
  if (!g.causal)
    return numKeyBlocks(g) - numForcedTopK(g, i);
  int64_t first = firstPosition(g, i);
  return first < 0 ? 0 : std::min(first / g.keyBlock, numKeyBlocks(g));
}

std::vector<Role> kiln::blocklist::thresholdRoles(const Geometry &g, int64_t i,
                                                  int64_t sinkBlock,
                                                  bool wholeSegment) {
  int64_t nK = numKeyBlocks(g);
  int64_t first = firstPosition(g, i), last = lastPosition(g, i);
  std::vector<Role> roles(nK, Role::Excluded);
  for (int64_t j = 0; j < nK; ++j) {
    bool visible = !g.causal || (last >= 0 && j * g.keyBlock <= last);
    bool diagonal = false;
    if (g.segment > 0 && last >= 0) {
      int64_t seg = j * g.keyBlock / g.segment;
      diagonal = seg >= std::max<int64_t>(first, 0) / g.segment &&
                 seg <= last / g.segment &&
                 (visible || (g.causal && wholeSegment));
    }
    bool sink = j == sinkBlock && (!g.causal || last >= 0);
    if (diagonal || sink)
      roles[j] = Role::Forced;
    else if (visible)
      roles[j] = Role::Candidate;
  }
  return roles;
}

/// Candidates in descending score order (NaN as -inf), ties toward the lower
/// index (the order of a stable descending sort).
static std::vector<int64_t> rankCandidates(const std::vector<Role> &roles,
                                           const std::vector<double> &s) {
  std::vector<int64_t> order;
  for (int64_t j = 0, e = roles.size(); j < e; ++j)
    if (roles[j] == Role::Candidate)
      order.push_back(j);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return s[a] > s[b] || (s[a] == s[b] && a < b);
  });
  return order;
}

/// The selection mask with only the Forced blocks set.
static std::vector<bool> forcedOnly(const std::vector<Role> &roles) {
  std::vector<bool> mask(roles.size(), false);
  for (size_t j = 0; j < roles.size(); ++j)
    mask[j] = roles[j] == Role::Forced;
  return mask;
}

static std::vector<double> sanitize(const std::vector<float> &scores) {
  std::vector<double> s;
  for (float v : scores)
    s.push_back(std::isnan(v) ? -std::numeric_limits<double>::infinity()
                              : double(v));
  return s;
}

std::vector<bool> kiln::blocklist::selectTopK(const std::vector<Role> &roles,
                                              const std::vector<float> &scores,
                                              int64_t k) {
  std::vector<bool> mask(roles.size(), false);
  int64_t numForced = 0;
  for (size_t j = 0; j < roles.size(); ++j)
    if (roles[j] == Role::Forced) {
      mask[j] = true;
      ++numForced;
    }
  std::vector<int64_t> order = rankCandidates(roles, sanitize(scores));
  int64_t take = std::max<int64_t>(0, k - numForced);
  for (int64_t r = 0; r < take && r < int64_t(order.size()); ++r)
    mask[order[r]] = true;
  return mask;
}

std::vector<bool>
kiln::blocklist::selectThreshold(const std::vector<Role> &roles,
                                 const std::vector<float> &scores,
                                 double threshold) {
  std::vector<bool> mask = forcedOnly(roles);
  std::vector<double> s = sanitize(scores);
  std::vector<int64_t> order = rankCandidates(roles, s);
  if (order.empty())
    return mask;
  // Softmax over the candidates; order[0] holds the maximum.
  double mx = s[order[0]], sum = 0.0;
  for (int64_t j : order)
    sum += std::exp(s[j] - mx);
  // A block is kept unless the mass ranked before it already reaches the
  // threshold (NaN mass never does, so non-finite scores keep everything).
  double before = 0.0;
  for (int64_t j : order) {
    if (threshold >= 1.0 || !(before >= threshold))
      mask[j] = true;
    before += std::exp(s[j] - mx) / sum;
  }
  return mask;
}

std::vector<bool>
kiln::blocklist::selectRelative(const std::vector<Role> &roles,
                                const std::vector<float> &scores,
                                double threshold) {
  std::vector<bool> mask = forcedOnly(roles);
  std::vector<double> s = sanitize(scores);
  std::vector<int64_t> order = rankCandidates(roles, s);
  if (order.empty())
    return mask;
  if (threshold >= 1.0) {
    for (int64_t j : order)
      mask[j] = true;
    return mask;
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t j = 0; j < roles.size(); ++j)
    if (roles[j] != Role::Excluded) {
      lo = std::min(lo, s[j]);
      hi = std::max(hi, s[j]);
    }
  auto norm = [&](int64_t j) { return hi == lo ? 1.0 : (s[j] - lo) / (hi - lo); };
  double total = 0.0, own = 0.0;
  for (size_t j = 0; j < roles.size(); ++j) {
    if (roles[j] != Role::Excluded)
      total += norm(int64_t(j));
    if (roles[j] == Role::Forced)
      own += norm(int64_t(j));
  }
  double need = std::max(0.0, threshold - own / total);
  double before = 0.0;
  for (int64_t j : order) {
    if (before / total < need)
      mask[j] = true;
    before += norm(j);
  }
  return mask;
}

int64_t kiln::blocklist::topKCapacity(const Geometry &g, int64_t k) {
  int64_t most = 0;
  for (int64_t i = 0, e = numQueryBlocks(g); i < e; ++i) {
    int64_t forced = numForcedTopK(g, i);
    int64_t all = forced + numCandidatesTopK(g, i);
    most = std::max(most, std::max(forced, std::min(k, all)));
  }
  return most;
}

int64_t kiln::blocklist::topKCapacityBound(int64_t k, int64_t queryBlockLen,
                                           int64_t keyBlock,
                                           int64_t numKeyBlocks) {
  int64_t span =
      queryBlockLen <= 0 ? 0 : 1 + ceilDiv(queryBlockLen - 1, keyBlock);
  int64_t bound = std::max(k, span);
  return numKeyBlocks >= 0 ? std::min(bound, numKeyBlocks) : bound;
}

bool kiln::blocklist::buildRow(const std::vector<bool> &mask, int64_t capacity,
                               Row &row, std::string *error) {
  int64_t count = std::count(mask.begin(), mask.end(), true);
  if (count > capacity) {
    if (error)
      *error = std::to_string(count) +
               " selected blocks exceed the list "
               "capacity " +
               std::to_string(capacity);
    return false;
  }
  row.indices.assign(capacity, 0);
  row.count = 0;
  for (size_t j = 0; j < mask.size(); ++j)
    if (mask[j])
      row.indices[row.count++] = int32_t(j);
  return true;
}

bool kiln::blocklist::validateRow(const int32_t *indices, int64_t capacity,
                                  int64_t count, int64_t numKeyBlocks,
                                  std::string *error) {
  auto fail = [&](std::string msg) {
    if (error)
      *error = std::move(msg);
    return false;
  };
  if (count < 0 || count > capacity)
    return fail("count " + std::to_string(count) + " is outside [0, " +
                std::to_string(capacity) + "]");
  for (int64_t s = 0; s < count; ++s) {
    if (indices[s] < 0 || indices[s] >= numKeyBlocks)
      return fail("entry " + std::to_string(s) + " = " +
                  std::to_string(indices[s]) + " is outside [0, " +
                  std::to_string(numKeyBlocks) + ")");
    if (s > 0 && indices[s] <= indices[s - 1])
      return fail("entry " + std::to_string(s) + " = " +
                  std::to_string(indices[s]) +
                  " does not exceed the previous entry (sorted, unique)");
  }
  return true;
}
