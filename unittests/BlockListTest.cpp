//===- BlockListTest.cpp - block geometry, selection and lists ------------===//
#include "kiln/Utils/BlockList.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace kiln::blocklist;

namespace {
constexpr Role F = Role::Forced, C = Role::Candidate, E = Role::Excluded;

std::vector<int32_t> selected(const std::vector<bool> &mask) {
  std::vector<int32_t> out;
  for (size_t j = 0; j < mask.size(); ++j)
    if (mask[j])
      out.push_back(int32_t(j));
  return out;
}

Geometry geo(int64_t sq, int64_t skv, int64_t qb, int64_t kb, bool causal,
             int64_t segment = 0) {
  Geometry g;
  g.queryLen = sq;
  g.keyLen = skv;
  g.queryBlock = qb;
  g.keyBlock = kb;
  g.causal = causal;
  g.segment = segment;
  return g;
}

std::vector<float> logs(std::vector<double> probs) {
  std::vector<float> s;
  for (double p : probs)
    s.push_back(float(std::log(p)));
  return s;
}

const float kInf = std::numeric_limits<float>::infinity();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
} // namespace

TEST(BlockGeometry, PartialBlocksAndOffset) {
  Geometry g = geo(200, 200, 64, 64, true);
  EXPECT_EQ(numQueryBlocks(g), 4);
  EXPECT_EQ(numKeyBlocks(g), 4);
  EXPECT_EQ(firstPosition(g, 3), 192);
  EXPECT_EQ(lastPosition(g, 3), 199);
  // Sq < Skv: queries sit at the end of the keys.
  Geometry h = geo(100, 200, 64, 64, true);
  EXPECT_EQ(numQueryBlocks(h), 2);
  EXPECT_EQ(firstPosition(h, 0), 100);
  EXPECT_EQ(lastPosition(h, 0), 163);
  EXPECT_EQ(lastPosition(h, 1), 199);
}

TEST(BlockGeometry, TopKRolesCausal) {
  EXPECT_EQ(topKRoles(geo(256, 256, 64, 64, true), 2),
            (std::vector<Role>{C, C, F, E}));
  // Query block 0 of Sq=100, Skv=200 covers positions 100..163: it spans
  // KV blocks 1 and 2; only block 0 ends before position 100.
  Geometry g = geo(100, 200, 64, 64, true);
  EXPECT_EQ(topKRoles(g, 0), (std::vector<Role>{C, F, F, E}));
  EXPECT_EQ(numForcedTopK(g, 0), 2);
  EXPECT_EQ(numCandidatesTopK(g, 0), 1);
  EXPECT_EQ(topKRoles(g, 1), (std::vector<Role>{C, C, F, F}));
  // Query block of 128 over KV blocks of 32: four forced blocks.
  EXPECT_EQ(topKRoles(geo(256, 256, 128, 32, true), 1),
            (std::vector<Role>{C, C, C, C, F, F, F, F}));
}

TEST(BlockGeometry, TopKRolesNonCausalAndLongQueries) {
  EXPECT_EQ(topKRoles(geo(100, 200, 64, 64, false), 0),
            (std::vector<Role>{C, F, F, C}));
  // Sq > Skv: the first query block has only negative positions.
  Geometry g = geo(200, 100, 64, 64, true);
  EXPECT_EQ(topKRoles(g, 0), (std::vector<Role>{E, E}));
  EXPECT_EQ(topKRoles(g, 1), (std::vector<Role>{F, E}));
  EXPECT_EQ(topKRoles(g, 3), (std::vector<Role>{C, F}));
  EXPECT_EQ(topKRoles(geo(200, 100, 64, 64, false), 0),
            (std::vector<Role>{C, C}));
}

TEST(BlockGeometry, ClosedFormsMatchRoles) {
  for (int64_t sq : {1, 7, 64, 100, 200, 257})
    for (int64_t skv : {1, 13, 64, 200, 256})
      for (int64_t qb : {16, 64, 128})
        for (int64_t kb : {16, 64})
          for (bool causal : {false, true}) {
            Geometry g = geo(sq, skv, qb, kb, causal);
            int64_t most = 0;
            for (int64_t i = 0; i < numQueryBlocks(g); ++i) {
              std::vector<Role> r = topKRoles(g, i);
              EXPECT_EQ(numForcedTopK(g, i), std::count(r.begin(), r.end(), F));
              EXPECT_EQ(numCandidatesTopK(g, i),
                        std::count(r.begin(), r.end(), C));
              std::vector<float> s(r.size(), 0.0f);
              most =
                  std::max<int64_t>(most, selected(selectTopK(r, s, 3)).size());
            }
            EXPECT_EQ(topKCapacity(g, 3), most);
            EXPECT_LE(topKCapacity(g, 3),
                      topKCapacityBound(3, std::min(qb, sq), kb, -1));
          }
}

TEST(BlockGeometry, ThresholdRolesSegments) {
  // Sq = Skv = 512, blocks of 64, segments of 128. Query block 5 (positions
  // 320..383) lies in segment 2 = KV blocks 4 and 5.
  Geometry g = geo(512, 512, 64, 64, true, 128);
  EXPECT_EQ(thresholdRoles(g, 5, -1, false),
            (std::vector<Role>{C, C, C, C, F, F, E, E}));
  EXPECT_EQ(thresholdRoles(g, 5, 0, false),
            (std::vector<Role>{F, C, C, C, F, F, E, E}));
  // Query block 4 (256..319): block 5 is causally future unless keys are
  // permuted within the segment (wholeSegment).
  EXPECT_EQ(thresholdRoles(g, 4, -1, false),
            (std::vector<Role>{C, C, C, C, F, E, E, E}));
  EXPECT_EQ(thresholdRoles(g, 4, -1, true),
            (std::vector<Role>{C, C, C, C, F, F, E, E}));
  // No segment: candidates up to the causal limit.
  EXPECT_EQ(thresholdRoles(geo(512, 512, 64, 64, true), 2, -1, false),
            (std::vector<Role>{C, C, C, E, E, E, E, E}));
  // Non-causal: everything outside the diagonal segment is a candidate.
  EXPECT_EQ(thresholdRoles(geo(512, 512, 64, 64, false, 128), 1, 3, false),
            (std::vector<Role>{F, F, C, F, C, C, C, C}));
  // Sq > Skv, query block with negative positions only: nothing, no sink.
  EXPECT_EQ(thresholdRoles(geo(200, 100, 64, 64, true, 64), 0, 0, false),
            (std::vector<Role>{E, E}));
}

TEST(BlockSelect, TopKHandComputed) {
  std::vector<Role> r = {C, C, C, F, E};
  std::vector<float> s = {3, 1, 2, 5, 0};
  EXPECT_EQ(selected(selectTopK(r, s, 1)), (std::vector<int32_t>{3}));
  EXPECT_EQ(selected(selectTopK(r, s, 2)), (std::vector<int32_t>{0, 3}));
  EXPECT_EQ(selected(selectTopK(r, s, 3)), (std::vector<int32_t>{0, 2, 3}));
  EXPECT_EQ(selected(selectTopK(r, s, 10)), (std::vector<int32_t>{0, 1, 2, 3}));
  // More forced blocks than k: all of them, nothing else.
  EXPECT_EQ(selected(selectTopK({F, F, C}, {0, 0, 9}, 1)),
            (std::vector<int32_t>{0, 1}));
}

TEST(BlockSelect, TopKTiesTowardLowerIndex) {
  std::vector<Role> r = {C, C, C, C, F};
  EXPECT_EQ(selected(selectTopK(r, {1, 2, 2, 2, 0}, 3)),
            (std::vector<int32_t>{1, 2, 4}));
  EXPECT_EQ(selected(selectTopK(r, {0, 0, 0, 0, 0}, 2)),
            (std::vector<int32_t>{0, 4}));
  // NaN ranks as -inf, below every finite score, and ties with -inf.
  EXPECT_EQ(selected(selectTopK({C, C, C}, {kNaN, 0, -1}, 2)),
            (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(selected(selectTopK({C, C, C, C}, {-kInf, kNaN, -kInf, 0}, 3)),
            (std::vector<int32_t>{0, 1, 3}));
}

TEST(BlockSelect, ThresholdHandComputed) {
  std::vector<Role> r = {C, C, C, C};
  std::vector<float> s = logs({0.15, 0.5, 0.05, 0.3});
  EXPECT_EQ(selected(selectThreshold(r, s, 0.45)), (std::vector<int32_t>{1}));
  EXPECT_EQ(selected(selectThreshold(r, s, 0.7)), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(selected(selectThreshold(r, s, 0.9)),
            (std::vector<int32_t>{0, 1, 3}));
  EXPECT_EQ(selected(selectThreshold(r, s, 0.97)),
            (std::vector<int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(selected(selectThreshold(r, s, 1.0)),
            (std::vector<int32_t>{0, 1, 2, 3}));
  // Forced and excluded blocks: forced stay, excluded never enter the
  // softmax (block 0 would otherwise dominate).
  EXPECT_EQ(selected(selectThreshold({E, C, C, F}, {9, 1, 0, -5}, 0.5)),
            (std::vector<int32_t>{1, 3}));
}

TEST(BlockSelect, ThresholdTiesAndNonFinite) {
  // Uniform mass 0.25: the masses before the blocks are 0, .25, .5, .75.
  EXPECT_EQ(selected(selectThreshold({C, C, C, C}, {0, 0, 0, 0}, 0.6)),
            (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(selected(selectThreshold({C, C, C, C}, {1, 0, 1, 0}, 0.3)),
            (std::vector<int32_t>{0}));
  // NaN as -inf: zero mass.
  EXPECT_EQ(selected(selectThreshold({C, C, C}, {kNaN, 0, 1}, 0.5)),
            (std::vector<int32_t>{2}));
  // All -inf or an +inf score: the mass is NaN, every candidate is kept.
  EXPECT_EQ(selected(selectThreshold({C, C}, {-kInf, -kInf}, 0.5)),
            (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(selected(selectThreshold({C, C, C}, {kInf, 0, 1}, 0.5)),
            (std::vector<int32_t>{0, 1, 2}));
}

TEST(BlockSelect, EmptyCandidateSet) {
  EXPECT_EQ(selected(selectThreshold({F, E, E}, {0, 1, 2}, 0.9)),
            (std::vector<int32_t>{0}));
  EXPECT_EQ(selected(selectTopK({E, E}, {0, 1}, 3)), (std::vector<int32_t>{}));
  EXPECT_EQ(selected(selectThreshold({}, {}, 0.9)), (std::vector<int32_t>{}));
}

TEST(BlockCapacity, TopK) {
  EXPECT_EQ(topKCapacity(geo(256, 256, 64, 64, true), 3), 3);
  EXPECT_EQ(topKCapacity(geo(256, 256, 64, 64, true), 10), 4);
  EXPECT_EQ(topKCapacity(geo(100, 200, 64, 64, true), 1), 2);
  EXPECT_EQ(topKCapacity(geo(100, 200, 64, 64, true), 3), 3);
  EXPECT_EQ(topKCapacity(geo(0, 200, 64, 64, true), 3), 0);
  EXPECT_EQ(topKCapacityBound(1, 64, 64, -1), 2);
  EXPECT_EQ(topKCapacityBound(3, 64, 64, -1), 3);
  EXPECT_EQ(topKCapacityBound(1, 128, 64, -1), 3);
  EXPECT_EQ(topKCapacityBound(1, 1, 64, -1), 1);
  EXPECT_EQ(topKCapacityBound(5, 64, 64, 4), 4);
}

TEST(BlockListRow, BuildFromMask) {
  Row row;
  ASSERT_TRUE(buildRow({false, true, false, true, true}, 4, row));
  EXPECT_EQ(row.count, 3);
  EXPECT_EQ(row.indices, (std::vector<int32_t>{1, 3, 4, 0}));
  ASSERT_TRUE(buildRow({false, false}, 3, row));
  EXPECT_EQ(row.count, 0);
  EXPECT_EQ(row.indices, (std::vector<int32_t>{0, 0, 0}));
  std::string err;
  EXPECT_FALSE(buildRow({false, true, false, true, true}, 2, row, &err));
  EXPECT_EQ(err, "3 selected blocks exceed the list capacity 2");
}

TEST(BlockListRow, Validate) {
  std::string err;
  int32_t good[] = {0, 2, 5, 7};
  EXPECT_TRUE(validateRow(good, 4, 3, 6, &err)) << err;
  EXPECT_TRUE(validateRow(good, 4, 0, 1, &err)) << err; // past count: ignored
  EXPECT_FALSE(validateRow(good, 4, 4, 7, &err));
  EXPECT_EQ(err, "entry 3 = 7 is outside [0, 7)");
  int32_t unsorted[] = {0, 3, 2};
  EXPECT_FALSE(validateRow(unsorted, 3, 3, 8, &err));
  EXPECT_EQ(err, "entry 2 = 2 does not exceed the previous entry (sorted, "
                 "unique)");
  int32_t dup[] = {1, 1};
  EXPECT_FALSE(validateRow(dup, 2, 2, 8, &err));
  int32_t neg[] = {-1};
  EXPECT_FALSE(validateRow(neg, 1, 1, 8, &err));
  EXPECT_FALSE(validateRow(good, 4, 5, 8, &err));
  EXPECT_EQ(err, "count 5 is outside [0, 4]");
  EXPECT_FALSE(validateRow(good, 4, -1, 8, &err));
}

TEST(BlockListRow, SelectionRoundTripsThroughValidate) {
  Geometry g = geo(200, 200, 64, 64, true, 128);
  for (int64_t i = 0; i < numQueryBlocks(g); ++i) {
    std::vector<Role> r = thresholdRoles(g, i, 0, false);
    std::vector<float> s;
    for (size_t j = 0; j < r.size(); ++j)
      s.push_back(float((j * 7919 + i * 31) % 11));
    Row row;
    ASSERT_TRUE(buildRow(selectThreshold(r, s, 0.9), numKeyBlocks(g), row));
    std::string err;
    EXPECT_TRUE(validateRow(row.indices.data(), row.indices.size(), row.count,
                            numKeyBlocks(g), &err))
        << err;
  }
}

namespace {
TEST(BlockListRelative, NeedFromTheOwnShare) {
  // Scores 0, 4, 2, 1 (block 1 forced): normalized 0, 1, 0.5, 0.25,
  // total 1.75, own 1; need = 0.8 - 1/1.75 = 0.229 keeps block 2 (mass
  // before it 0) and stops there (0.5/1.75 >= need).
  std::vector<Role> roles = {Role::Candidate, Role::Forced, Role::Candidate,
                             Role::Candidate};
  std::vector<float> s = {0, 4, 2, 1};
  std::vector<bool> m = selectRelative(roles, s, 0.8);
  EXPECT_EQ(m, (std::vector<bool>{false, true, true, false}));
  // The own share already reaches the threshold: nothing else.
  m = selectRelative(roles, s, 0.5);
  EXPECT_EQ(m, (std::vector<bool>{false, true, false, false}));
  // Threshold 1: every candidate; excluded blocks never.
  roles[3] = Role::Excluded;
  m = selectRelative(roles, s, 1.0);
  EXPECT_EQ(m, (std::vector<bool>{true, true, true, false}));
}

TEST(BlockListRelative, EqualScoresAndTies) {
  // All equal: normalized 1 each; own 1 of 4, need = 0.9 - 0.25 = 0.65:
  // candidates in index order until the mass before reaches 0.65 * 4.
  std::vector<Role> roles(4, Role::Candidate);
  roles[2] = Role::Forced;
  std::vector<float> s(4, 3.0f);
  std::vector<bool> m = selectRelative(roles, s, 0.9);
  EXPECT_EQ(m, (std::vector<bool>{true, true, true, true}));
  m = selectRelative(roles, s, 0.6);
  EXPECT_EQ(m, (std::vector<bool>{true, true, true, false}));
}
} // namespace
