//===- RunSupport.h - kiln-run's work, over the C runtime only ---*- C++ -*-===//
#ifndef KILN_TOOLS_KILN_RUN_RUNSUPPORT_H
#define KILN_TOOLS_KILN_RUN_RUNSUPPORT_H

#include "kiln/Runtime/kiln_runtime.h"
#include <string>
#include <vector>

namespace kiln::run {

struct Options {
  bool list = false;
  std::string entry;
  std::vector<std::string> inputs, outputs, checks;
  uint64_t seed = 0;
  double rtol = 1e-5, atol = 1e-6;
  unsigned bench = 0;
};

/// Prints "kiln-run: error: <message>" and returns 1.
int fail(const std::string &message);
/// Lists, runs, checks or benchmarks `artifact` per `o`; the exit code.
int run(kiln_artifact *artifact, const Options &o);

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_RUNSUPPORT_H
