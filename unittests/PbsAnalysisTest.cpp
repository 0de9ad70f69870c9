//===- PbsAnalysisTest.cpp - PBS permutation and block density ------------===//
#include "kiln/Utils/PbsAnalysis.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <numeric>

using namespace kiln::pbs;

namespace {
/// One head, D = 2: queries all point along x; key j points along x with
/// weight `hot(j)` (a heavy hitter) or along y (ignored).
struct OneHead {
  std::vector<float> q, k;
  Problem p;
  OneHead(int64_t len, const std::vector<int64_t> &hot) {
    q.assign(size_t(len * 2), 0.0f);
    k.assign(size_t(len * 2), 0.0f);
    for (int64_t i = 0; i < len; ++i) {
      q[size_t(2 * i)] = 1.0f;
      k[size_t(2 * i + 1)] = 1.0f;
    }
    for (int64_t j : hot)
      k[size_t(2 * j)] = 8.0f;
    p.queryLen = p.keyLen = len;
    p.dim = 2;
    p.query = q.data();
    p.key = k.data();
  }
};

Options opts(int64_t block, int64_t segment, double threshold = 0.9) {
  Options o;
  o.block = block;
  o.segment = segment;
  o.threshold = threshold;
  return o;
}

TEST(PbsAnalysis, ShortSequencesAreNotPermuted) {
  OneHead h(8, {5});
  std::vector<int64_t> perm = permutation(h.p, opts(2, 8));
  std::vector<int64_t> id(8);
  std::iota(id.begin(), id.end(), 0);
  EXPECT_EQ(perm, id);
}

TEST(PbsAnalysis, HeavyHittersMoveToTheFrontOfTheirSegment) {
  // 20 keys, segments of 8 (two complete, a tail of 4 left in place).
  OneHead h(20, {3, 6, 9, 18});
  std::vector<int64_t> perm = permutation(h.p, opts(4, 8));
  EXPECT_EQ(std::vector<int64_t>(perm.begin(), perm.begin() + 2),
            (std::vector<int64_t>{3, 6}));
  EXPECT_EQ(perm[8], 9);
  // Ties (every other key) keep their order.
  EXPECT_EQ(std::vector<int64_t>(perm.begin() + 2, perm.begin() + 8),
            (std::vector<int64_t>{0, 1, 2, 4, 5, 7}));
  EXPECT_EQ(std::vector<int64_t>(perm.begin() + 16, perm.end()),
            (std::vector<int64_t>{16, 17, 18, 19}));
  // A bijection within each segment.
  for (int64_t s0 : {0, 8}) {
    std::vector<int64_t> seg(perm.begin() + s0, perm.begin() + s0 + 8);
    std::sort(seg.begin(), seg.end());
    for (int64_t i = 0; i < 8; ++i)
      EXPECT_EQ(seg[size_t(i)], s0 + i);
  }
}

TEST(PbsAnalysis, EqualScoresSelectEveryVisibleBlock) {
  OneHead h(16, {});
  Options o = opts(4, 8);
  Density d = selectionDensity(h.p, o, nullptr);
  EXPECT_EQ(d.visible, 1 + 2 + 3 + 4);
  EXPECT_EQ(d.selected, d.visible);
  // After a (here identity) permutation the whole diagonal segment is
  // computed: one more block for query blocks 0 and 2.
  std::vector<int64_t> perm = permutation(h.p, o);
  Density after = selectionDensity(h.p, o, &perm);
  EXPECT_EQ(after.selected, d.visible + 2);
}

TEST(PbsAnalysis, PermutationConcentratesHeavyHitters) {
  // 64 keys, blocks of 4, segments of 16: one hitter per block before,
  // all four of a segment in its first block after.
  std::vector<int64_t> hot;
  for (int64_t j = 1; j < 64; j += 4)
    hot.push_back(j);
  OneHead h(64, hot);
  Options o = opts(4, 16, 0.9);
  std::vector<int64_t> perm = permutation(h.p, o);
  Density before = selectionDensity(h.p, o, nullptr);
  Density after = selectionDensity(h.p, o, &perm);
  EXPECT_LT(after.selected, before.selected);
  std::vector<bool> mask = selectionMask(h.p, o, &perm, 0, 0);
  // The last query block keeps the hot first block of every earlier
  // segment and drops the cold ones outside its own segment.
  int64_t nb = 16, last = nb - 1;
  for (int64_t J : {0, 4, 8})
    EXPECT_TRUE(mask[size_t(last * nb + J)]) << J;
  for (int64_t J : {5, 6, 9, 10})
    EXPECT_FALSE(mask[size_t(last * nb + J)]) << J;
}
} // namespace
