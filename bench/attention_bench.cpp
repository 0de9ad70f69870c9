//===- attention_bench.cpp - fp32 attention: Kiln vs oneDNN-composed ------===//
//
// Times O = softmax(scale * Q K^T + mask) V, layout [B, H, N, d] (K, V with
// Hkv heads, GQA), one thread count, with:
//   onednn  attention composed of oneDNN primitives per (batch, head): a
//           matmul Q K^T with the scale and, for causal / window, the
//           additive mask as a binary post-op, an in-place softmax, and a
//           matmul P V; every score is computed (N x N per head);
//   kiln    an artifact of `kiln-compile --emit=shared` of one
//           kiln.attention (<kiln-dir>/attn_<case>.so, entry "attn"), run
//           through the C runtime: kiln-tile's flash loop nest, which visits
//           only the KV tiles of the causal band or window;
//   kiln_unfused  the same op through Kiln's reference lowering (-O0), the
//           naive oracle, where <kiln-dir>/attn_<case>_unfused.so exists.
// Variants: dense, causal, windowW (causal, W keys per query); blocksP: a
// random block list (128-token blocks, the diagonal block plus random
// causal blocks, P% of the causally visible blocks) given to both (oneDNN
// as an element mask, Kiln as block-list operands); pbs and moba: Kiln's
// approximating rewrites (ops marked kiln.pbs / kiln.route_blocks, the
// passes' defaults) on structured inputs (one heavy-hitter key per
// 32 tokens at a random offset), compared with dense causal
// attention: their error is reported, not checked, and the PBS block
// density before and after permutation comes from kiln/Utils/PbsAnalysis.
// Kiln's output is otherwise checked against oneDNN's (max |O - O_ref| /
// max |O_ref|).
// FLOPs: "useful" = 4 d x (visible query-key pairs), the same for both;
// "executed" = what each implementation computes: all N^2 pairs for oneDNN,
// the visited 128 x 64 tiles for Kiln. One JSON object per line.
//
// Usage: attention_bench --threads T --cases VARIANT:B:H:HKV:N:D[,...]
//          [--impls onednn,kiln,kiln_unfused] [--reps R] [--kiln-dir DIR]
//          [--kiln-runtime LIB] [--max-warmup-s S]
// VARIANT: dense, causal, or windowW (causal, W keys per query: kiln's
// window_left = W - 1).
//===----------------------------------------------------------------------===//

#include "bench_common.h"

#include <oneapi/dnnl/dnnl.hpp>

#include "kiln/Utils/PbsAnalysis.h"

#include <cstdlib>
#include <cstring>
#include <random>
#include <unistd.h>

extern "C" {
void omp_set_num_threads(int);
}

namespace {
using namespace bench;

struct Case {
  std::string variant;
  int64_t b, h, hkv, n, d;
  bool causal() const { return variant != "dense"; }
  bool approximate() const { return variant == "pbs" || variant == "moba"; }
  int64_t blockPercent() const { // -1: no block list
    return variant.rfind("blocks", 0) == 0 ? std::atoll(variant.c_str() + 6)
                                           : -1;
  }
  int64_t window() const { // keys per query (diagonal included); -1: none
    return variant.rfind("window", 0) == 0 ? std::atoll(variant.c_str() + 6)
                                           : -1;
  }
  std::string name() const {
    return variant + "_B" + std::to_string(b) + "_H" + std::to_string(h) +
           "_Hkv" + std::to_string(hkv) + "_N" + std::to_string(n) + "_d" +
           std::to_string(d);
  }
  bool visible(int64_t i, int64_t j) const {
    if (!causal())
      return true;
    if (!list.empty() &&
        !list[size_t((i / kListBlock) * nBlocks() + j / kListBlock)])
      return false;
    return j <= i && (window() < 0 || i - j < window());
  }
  static constexpr int64_t kListBlock = 128;
  int64_t nBlocks() const { return (n + kListBlock - 1) / kListBlock; }
  /// blocksP: the [nBlocks][nBlocks] block mask shared by every head.
  std::vector<bool> list;
  double useful() const {
    if (!list.empty()) { // the listed causal pairs
      double pairs = 0;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j <= i; ++j)
          pairs += visible(i, j);
      return 4.0 * double(d) * pairs * double(b * h);
    }
    double pairs = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t lo = window() < 0 ? 0 : std::max<int64_t>(0, i - window() + 1);
      pairs += causal() ? double(i - lo + 1) : double(n);
    }
    return 4.0 * double(d) * pairs * double(b * h);
  }
  /// Pairs in the tiles kiln-tile visits (its AVX-512 defaults: 128
  /// queries x 64 keys); for a block list, the listed 128 x 128 blocks.
  double kilnExecuted() const {
    if (!list.empty()) {
      double pairs = 0;
      for (int64_t I = 0; I < nBlocks(); ++I)
        for (int64_t J = 0; J <= I; ++J)
          if (list[size_t(I * nBlocks() + J)])
            pairs += double(std::min(kListBlock, n - I * kListBlock)) *
                     double(std::min(kListBlock, n - J * kListBlock));
      return 4.0 * double(d) * pairs * double(b * h);
    }
    const int64_t tq = 128, t = 64;
    double pairs = 0;
    for (int64_t q0 = 0; q0 < n; q0 += tq) {
      int64_t qs = std::min(tq, n - q0);
      int64_t hi = causal() ? q0 + qs - 1 : n - 1;
      int64_t lo =
          window() < 0 ? 0 : std::max<int64_t>(0, q0 - window() + 1);
      for (int64_t k0 = lo / t * t; k0 <= hi; k0 += t)
        pairs += double(qs) * double(std::min(t, n - k0));
    }
    return 4.0 * double(d) * pairs * double(b * h);
  }
  double denseExecuted() const {
    return 4.0 * double(d) * double(n) * double(n) * double(b * h);
  }
};

struct Timed {
  Result r;
  double executed = 0;
  std::string extra; ///< more JSON fields (", \"key\": value ...")
};

void printResult(const Case &c, int threads, const Timed &t) {
  const Result &r = t.r;
  std::printf("{\"case\": \"%s\", \"variant\": \"%s\", \"b\": %lld, "
              "\"h\": %lld, \"hkv\": %lld, \"n\": %lld, \"d\": %lld, "
              "\"threads\": %d, \"impl\": \"%s\", \"status\": \"%s\", "
              "\"note\": \"%s\", \"max_rel_err\": %.3g",
              c.name().c_str(), c.variant.c_str(), (long long)c.b,
              (long long)c.h, (long long)c.hkv, (long long)c.n,
              (long long)c.d, threads, r.impl.c_str(), r.status.c_str(),
              jsonEscape(r.note).c_str(), r.err);
  if (!r.times.empty()) {
    std::vector<double> ts = r.times;
    std::sort(ts.begin(), ts.end());
    double med = ts.size() % 2
                     ? ts[ts.size() / 2]
                     : 0.5 * (ts[ts.size() / 2 - 1] + ts[ts.size() / 2]);
    std::printf(", \"reps\": %zu, \"median_s\": %.6g, \"min_s\": %.6g, "
                "\"max_s\": %.6g, \"useful_gflops\": %.4g, "
                "\"executed_gflops\": %.4g",
                ts.size(), med, ts.front(), ts.back(),
                c.useful() / med * 1e-9, t.executed / med * 1e-9);
  }
  std::printf("%s}\n", t.extra.c_str());
  std::fflush(stdout);
}

/// oneDNN-composed attention for one case; O written to `out`.
struct OneDnnAttention {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  dnnl::matmul qk, pv;
  dnnl::softmax_forward softmax;
  dnnl::memory q, kt, s, v, o, mask;
  const Case &c;
  std::vector<float> scores, maskData;

  explicit OneDnnAttention(const Case &cs) : c(cs) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::dims nd = {c.n, c.d}, dn = {c.d, c.n}, nn = {c.n, c.n};
    dnnl::memory::desc qMd(nd, dt::f32, tag::ab), ktMd(dn, dt::f32, tag::ba),
        sMd(nn, dt::f32, tag::ab), vMd(nd, dt::f32, tag::ab);
    dnnl::primitive_attr attr;
    attr.set_output_scales(0, {1.0f / std::sqrt(float(c.d))});
    if (c.causal()) {
      maskData.assign(size_t(c.n * c.n), 0.0f);
      for (int64_t i = 0; i < c.n; ++i)
        for (int64_t j = 0; j < c.n; ++j)
          if (!c.visible(i, j))
            maskData[size_t(i * c.n + j)] = -INFINITY;
      dnnl::post_ops po;
      po.append_binary(dnnl::algorithm::binary_add, sMd);
      attr.set_post_ops(po);
      mask = dnnl::memory(sMd, eng, maskData.data());
    }
    qk = dnnl::matmul(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(qMd, ktMd, sMd), attr, eng));
    pv = dnnl::matmul(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(sMd, vMd, qMd), eng));
    softmax = dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(
        dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, sMd,
                                    1),
        eng));
    scores.resize(size_t(c.n * c.n));
    q = dnnl::memory(qMd, eng, nullptr);
    kt = dnnl::memory(ktMd, eng, nullptr);
    s = dnnl::memory(sMd, eng, scores.data());
    v = dnnl::memory(vMd, eng, nullptr);
    o = dnnl::memory(qMd, eng, nullptr);
  }

  void run(const float *Q, const float *K, const float *V, float *O) {
    int64_t group = c.h / c.hkv, head = c.n * c.d;
    for (int64_t b = 0; b < c.b; ++b)
      for (int64_t h = 0; h < c.h; ++h) {
        int64_t g = b * c.hkv + h / group, qh = b * c.h + h;
        q.set_data_handle(const_cast<float *>(Q + qh * head));
        kt.set_data_handle(const_cast<float *>(K + g * head));
        v.set_data_handle(const_cast<float *>(V + g * head));
        o.set_data_handle(O + qh * head);
        std::unordered_map<int, dnnl::memory> args = {
            {DNNL_ARG_SRC, q}, {DNNL_ARG_WEIGHTS, kt}, {DNNL_ARG_DST, s}};
        if (c.causal())
          args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = mask;
        qk.execute(strm, args);
        softmax.execute(strm, {{DNNL_ARG_SRC, s}, {DNNL_ARG_DST, s}});
        pv.execute(strm,
                   {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, v}, {DNNL_ARG_DST, o}});
      }
    strm.wait();
  }
};

/// One heavy-hitter key per 32 tokens, at a random offset, that every query
/// attends to (noise plus a shared direction u): every 128-token block
/// looks alike until PBS gathers a segment's hitters into its first block.
void fillStructured(const Case &c, std::vector<float> &Q,
                    std::vector<float> &K) {
  std::mt19937_64 gen(5);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> u(size_t(c.d));
  float norm = 0;
  for (float &x : u) {
    x = noise(gen);
    norm += x * x;
  }
  for (float &x : u)
    x /= std::sqrt(norm);
  for (size_t i = 0; i < Q.size(); ++i)
    Q[i] = 0.5f * noise(gen) + 6.0f * u[i % size_t(c.d)];
  for (float &x : K)
    x = 0.5f * noise(gen);
  const int64_t span = 32;
  std::uniform_int_distribution<int64_t> offset(0, span - 1);
  for (int64_t bh = 0; bh < c.b * c.hkv; ++bh)
    for (int64_t J = 0; J < (c.n + span - 1) / span; ++J) {
      int64_t s = std::min(c.n - 1, J * span + offset(gen));
      for (int64_t x = 0; x < c.d; ++x)
        K[size_t((bh * c.n + s) * c.d + x)] += 30.0f * u[size_t(x)];
    }
}

/// blocksP: the diagonal block plus random causal blocks, P% of the visible
/// blocks per query block (the same list for every head).
void makeBlockList(Case &c) {
  int64_t nb = c.nBlocks();
  c.list.assign(size_t(nb * nb), false);
  std::mt19937_64 gen(11);
  for (int64_t I = 0; I < nb; ++I) {
    std::vector<int64_t> earlier(static_cast<size_t>(I));
    std::iota(earlier.begin(), earlier.end(), int64_t(0));
    std::shuffle(earlier.begin(), earlier.end(), gen);
    int64_t want = std::max<int64_t>(
        1, (c.blockPercent() * (I + 1) + 50) / 100);
    c.list[size_t(I * nb + I)] = true;
    for (int64_t t = 0; t + 1 < want && t < I; ++t)
      c.list[size_t(I * nb + earlier[size_t(t)])] = true;
  }
}

/// Rows of 0/1 of a [rows][cols] mask, as a JSON array of strings.
std::string maskJson(const std::vector<bool> &m, int64_t rows, int64_t cols) {
  std::string out = "[";
  for (int64_t r = 0; r < rows; ++r) {
    out += r ? ", \"" : "\"";
    for (int64_t c = 0; c < cols; ++c)
      out += m[size_t(r * cols + c)] ? '1' : '0';
    out += '"';
  }
  return out + "]";
}

/// Density fields of the approximating variants (PBS from the C++ model of
/// kiln-permute-block-sparse with its defaults; MoBA top-8 in closed form).
std::string densityJson(const Case &c, const std::vector<float> &Q,
                        const std::vector<float> &K) {
  char buf[256];
  if (c.variant == "moba") {
    double sel = 0, vis = 0;
    for (int64_t I = 0; I < c.nBlocks(); ++I) {
      sel += double(std::min<int64_t>(8, I + 1));
      vis += double(I + 1);
    }
    std::snprintf(buf, sizeof(buf), ", \"density\": %.4f", sel / vis);
    return buf;
  }
  kiln::pbs::Problem p;
  p.batch = c.b;
  p.qHeads = c.h;
  p.kvHeads = c.hkv;
  p.queryLen = p.keyLen = c.n;
  p.dim = c.d;
  p.query = Q.data();
  p.key = K.data();
  p.scale = 1.0f / std::sqrt(float(c.d));
  kiln::pbs::Options o; // the pass's defaults: 128, 256, 0.9, sink
  std::vector<int64_t> perm = kiln::pbs::permutation(p, o);
  kiln::pbs::Density before = kiln::pbs::selectionDensity(p, o, nullptr);
  kiln::pbs::Density after = kiln::pbs::selectionDensity(p, o, &perm);
  int64_t nb = c.nBlocks();
  std::snprintf(buf, sizeof(buf),
                ", \"density_unpermuted\": %.4f, \"density\": %.4f",
                before.fraction(), after.fraction());
  return std::string(buf) + ", \"mask_unpermuted\": " +
         maskJson(kiln::pbs::selectionMask(p, o, nullptr, 0, 0), nb, nb) +
         ", \"mask_permuted\": " +
         maskJson(kiln::pbs::selectionMask(p, o, &perm, 0, 0), nb, nb);
}

Case parseCase(const std::string &text) {
  std::vector<std::string> f = split(text, ':');
  if (f.size() != 6) {
    std::fprintf(stderr, "attention_bench: bad case '%s'\n", text.c_str());
    std::exit(2);
  }
  return {f[0], std::atoll(f[1].c_str()), std::atoll(f[2].c_str()),
          std::atoll(f[3].c_str()), std::atoll(f[4].c_str()),
          std::atoll(f[5].c_str())};
}
} // namespace

int main(int argc, char **argv) {
  int threads = 1, reps = 5;
  double maxWarmupS = 30;
  std::string cases, impls = "onednn,kiln,kiln_unfused", kilnDir, kilnRuntime;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "attention_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--cases")
      cases = next();
    else if (a == "--impls")
      impls = next();
    else if (a == "--reps")
      reps = std::atoi(next().c_str());
    else if (a == "--kiln-dir")
      kilnDir = next();
    else if (a == "--kiln-runtime")
      kilnRuntime = next();
    else if (a == "--max-warmup-s")
      maxWarmupS = std::atof(next().c_str());
    else {
      std::fprintf(stderr, "usage: attention_bench --threads T --cases "
                           "VARIANT:B:H:HKV:N:D[,...] [--impls onednn,kiln] "
                           "[--reps R] [--kiln-dir DIR] [--kiln-runtime LIB]\n");
      return 2;
    }
  }
  omp_set_num_threads(threads);
  KilnRuntime kiln;
  bool haveKiln = kiln.load(kilnRuntime);
  if (haveKiln)
    kiln.kiln_set_num_threads(threads);
  std::vector<std::string> want = split(impls, ',');
  auto wanted = [&](const char *n) {
    return std::find(want.begin(), want.end(), n) != want.end();
  };

  for (const std::string &text : split(cases, ',')) {
    Case c = parseCase(text);
    if (c.blockPercent() >= 0)
      makeBlockList(c);
    size_t qn = size_t(c.b * c.h * c.n * c.d), kn = size_t(c.b * c.hkv * c.n * c.d);
    std::vector<float> Q(qn), K(kn), V(kn), ref(qn), got(qn);
    fillRandom(Q, 1);
    fillRandom(K, 2);
    fillRandom(V, 3);
    std::string density;
    if (c.approximate()) {
      fillStructured(c, Q, K);
      density = densityJson(c, Q, K);
    }
    // The approximations are measured against dense causal attention.
    Case exact = c;
    if (c.approximate())
      exact.variant = "causal";
    OneDnnAttention dnnlAttn(exact);
    dnnlAttn.run(Q.data(), K.data(), V.data(), ref.data());
    if (wanted("onednn")) {
      settle();
      Timed t;
      t.r.impl = "onednn";
      t.executed = c.denseExecuted();
      t.r.err = 0;
      timeIt([&] {
        dnnlAttn.run(Q.data(), K.data(), V.data(), got.data());
        return true;
      }, reps, maxWarmupS, t.r);
      printResult(c, threads, t);
    }
    // kiln: the CPU pipeline (kiln-tile); kiln_unfused: the reference
    // lowering (-O0: all N^2 scores, scalar loops), where run.py built it.
    for (const char *impl : {"kiln", "kiln_unfused"}) {
      bool unfused = std::strcmp(impl, "kiln_unfused") == 0;
      std::string path = kilnDir + "/attn_" + c.name() +
                         (unfused ? "_unfused.so" : ".so");
      if (!wanted(impl) || (unfused && access(path.c_str(), R_OK) != 0))
        continue;
      settle();
      Timed t;
      t.r.impl = impl;
      t.executed = unfused ? c.denseExecuted() : c.kilnExecuted();
      kiln_artifact *art = nullptr;
      int entry = -1;
      kiln_tensor *in[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
      int numIn = c.list.empty() ? 3 : 5;
      t.extra = unfused ? "" : density;
      kiln_status st = KILN_OK;
      if (!haveKiln) {
        t.r.status = "unavailable";
        t.r.note = kiln.why;
      } else if ((st = kiln.kiln_artifact_load(path.c_str(), &art)) != KILN_OK ||
                 (entry = kiln.kiln_entry_find(art, "attn")) < 0) {
        t.r.status = "error";
        t.r.note = st != KILN_OK ? kiln.err(st) : "no entry 'attn'";
      } else {
        int64_t qd[4] = {c.b, c.h, c.n, c.d}, kd[4] = {c.b, c.hkv, c.n, c.d};
        kiln.kiln_tensor_create(KILN_F32, 4, qd, Q.data(), &in[0]);
        kiln.kiln_tensor_create(KILN_F32, 4, kd, K.data(), &in[1]);
        kiln.kiln_tensor_create(KILN_F32, 4, kd, V.data(), &in[2]);
        if (numIn == 5) { // the block list, per query head
          int64_t nb = c.nBlocks();
          std::vector<int32_t> idx(size_t(c.b * c.h * nb * nb), 0),
              cnt(size_t(c.b * c.h * nb), 0);
          for (int64_t bh = 0; bh < c.b * c.h; ++bh)
            for (int64_t I = 0; I < nb; ++I) {
              int32_t n = 0;
              for (int64_t J = 0; J < nb; ++J)
                if (c.list[size_t(I * nb + J)])
                  idx[size_t((bh * nb + I) * nb + n++)] = int32_t(J);
              cnt[size_t(bh * nb + I)] = n;
            }
          int64_t id[4] = {c.b, c.h, nb, nb}, cd[3] = {c.b, c.h, nb};
          kiln.kiln_tensor_create(KILN_I32, 4, id, idx.data(), &in[3]);
          kiln.kiln_tensor_create(KILN_I32, 3, cd, cnt.data(), &in[4]);
        }
        auto call = [&](bool check) {
          kiln_tensor *out = nullptr;
          kiln_status s = kiln.kiln_run(art, entry, in, numIn, &out, 1);
          if (s != KILN_OK) {
            t.r.status = "error";
            t.r.note = kiln.err(s);
            return false;
          }
          if (check)
            t.r.err = maxRelError(
                static_cast<const float *>(kiln.kiln_tensor_data(out)), ref);
          kiln.kiln_tensor_free(out);
          return true;
        };
        if (call(true)) {
          if (t.r.err > 1e-4 && !(c.approximate() && !unfused)) {
            t.r.status = "wrong";
            t.r.note = "differs from oneDNN";
          } else {
            timeIt([&] { return call(false); }, reps, maxWarmupS, t.r);
          }
        }
        for (kiln_tensor *x : in)
          if (x)
            kiln.kiln_tensor_free(x);
      }
      if (art)
        kiln.kiln_artifact_free(art);
      printResult(c, threads, t);
    }
  }
  return 0;
}
