//===- CpuTarget.h - the one CPU target description -------------*- C++ -*-===//
//
// Shared by the CPU pipeline (tile sizes, vector width), the driver
// (TargetMachine, the ISA an artifact records) and the runtime's checks.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPUTARGET_H
#define KILN_TARGET_CPUTARGET_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace mlir::kiln {

struct CpuTarget {
  std::string triple;   // e.g. x86_64-unknown-linux-gnu
  std::string cpu;      // LLVM CPU name after resolving "native"
  std::string features; // LLVM feature string, e.g. "+avx2,+fma,..."
  /// LLVM data layout of the triple (x86-64 System V).
  std::string dataLayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-"
                           "i128:128-f80:128-n8:16:32:64-S128";
  /// Features compiled code may use and the runtime must find on the host,
  /// in /proc/cpuinfo spelling (avx2, fma, avx512f, avx512bw, avx512vl,
  /// avx512_vnni, amx_tile, ...).
  SmallVector<std::string> requiredIsa;
  unsigned vectorBits = 128;    // widest fp32 vector: 512, 256 or 128
  unsigned numVectorRegs = 16;  // architectural vector registers
  bool hasFma = false;
  unsigned l1dBytes = 32 * 1024, l2Bytes = 1024 * 1024, l3Bytes = 8 << 20;

  unsigned f32Lanes() const { return vectorBits / 32; }
};

/// Resolves `--mcpu` ("native", or an LLVM CPU name such as sapphirerapids,
/// skylake-avx512, x86-64-v3). Fails with a message for an unknown name.
FailureOr<CpuTarget> resolveCpuTarget(StringRef mcpu, std::string &error);

/// resolveCpuTarget for a pass: the message becomes an error on `op`.
FailureOr<CpuTarget> resolveCpuTarget(Operation *op, StringRef mcpu);

} // namespace mlir::kiln

#endif // KILN_TARGET_CPUTARGET_H
