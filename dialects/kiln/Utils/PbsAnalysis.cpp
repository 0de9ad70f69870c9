//===- PbsAnalysis.cpp - PBS permutation and block density ----------------===//
#include "PbsAnalysis.h"
#include "BlockList.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace kiln;
using namespace kiln::pbs;

namespace {
const float *row(const float *base, int64_t heads, int64_t len, int64_t dim,
                 int64_t b, int64_t h, int64_t s) {
  return base + ((b * heads + h) * len + s) * dim;
}

double dot(const float *x, const float *y, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += double(x[i]) * double(y[i]);
  return s;
}
} // namespace

std::vector<int64_t> kiln::pbs::permutation(const Problem &p,
                                            const Options &o) {
  std::vector<int64_t> perm(size_t(p.batch * p.kvHeads * p.keyLen));
  int64_t group = p.qHeads / p.kvHeads;
  int64_t last = std::min(o.block, p.queryLen);
  int64_t complete =
      p.keyLen <= o.segment ? 0 : p.keyLen / o.segment * o.segment;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t g = 0; g < p.kvHeads; ++g) {
      int64_t *out = &perm[size_t((b * p.kvHeads + g) * p.keyLen)];
      std::iota(out, out + p.keyLen, int64_t(0));
      if (!complete)
        continue;
      std::vector<double> score(size_t(complete), 0.0), logits(score.size());
      for (int64_t e = 0; e < group; ++e)
        for (int64_t r = p.queryLen - last; r < p.queryLen; ++r) {
          const float *q = row(p.query, p.qHeads, p.queryLen, p.dim, b,
                               g * group + e, r);
          double mx = -INFINITY, sum = 0;
          for (int64_t j = 0; j < complete; ++j) {
            logits[j] = p.scale * dot(q, row(p.key, p.kvHeads, p.keyLen,
                                             p.dim, b, g, j), p.dim);
            mx = std::max(mx, logits[j]);
          }
          for (int64_t j = 0; j < complete; ++j)
            sum += (logits[j] = std::exp(logits[j] - mx));
          for (int64_t j = 0; j < complete; ++j)
            score[j] += logits[j] / sum;
        }
      // Descending, ties toward the lower index (a stable order).
      for (int64_t s0 = 0; s0 < complete; s0 += o.segment)
        std::sort(out + s0, out + s0 + o.segment, [&](int64_t a, int64_t c) {
          return score[a] > score[c] || (score[a] == score[c] && a < c);
        });
    }
  return perm;
}

namespace {
/// The threshold selection of (b, g) as a [nQ][nK] mask.
std::vector<bool> maskOf(const Problem &p, const Options &o,
                         const std::vector<int64_t> *perm,
                         const blocklist::Geometry &geo, int64_t b,
                         int64_t g) {
  int64_t nQ = blocklist::numQueryBlocks(geo);
  int64_t nK = blocklist::numKeyBlocks(geo);
  int64_t group = p.qHeads / p.kvHeads;
  const int64_t *order =
      perm ? &(*perm)[size_t((b * p.kvHeads + g) * p.keyLen)] : nullptr;
  auto keyAt = [&](int64_t pos) { return order ? order[pos] : pos; };
  // Mean keys of each block (in the permuted order).
  std::vector<double> kbar(size_t(nK * p.dim), 0.0);
  for (int64_t J = 0; J < nK; ++J) {
    int64_t lo = J * o.block, hi = std::min(p.keyLen, lo + o.block);
    for (int64_t s = lo; s < hi; ++s) {
      const float *k = row(p.key, p.kvHeads, p.keyLen, p.dim, b, g, keyAt(s));
      for (int64_t x = 0; x < p.dim; ++x)
        kbar[size_t(J * p.dim + x)] += k[x] / double(hi - lo);
    }
  }
  int64_t sinkBlock = -1;
  if (o.sink)
    for (int64_t s = 0; s < p.keyLen && sinkBlock < 0; ++s)
      if (keyAt(s) == 0)
        sinkBlock = s / o.block;
  std::vector<bool> mask(size_t(nQ * nK), false);
  for (int64_t I = 0; I < nQ; ++I) {
    int64_t lo = I * o.block, hi = std::min(p.queryLen, lo + o.block);
    std::vector<double> qbar(size_t(p.dim), 0.0);
    for (int64_t e = 0; e < group; ++e)
      for (int64_t s = lo; s < hi; ++s) {
        const float *q = row(p.query, p.qHeads, p.queryLen, p.dim, b,
                             g * group + e, s);
        for (int64_t x = 0; x < p.dim; ++x)
          qbar[size_t(x)] += q[x] / double((hi - lo) * group);
      }
    std::vector<float> scores(static_cast<size_t>(nK));
    for (int64_t J = 0; J < nK; ++J) {
      double s = 0;
      for (int64_t x = 0; x < p.dim; ++x)
        s += qbar[size_t(x)] * kbar[size_t(J * p.dim + x)];
      scores[size_t(J)] = float(p.scale * s);
    }
    std::vector<blocklist::Role> roles = blocklist::thresholdRoles(
        geo, I, sinkBlock, /*wholeSegment=*/perm != nullptr);
    std::vector<bool> sel =
        blocklist::selectThreshold(roles, scores, o.threshold);
    for (int64_t J = 0; J < nK; ++J)
      mask[size_t(I * nK + J)] = sel[size_t(J)];
  }
  return mask;
}

blocklist::Geometry geometryOf(const Problem &p, const Options &o) {
  blocklist::Geometry geo;
  geo.queryLen = p.queryLen;
  geo.keyLen = p.keyLen;
  geo.queryBlock = geo.keyBlock = o.block;
  geo.segment = o.segment;
  geo.causal = true;
  return geo;
}
} // namespace

std::vector<bool> kiln::pbs::selectionMask(const Problem &p, const Options &o,
                                           const std::vector<int64_t> *perm,
                                           int64_t b, int64_t g) {
  return maskOf(p, o, perm, geometryOf(p, o), b, g);
}

Density kiln::pbs::selectionDensity(const Problem &p, const Options &o,
                                    const std::vector<int64_t> *perm) {
  blocklist::Geometry geo = geometryOf(p, o);
  int64_t nQ = blocklist::numQueryBlocks(geo);
  int64_t nK = blocklist::numKeyBlocks(geo);
  Density d;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t g = 0; g < p.kvHeads; ++g) {
      std::vector<bool> mask = maskOf(p, o, perm, geo, b, g);
      for (int64_t I = 0; I < nQ; ++I) {
        int64_t last = blocklist::lastPosition(geo, I);
        for (int64_t J = 0; J < nK; ++J) {
          d.visible += last >= 0 && J * o.block <= last;
          d.selected += mask[size_t(I * nK + J)];
        }
      }
    }
  return d;
}
