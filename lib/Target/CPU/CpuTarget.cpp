//===- CpuTarget.cpp - resolve --mcpu into a target description -----------===//
#include "kiln/Target/CpuTarget.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// The x86 features compiled code may use, with the flag the runtime finds
/// in /proc/cpuinfo. LLVM gets exactly these (where the CPU has them) and
/// every other feature it knows is turned off, so an artifact records, and
/// the runtime checks, everything its code can execute: a feature outside
/// this table (gfni, vaes, avx512vp2intersect, ...) is never emitted.
struct IsaFeature {
  const char *llvm, *cpuinfo;
};
constexpr IsaFeature kIsaFeatures[] = {
    // The x86-64 baseline.
    {"64bit", "lm"}, {"cmov", "cmov"}, {"cx8", "cx8"}, {"fxsr", "fxsr"},
    {"mmx", "mmx"}, {"sse", "sse"}, {"sse2", "sse2"}, {"x87", "fpu"},
    // x86-64-v2 and v3.
    {"cx16", "cx16"}, {"sahf", "lahf_lm"}, {"popcnt", "popcnt"},
    {"sse3", "pni"}, {"ssse3", "ssse3"}, {"sse4.1", "sse4_1"},
    {"sse4.2", "sse4_2"}, {"crc32", "sse4_2"}, {"avx", "avx"},
    {"avx2", "avx2"}, {"fma", "fma"}, {"f16c", "f16c"}, {"bmi", "bmi1"},
    {"bmi2", "bmi2"}, {"lzcnt", "abm"}, {"movbe", "movbe"},
    {"xsave", "xsave"},
    // AVX-512 (evex512 is LLVM's switch for 512-bit vectors) and friends.
    {"avx512f", "avx512f"}, {"evex512", "avx512f"}, {"avx512cd", "avx512cd"},
    {"avx512bw", "avx512bw"}, {"avx512dq", "avx512dq"},
    {"avx512vl", "avx512vl"}, {"avx512vnni", "avx512_vnni"},
    {"avx512bf16", "avx512_bf16"}, {"avx512fp16", "avx512_fp16"},
    {"avx512vbmi", "avx512vbmi"}, {"avx512vbmi2", "avx512_vbmi2"},
    {"avx512ifma", "avx512ifma"}, {"avx512bitalg", "avx512_bitalg"},
    {"avx512vpopcntdq", "avx512_vpopcntdq"}, {"avxvnni", "avx_vnni"},
    {"amx-tile", "amx_tile"}, {"amx-int8", "amx_int8"},
    {"amx-bf16", "amx_bf16"}};

const IsaFeature *findFeature(StringRef llvmName) {
  for (const IsaFeature &f : kIsaFeatures)
    if (llvmName == f.llvm)
      return &f;
  return nullptr;
}

/// The host's /proc/cpuinfo flags (empty if unreadable). A flag the kernel
/// hides (no OS support for its state) must not be used even when CPUID
/// reports it.
std::set<std::string> hostCpuinfoFlags() {
  std::set<std::string> flags;
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("flags", 0) != 0)
      continue;
    std::istringstream ls(line.substr(line.find(':') + 1));
    for (std::string f; ls >> f;)
      flags.insert(f);
    break;
  }
  return flags;
}
} // namespace

FailureOr<CpuTarget> mlir::kiln::resolveCpuTarget(StringRef mcpu,
                                                  std::string &error) {
  CpuTarget t;
  t.triple = llvm::sys::getDefaultTargetTriple();
  if (!llvm::Triple(t.triple).isX86()) {
    error = "the CPU target supports x86-64 hosts only, not " + t.triple;
    return failure();
  }
  bool native = mcpu.empty() || mcpu == "native";
  llvm::StringMap<bool> enabled;
  if (native) {
    t.cpu = llvm::sys::getHostCPUName().str();
    for (auto &f : llvm::sys::getHostCPUFeatures())
      enabled[f.getKey()] = f.getValue();
  } else {
    if (llvm::X86::parseArchX86(mcpu, /*Only64Bit=*/true) ==
        llvm::X86::CK_None) {
      error = "unknown --mcpu '" + mcpu.str() +
              "' (expected native or an x86-64 CPU name such as "
              "sapphirerapids, skylake-avx512, x86-64-v3)";
      return failure();
    }
    t.cpu = mcpu.str();
    SmallVector<StringRef> feats;
    llvm::X86::getFeaturesForCPU(mcpu, feats, /*NeedPlus=*/false);
    // The CPU's own list omits implied features (x86-64-v3 names avx2,
    // not avx): close it under implication.
    for (StringRef f : feats) {
      enabled[f] = true;
      llvm::X86::updateImpliedFeatures(f, true, enabled);
    }
  }
  // The CPU name implies features of its own: name each one so that the
  // explicit list below decides all of them.
  SmallVector<StringRef> implied;
  llvm::X86::getFeaturesForCPU(t.cpu, implied, /*NeedPlus=*/false);
  for (StringRef f : implied)
    enabled.try_emplace(f, false);
  std::set<std::string> hostFlags;
  if (native)
    hostFlags = hostCpuinfoFlags();
  auto usable = [&](StringRef f, bool on) {
    const IsaFeature *known = findFeature(f);
    return on && known && (!native || hostFlags.empty() ||
                           hostFlags.count(known->cpuinfo));
  };
  // Sorted, so the feature string (and the IR carrying it) is
  // deterministic; a feature is either in the recorded ISA or off.
  SmallVector<std::string> names;
  std::set<std::string> recorded;
  for (auto &f : enabled) {
    bool on = usable(f.getKey(), f.getValue());
    names.push_back((on ? "+" : "-") + f.getKey().str());
    if (on)
      recorded.insert(findFeature(f.getKey())->cpuinfo);
  }
  llvm::sort(names, [](const std::string &a, const std::string &b) {
    return StringRef(a).drop_front() < StringRef(b).drop_front();
  });
  t.features = llvm::join(names, ",");
  t.requiredIsa.assign(recorded.begin(), recorded.end());
  auto has = [&](StringRef f) { return usable(f, enabled.lookup(f)); };
  t.hasFma = has("fma");
  if (has("avx512f")) {
    t.vectorBits = 512;
    t.numVectorRegs = 32;
  } else if (has("avx")) {
    t.vectorBits = 256;
    t.numVectorRegs = 16;
  }
  // Cache sizes: the host's when compiling natively (sysconf), otherwise
  // typical server values; they only steer tile sizes.
  if (native) {
#ifdef _SC_LEVEL1_DCACHE_SIZE
    long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE),
         l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (l1 > 0)
      t.l1dBytes = l1;
    if (l2 > 0)
      t.l2Bytes = l2;
    if (l3 > 0)
      t.l3Bytes = l3;
#endif
  }
  return t;
}

FailureOr<CpuTarget> mlir::kiln::resolveCpuTarget(Operation *op,
                                                  StringRef mcpu) {
  std::string error;
  FailureOr<CpuTarget> target = resolveCpuTarget(mcpu, error);
  if (failed(target))
    op->emitError() << error;
  return target;
}
