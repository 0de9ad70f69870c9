//===- CpuTarget.cpp - resolve --mcpu into a target description -----------===//
#include "kiln/Target/CpuTarget.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/TargetParser/X86TargetParser.h"
#include <unistd.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// LLVM feature names Kiln's code generation may rely on, with the name the
/// runtime finds in /proc/cpuinfo.
struct IsaFeature {
  const char *llvm, *cpuinfo;
};
constexpr IsaFeature kIsaFeatures[] = {
    {"sse4.2", "sse4_2"},     {"avx", "avx"},
    {"avx2", "avx2"},         {"fma", "fma"},
    {"f16c", "f16c"},         {"avx512f", "avx512f"},
    {"avx512bw", "avx512bw"}, {"avx512vl", "avx512vl"},
    {"avx512dq", "avx512dq"}, {"avx512vnni", "avx512_vnni"},
    {"avx512bf16", "avx512_bf16"}, {"amx-tile", "amx_tile"},
    {"amx-int8", "amx_int8"}, {"amx-bf16", "amx_bf16"}};
} // namespace

FailureOr<CpuTarget> mlir::kiln::resolveCpuTarget(StringRef mcpu,
                                                  std::string &error) {
  CpuTarget t;
  t.triple = llvm::sys::getDefaultTargetTriple();
  if (!llvm::Triple(t.triple).isX86()) {
    error = "the CPU target supports x86-64 hosts only, not " + t.triple;
    return failure();
  }
  llvm::StringMap<bool> enabled;
  if (mcpu.empty() || mcpu == "native") {
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
  // Sorted, so the feature string (and the IR carrying it) is deterministic.
  SmallVector<std::string> names;
  for (auto &f : enabled)
    names.push_back((f.getValue() ? "+" : "-") + f.getKey().str());
  llvm::sort(names, [](const std::string &a, const std::string &b) {
    return StringRef(a).drop_front() < StringRef(b).drop_front();
  });
  std::string fs;
  for (const std::string &f : names) {
    if (!fs.empty())
      fs += ",";
    fs += f;
  }
  t.features = fs;
  auto has = [&](StringRef f) { return enabled.lookup(f); };
  for (const IsaFeature &f : kIsaFeatures)
    if (has(f.llvm))
      t.requiredIsa.push_back(f.cpuinfo);
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
  if (mcpu.empty() || mcpu == "native") {
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
