//===- bench_common.h - shared pieces of Kiln's bench programs ----------===//
//
// Timing (warm-up, then timed calls; median/min/max), random inputs, error
// measure, JSON escaping, and the Kiln C runtime loaded with dlopen (the
// benches build and run without it and report why Kiln is missing).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BENCH_BENCH_COMMON_H
#define KILN_BENCH_BENCH_COMMON_H

#include "kiln/Runtime/kiln_runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace bench {

inline double nowS() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline std::string jsonEscape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else if (static_cast<unsigned char>(c) >= 0x20)
      out += c;
  }
  return out;
}

// Fills with uniform values in [-1, 1) from a fixed-seed xorshift.
inline void fillRandom(std::vector<float> &v, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float &f : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    f = float(double(x >> 40) / double(1ull << 24) * 2.0 - 1.0);
  }
}

inline double maxRelError(const float *got, const std::vector<float> &ref) {
  double maxRef = 0, maxDiff = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    maxRef = std::max(maxRef, double(std::fabs(ref[i])));
    double d = std::fabs(double(got[i]) - double(ref[i]));
    if (!(d <= maxDiff)) // also catches NaN
      maxDiff = std::isnan(d) ? INFINITY : d;
  }
  return maxRef > 0 ? maxDiff / maxRef : maxDiff;
}

// ---------------------------------------------------------------- Kiln ---
struct KilnRuntime {
  void *handle = nullptr;
  std::string why; // set when unavailable
#define KILN_FN(name) decltype(&::name) name = nullptr;
  KILN_FN(kiln_last_error)
  KILN_FN(kiln_status_name)
  KILN_FN(kiln_artifact_load)
  KILN_FN(kiln_artifact_free)
  KILN_FN(kiln_entry_find)
  KILN_FN(kiln_entry_count)
  KILN_FN(kiln_tensor_create)
  KILN_FN(kiln_tensor_free)
  KILN_FN(kiln_tensor_data)
  KILN_FN(kiln_run)
  KILN_FN(kiln_set_num_threads)
#undef KILN_FN

  bool load(const std::string &path) {
    if (path.empty()) {
      why = "no --kiln-runtime given";
      return false;
    }
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      why = std::string("cannot load the runtime: ") + dlerror();
      return false;
    }
#define KILN_SYM(name)                                                         \
  name = reinterpret_cast<decltype(name)>(dlsym(handle, #name));               \
  if (!name) {                                                                 \
    why = "runtime lacks " #name;                                              \
    return false;                                                              \
  }
    KILN_SYM(kiln_last_error)
    KILN_SYM(kiln_status_name)
    KILN_SYM(kiln_artifact_load)
    KILN_SYM(kiln_artifact_free)
    KILN_SYM(kiln_entry_find)
    KILN_SYM(kiln_entry_count)
    KILN_SYM(kiln_tensor_create)
    KILN_SYM(kiln_tensor_free)
    KILN_SYM(kiln_tensor_data)
    KILN_SYM(kiln_run)
    KILN_SYM(kiln_set_num_threads)
#undef KILN_SYM
    return true;
  }
  std::string err(kiln_status s) {
    return std::string(kiln_status_name(s)) + ": " + kiln_last_error();
  }
};

inline std::string readFirstLine(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "r");
  if (!f)
    return "";
  char buf[512] = {0};
  if (!std::fgets(buf, sizeof(buf), f))
    buf[0] = 0;
  std::fclose(f);
  std::string s(buf);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// ------------------------------------------------------------- results ---
struct Result {
  std::string impl, status = "ok", note;
  double err = -1;
  std::vector<double> times;
};

// Warm-up, then timed calls: at least `reps`, more while the total stays
// under about 1 s (at most 50). `run` returns false on failure.
inline bool timeIt(const std::function<bool()> &run, int reps, double maxWarmupS,
            Result &r) {
  double t0 = nowS();
  if (!run())
    return false;
  double warm = nowS() - t0;
  if (warm > maxWarmupS) {
    r.status = "skipped";
    char buf[128];
    std::snprintf(buf, sizeof(buf),
                  "too slow: one call took %.1f s (> --max-warmup-s %.0f)",
                  warm, maxWarmupS);
    r.note = buf;
    return true;
  }
  if (warm < 0.2) // a few more warm-up calls for fast shapes
    for (int i = 0; i < 3; ++i)
      if (!run())
        return false;
  int n = reps;
  if (warm > 0 && warm * reps < 1.0)
    n = std::min(50, std::max(reps, int(1.0 / std::max(warm, 1e-6))));
  for (int i = 0; i < n; ++i) {
    double s = nowS();
    if (!run())
      return false;
    r.times.push_back(nowS() - s);
  }
  return true;
}

inline std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos)
      end = s.size();
    if (end > start)
      out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Lets the spinning worker threads of the previous library go to sleep
// before the next one runs (both OpenBLAS and libgomp spin a while).
inline void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

} // namespace bench

#endif // KILN_BENCH_BENCH_COMMON_H
