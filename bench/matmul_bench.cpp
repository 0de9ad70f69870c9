//===- matmul_bench.cpp - fp32 C = A * B: Kiln vs oneDNN vs OpenBLAS ------===//
//
// Times row-major fp32 C[M,N] = A[M,K] * B[K,N] for the given shapes on one
// thread count, with:
//   openblas      cblas_sgemm (threads: openblas_set_num_threads)
//   onednn        the oneDNN matmul primitive, plain (ab) layouts, created
//                 once outside the timed region (threads: OpenMP, libgomp)
//   onednn_sgemm  dnnl_sgemm (off by default)
//   kiln          an artifact of `kiln-compile --emit=shared` for the shape
//                 (<kiln-dir>/mm_MxKxN.so, entry "matmul"), run through the C
//                 runtime (kiln_run), which is dlopen'ed: the bench builds
//                 and runs without it and reports why Kiln is missing.
// Every implementation is first checked against the OpenBLAS result (max
// |C - C_ref| / max |C_ref|); a wrong result is reported and not timed.
// Timing: warm-up, then at least `--reps` calls (more for fast shapes, up to
// about 1 s), each timed alone; median, min and max. GFLOP/s = 2*M*N*K / t.
// One JSON object per (shape, implementation) line on stdout.
//
// Usage: matmul_bench --threads T --shapes MxKxN[,MxKxN...]
//          [--impls openblas,onednn,kiln] [--reps R] [--kiln-dir DIR]
//          [--kiln-runtime LIB] [--max-warmup-s S]
//===----------------------------------------------------------------------===//

#include "bench_common.h"

#include <cblas.h>
#include <dlfcn.h>
#include <malloc.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern "C" {
// From libgomp, the OpenMP runtime Debian's libdnnl is built with.
void omp_set_num_threads(int);
int omp_get_max_threads(void);
}

namespace {
using namespace bench;

// Max |C - C_ref| / max |C_ref| accepted (fp32 sums in different orders).
constexpr double kTolerance = 1e-4;

struct Shape {
  int64_t m, k, n;
  std::string name() const {
    return std::to_string(m) + "x" + std::to_string(k) + "x" +
           std::to_string(n);
  }
  double flops() const { return 2.0 * double(m) * double(n) * double(k); }
};

void printResult(const Shape &s, int threads, const Result &r) {
  std::printf("{\"shape\": \"%s\", \"m\": %lld, \"k\": %lld, \"n\": %lld, "
              "\"threads\": %d, \"impl\": \"%s\", \"status\": \"%s\", "
              "\"note\": \"%s\", \"max_rel_err\": %.3g",
              s.name().c_str(), (long long)s.m, (long long)s.k,
              (long long)s.n, threads, r.impl.c_str(), r.status.c_str(),
              jsonEscape(r.note).c_str(), r.err);
  if (!r.times.empty()) {
    std::vector<double> t = r.times;
    std::sort(t.begin(), t.end());
    double med = t.size() % 2 ? t[t.size() / 2]
                              : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
    std::printf(", \"reps\": %zu, \"median_s\": %.6g, \"min_s\": %.6g, "
                "\"max_s\": %.6g, \"gflops\": %.4g, \"gflops_best\": %.4g, "
                "\"gflops_worst\": %.4g",
                t.size(), med, t.front(), t.back(), s.flops() / med * 1e-9,
                s.flops() / t.front() * 1e-9, s.flops() / t.back() * 1e-9);
  }
  std::printf("}\n");
  std::fflush(stdout);
}

void usage() {
  std::fprintf(
      stderr,
      "usage: matmul_bench --threads T --shapes MxKxN[,MxKxN...]\n"
      "         [--impls openblas,onednn,onednn_sgemm,kiln] [--reps R]\n"
      "         [--kiln-dir DIR] [--kiln-runtime LIB] [--max-warmup-s S]\n"
      "         [--info]\n");
}

} // namespace

int main(int argc, char **argv) {
  int threads = 1, reps = 5;
  double maxWarmupS = 30;
  std::string shapesArg, implsArg = "openblas,onednn,kiln", kilnDir,
                         kilnRuntimePath;
  bool info = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--shapes")
      shapesArg = next();
    else if (a == "--impls")
      implsArg = next();
    else if (a == "--reps")
      reps = std::atoi(next().c_str());
    else if (a == "--kiln-dir")
      kilnDir = next();
    else if (a == "--kiln-runtime")
      kilnRuntimePath = next();
    else if (a == "--max-warmup-s")
      maxWarmupS = std::atof(next().c_str());
    else if (a == "--info")
      info = true;
    else {
      usage();
      return 2;
    }
  }
  if (threads <= 0)
    threads = int(sysconf(_SC_NPROCESSORS_ONLN));
  reps = std::max(reps, 1);

  // Freed result buffers are reused instead of being unmapped and faulted in
  // again on every call (matters for Kiln, whose results are malloc'ed by
  // the artifact on each call; harmless for the others).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  const dnnl_version_t *ver = dnnl_version();
  std::printf("{\"info\": \"threads\", \"threads\": %d, \"openblas_threads\": "
              "%d, \"omp_threads\": %d}\n",
              threads, openblas_get_num_threads(), omp_get_max_threads());
  std::printf("{\"info\": \"blas\", \"openblas_config\": \"%s\", "
              "\"openblas_core\": \"%s\", \"onednn_version\": \"%d.%d.%d\", "
              "\"onednn_runtime\": \"%s\"}\n",
              jsonEscape(openblas_get_config()).c_str(),
              jsonEscape(openblas_get_corename()).c_str(), ver->major,
              ver->minor, ver->patch,
              ver->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other");
  if (info)
    return 0;

  std::vector<Shape> shapes;
  for (const std::string &s : split(shapesArg, ',')) {
    Shape sh{};
    if (std::sscanf(s.c_str(), "%lldx%lldx%lld", (long long *)&sh.m,
                    (long long *)&sh.k, (long long *)&sh.n) != 3 ||
        sh.m <= 0 || sh.k <= 0 || sh.n <= 0) {
      std::fprintf(stderr, "bad shape '%s' (want MxKxN)\n", s.c_str());
      return 2;
    }
    shapes.push_back(sh);
  }
  if (shapes.empty()) {
    usage();
    return 2;
  }
  std::vector<std::string> impls = split(implsArg, ',');

  KilnRuntime kiln;
  bool wantKiln = std::find(impls.begin(), impls.end(), "kiln") != impls.end();
  bool kilnOk = wantKiln && kiln.load(kilnRuntimePath);
  if (kilnOk)
    kiln.kiln_set_num_threads(threads);

  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);

  for (const Shape &s : shapes) {
    std::vector<float> a(size_t(s.m * s.k)), b(size_t(s.k * s.n)),
        ref(size_t(s.m * s.n)), c(size_t(s.m * s.n));
    fillRandom(a, 1);
    fillRandom(b, 2);
    const int m = int(s.m), k = int(s.k), n = int(s.n);
    auto sgemm = [&](float *out) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f,
                  a.data(), k, b.data(), n, 0.0f, out, n);
    };
    sgemm(ref.data());
    // Checks the first result against OpenBLAS's, then times `run` if right.
    // Returns false if the result was wrong.
    auto checkThenTime = [&](const std::function<bool()> &run,
                             const float *out, Result &r) {
      r.err = maxRelError(out, ref);
      if (!(r.err <= kTolerance)) {
        r.status = "wrong";
        r.note += (r.note.empty() ? "" : "; ") +
                  std::string("result differs from OpenBLAS, not timed");
        return false;
      }
      timeIt(run, reps, maxWarmupS, r);
      return true;
    };

    for (const std::string &impl : impls) {
      Result r;
      r.impl = impl;
      settle();
      if (impl == "openblas") {
        auto run = [&] {
          sgemm(c.data());
          return true;
        };
        run();
        checkThenTime(run, c.data(), r);
      } else if (impl == "onednn" || impl == "onednn_sgemm") {
        if (impl == "onednn_sgemm") {
          auto run = [&] {
            return dnnl_sgemm('N', 'N', m, n, k, 1.0f, a.data(), k, b.data(),
                              n, 0.0f, c.data(), n) == dnnl_success;
          };
          std::fill(c.begin(), c.end(), NAN);
          if (!run()) {
            r.status = "error";
            r.note = "dnnl_sgemm failed";
          } else {
            checkThenTime(run, c.data(), r);
          }
        } else {
          using dt = dnnl::memory::data_type;
          using tag = dnnl::memory::format_tag;
          dnnl::memory::desc aMd({s.m, s.k}, dt::f32, tag::ab),
              bMd({s.k, s.n}, dt::f32, tag::ab),
              cMd({s.m, s.n}, dt::f32, tag::ab);
#if DNNL_VERSION_MAJOR >= 3
          dnnl::matmul::primitive_desc pd(eng, aMd, bMd, cMd);
#else
          dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aMd, bMd, cMd),
                                          eng);
#endif
          dnnl::matmul prim(pd);
          dnnl::memory aMem(aMd, eng, a.data()), bMem(bMd, eng, b.data()),
              cMem(cMd, eng, c.data());
          r.note = std::string("impl ") + pd.impl_info_str();
          auto run = [&] {
            prim.execute(strm, {{DNNL_ARG_SRC, aMem},
                                {DNNL_ARG_WEIGHTS, bMem},
                                {DNNL_ARG_DST, cMem}});
            strm.wait();
            return true;
          };
          std::fill(c.begin(), c.end(), NAN);
          run();
          checkThenTime(run, c.data(), r);
        }
      } else if (impl == "kiln") {
        std::string base = kilnDir + "/mm_" + s.name();
        std::string compileErr = readFirstLine(base + ".err");
        if (!compileErr.empty() || !kilnOk ||
            access((base + ".so").c_str(), R_OK) != 0) {
          r.status = "unavailable";
          r.note = !compileErr.empty() ? compileErr
                   : !kilnOk           ? kiln.why
                                       : "no artifact " + base + ".so";
        } else {
          kiln_artifact *art = nullptr;
          kiln_status st = kiln.kiln_artifact_load((base + ".so").c_str(), &art);
          int entry = st == KILN_OK ? kiln.kiln_entry_find(art, "matmul") : -1;
          if (st != KILN_OK) {
            r.status = "error";
            r.note = "load: " + kiln.err(st);
          } else if (entry < 0) {
            r.status = "error";
            r.note = "artifact has no entry 'matmul'";
          } else {
            int64_t aDims[2] = {s.m, s.k}, bDims[2] = {s.k, s.n};
            kiln_tensor *in[2] = {nullptr, nullptr};
            kiln_status s1 =
                kiln.kiln_tensor_create(KILN_F32, 2, aDims, a.data(), &in[0]);
            kiln_status s2 =
                kiln.kiln_tensor_create(KILN_F32, 2, bDims, b.data(), &in[1]);
            kiln_tensor *out = nullptr;
            std::string runErr;
            auto run = [&] {
              kiln_tensor *o = nullptr;
              kiln_status rs = kiln.kiln_run(art, entry, in, 2, &o, 1);
              if (rs != KILN_OK) {
                runErr = kiln.err(rs);
                return false;
              }
              if (out)
                kiln.kiln_tensor_free(out);
              out = o;
              return true;
            };
            if (s1 != KILN_OK || s2 != KILN_OK) {
              r.status = "error";
              r.note = "tensor_create: " + kiln.err(s1 != KILN_OK ? s1 : s2);
            } else if (!run()) {
              r.status = "error";
              r.note = "run: " + runErr;
            } else if (checkThenTime(
                           run,
                           static_cast<const float *>(
                               kiln.kiln_tensor_data(out)),
                           r) &&
                       !runErr.empty()) {
              r.status = "error";
              r.note = "run: " + runErr;
              r.times.clear();
            }
            if (out)
              kiln.kiln_tensor_free(out);
            for (kiln_tensor *t : in)
              if (t)
                kiln.kiln_tensor_free(t);
          }
          if (art)
            kiln.kiln_artifact_free(art);
        }
      } else {
        r.status = "error";
        r.note = "unknown implementation";
      }
      printResult(s, threads, r);
    }
  }
  return 0;
}
