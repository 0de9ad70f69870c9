//===- RunSupport.cpp - kiln-run's work, over the C runtime only -----------===//
#include "RunSupport.h"
#include "kiln/Runtime/Npy.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace kiln;

int run::fail(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  return 1;
}

namespace {
struct Sig {
  kiln_dtype dtype;
  std::vector<int64_t> dims;
};

Sig signature(kiln_artifact *a, int e, int i, bool input) {
  Sig s;
  int rank = 0;
  int64_t dims[KILN_MAX_RANK];
  (input ? kiln_entry_input : kiln_entry_output)(a, e, i, &s.dtype, &rank, dims);
  s.dims.assign(dims, dims + rank);
  return s;
}

std::string format(const Sig &s) {
  std::string r = std::string(kiln_dtype_name(s.dtype)) + "[";
  for (size_t i = 0; i < s.dims.size(); ++i)
    r += (i ? "x" : "") + (s.dims[i] < 0 ? std::string("?")
                                         : std::to_string(s.dims[i]));
  return r + "]";
}

/// splitmix64: the same stream on every platform for a seed.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  float uniform() { return float(next() >> 40) / float(1 << 24) * 2 - 1; }
};

uint16_t toHalf(float f) { // round to nearest even, |f| <= 1 here
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  float a = std::fabs(f);
  if (a < 6.1e-5f) // subnormal half
    return sign | uint16_t(std::nearbyint(a * 16777216.0f));
  int e;
  float m = std::frexp(a, &e); // a = m * 2^e, m in [0.5, 1)
  uint32_t man = uint32_t(std::nearbyint((m * 2 - 1) * 1024));
  int exp = e - 1 + 15;
  if (man == 1024) {
    man = 0;
    ++exp;
  }
  return sign | (exp << 10) | man;
}

/// Random data for a tensor of `s` (documented in docs/Tools.md).
npy::Array randomArray(const Sig &s, Rng &rng) {
  npy::Array a;
  a.descr = npy::descrFor(s.dtype);
  a.shape = s.dims;
  int64_t n = a.numElements();
  size_t item = a.itemsize();
  a.data.resize(n * item);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t *p = a.data.data() + i * item;
    float f = rng.uniform();
    uint64_t r = rng.next();
    switch (s.dtype) {
    case KILN_F32: std::memcpy(p, &f, 4); break;
    case KILN_F64: { double d = f; std::memcpy(p, &d, 8); break; }
    case KILN_F16: { uint16_t h = toHalf(f); std::memcpy(p, &h, 2); break; }
    case KILN_BF16: {
      uint32_t x;
      std::memcpy(&x, &f, 4);
      uint16_t h = uint16_t((x + 0x7FFF + ((x >> 16) & 1)) >> 16);
      std::memcpy(p, &h, 2);
      break;
    }
    case KILN_I64: case KILN_I32: case KILN_I16: case KILN_I8: case KILN_I4: {
      int64_t v = int64_t(r % 16) - 8; // -8..7
      std::memcpy(p, &v, item);
      break;
    }
    case KILN_U8: *p = r % 16; break;
    case KILN_I1: *p = r & 1; break;
    case KILN_F8E4M3FN: case KILN_F8E5M2: *p = r & 0xBF; break; // no inf/NaN
    case KILN_F8E8M0FNU: *p = 125 + r % 5; break; // 2^-2 .. 2^2
    case KILN_F4E2M1FN: *p = r & 0xF; break;
    default: break;
    }
  }
  return a;
}

int checkOutput(int i, const std::string &path, const npy::Array &got,
                kiln_dtype dtype, const run::Options &o) {
  npy::Array want;
  std::string error;
  if (!npy::read(path, want, error))
    return run::fail("--check: " + error);
  bool floatOut = got.descr[1] == 'f' || dtype == KILN_BF16;
  bool sameKind = want.descr == got.descr ||
                  (floatOut && want.descr[1] == 'f');
  if (!sameKind)
    return run::fail("--check " + path + ": dtype " + want.descr +
                     " does not match output " + std::to_string(i) + " (" +
                     kiln_dtype_name(dtype) + ", " + got.descr + ")");
  if (want.shape != got.shape) {
    Sig a{dtype, want.shape}, b{dtype, got.shape};
    return run::fail("--check " + path + ": shape " + format(a) +
                     " does not match output " + std::to_string(i) + " " +
                     format(b));
  }
  kiln_dtype wantType = want.descr == got.descr ? dtype
                        : want.descr == "<f8"   ? KILN_F64
                        : want.descr == "<f2"   ? KILN_F16
                                                : KILN_F32;
  double maxAbs = 0, maxRel = 0;
  int64_t bad = 0, n = got.numElements();
  for (int64_t k = 0; k < n; ++k) {
    double g = npy::elementAsDouble(got, dtype, k);
    double w = npy::elementAsDouble(want, wantType, k);
    if ((std::isnan(g) && std::isnan(w)) || g == w)
      continue;
    double err = std::fabs(g - w);
    if (std::isnan(err))
      err = INFINITY;
    maxAbs = std::max(maxAbs, err);
    if (w != 0)
      maxRel = std::max(maxRel, err / std::fabs(w));
    // Unequal values where either side is not finite always differ (an
    // infinite reference would otherwise make the bound infinite).
    if (!std::isfinite(g) || !std::isfinite(w) ||
        !(err <= o.atol + o.rtol * std::fabs(w)))
      ++bad;
  }
  std::printf("check output %d: max abs error %.3g, max rel error %.3g "
              "(rtol %g, atol %g): %s", i, maxAbs, maxRel, o.rtol, o.atol,
              bad ? "MISMATCH" : "ok");
  if (bad)
    std::printf(" (%lld of %lld elements)", (long long)bad, (long long)n);
  std::printf("\n");
  return bad ? 1 : 0;
}
} // namespace

int run::run(kiln_artifact *a, const Options &o) {
  int numEntries = kiln_entry_count(a);
  if (o.list) {
    std::string isa = kiln_artifact_isa(a);
    std::printf("isa: %s\n", isa.empty() ? "(none)" : isa.c_str());
    for (int e = 0; e < numEntries; ++e) {
      std::printf("entry %s(", kiln_entry_name(a, e));
      for (int i = 0; i < kiln_entry_num_inputs(a, e); ++i)
        std::printf("%s%s", i ? ", " : "", format(signature(a, e, i, true)).c_str());
      std::printf(") -> (");
      for (int i = 0; i < kiln_entry_num_outputs(a, e); ++i)
        std::printf("%s%s", i ? ", " : "", format(signature(a, e, i, false)).c_str());
      int64_t flops = kiln_entry_flops(a, e);
      if (flops >= 0)
        std::printf(")  flops=%lld\n", (long long)flops);
      else
        std::printf(")\n");
    }
    return 0;
  }
  int e = 0;
  if (!o.entry.empty()) {
    e = kiln_entry_find(a, o.entry.c_str());
    if (e < 0) {
      std::string names;
      for (int k = 0; k < numEntries; ++k)
        names += std::string(k ? ", " : "") + kiln_entry_name(a, k);
      return fail("no entry point '" + o.entry + "' (the artifact has: " +
                  names + ")");
    }
  } else if (numEntries != 1) {
    return fail("the artifact has " + std::to_string(numEntries) +
                " entry points; pick one with --entry (see --list)");
  }
  std::string name = kiln_entry_name(a, e);
  int numIn = kiln_entry_num_inputs(a, e), numOut = kiln_entry_num_outputs(a, e);
  if (!o.inputs.empty() && int(o.inputs.size()) != numIn)
    return fail("entry '" + name + "' takes " + std::to_string(numIn) +
                " inputs, got " + std::to_string(o.inputs.size()) +
                " --input files");
  if (int(o.outputs.size()) > numOut || int(o.checks.size()) > numOut)
    return fail("entry '" + name + "' has " + std::to_string(numOut) +
                " outputs, more --output/--check files were given");

  std::vector<kiln_tensor *> ins(numIn, nullptr), outs(numOut, nullptr);
  auto cleanup = [&](int rc) {
    for (kiln_tensor *t : ins)
      kiln_tensor_free(t);
    for (kiln_tensor *t : outs)
      kiln_tensor_free(t);
    return rc;
  };
  Rng rng{o.seed};
  for (int i = 0; i < numIn; ++i) {
    Sig s = signature(a, e, i, true);
    npy::Array arr;
    std::string error, what = "input " + std::to_string(i);
    if (!o.inputs.empty()) {
      what += " (" + o.inputs[i] + ")";
      if (!npy::read(o.inputs[i], arr, error))
        return cleanup(fail(error));
    } else {
      if (std::count(s.dims.begin(), s.dims.end(), -1))
        return cleanup(fail(what + " of '" + name + "' has dynamic dims " +
                            format(s) + "; give its data with --input"));
      arr = randomArray(s, rng);
    }
    std::vector<uint8_t> data;
    if (!npy::toTensorData(arr, s.dtype, data, error))
      return cleanup(fail(what + " of '" + name + "': " + error));
    if (kiln_tensor_create(s.dtype, int(arr.shape.size()), arr.shape.data(),
                           data.data(), &ins[i]) != KILN_OK)
      return cleanup(fail(what + ": " + kiln_last_error()));
  }
  if (kiln_run(a, e, ins.data(), numIn, outs.data(), numOut) != KILN_OK)
    return cleanup(fail(kiln_last_error()));

  int rc = 0;
  for (int i = 0; i < numOut; ++i) {
    kiln_dtype dt = kiln_tensor_dtype(outs[i]);
    std::vector<int64_t> shape;
    for (int d = 0; d < kiln_tensor_rank(outs[i]); ++d)
      shape.push_back(kiln_tensor_dim(outs[i], d));
    npy::Array arr = npy::fromTensor(
        dt, shape, static_cast<const uint8_t *>(kiln_tensor_data(outs[i])));
    std::string error;
    if (i < int(o.outputs.size()) && !npy::write(o.outputs[i], arr, error))
      return cleanup(fail(error));
    if (i < int(o.checks.size()) && checkOutput(i, o.checks[i], arr, dt, o))
      rc = 1;
    if (o.outputs.empty() && o.checks.empty() && !o.bench)
      std::printf("output %d: %s\n", i, format({dt, shape}).c_str());
  }
  if (o.bench) {
    std::vector<double> ms;
    for (unsigned k = 0; k < o.bench; ++k) {
      std::vector<kiln_tensor *> tmp(numOut, nullptr);
      auto t0 = std::chrono::steady_clock::now();
      kiln_status st = kiln_run(a, e, ins.data(), numIn, tmp.data(), numOut);
      auto t1 = std::chrono::steady_clock::now();
      for (kiln_tensor *t : tmp)
        kiln_tensor_free(t);
      if (st != KILN_OK)
        return cleanup(fail(kiln_last_error()));
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    double median = ms.size() % 2 ? ms[ms.size() / 2]
                                  : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("bench %s: %u runs, median %.4f ms, min %.4f ms, max %.4f ms",
                name.c_str(), o.bench, median, ms.front(), ms.back());
    int64_t flops = kiln_entry_flops(a, e);
    if (flops >= 0 && median > 0)
      std::printf(", %.3f GFLOP/s", double(flops) / (median * 1e6));
    std::printf("\n");
  }
  return cleanup(rc);
}
