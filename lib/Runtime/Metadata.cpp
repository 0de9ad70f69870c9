//===- Metadata.cpp - parsing artifact metadata, checking the host ISA -----===//
#include "RuntimeInternal.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

using namespace kiln::rt;

kiln_status kiln::rt::parseMetadata(const char *text, Metadata &out,
                                    std::string &error) {
  // Bound the scan: a foreign symbol of this name need not be a string.
  size_t len = strnlen(text, 1 << 24);
  std::istringstream in(std::string(text, len));
  std::string line;
  int lineNo = 0;
  auto bad = [&](const std::string &why) {
    error = "malformed artifact metadata, line " + std::to_string(lineNo) +
            ": " + why;
    return KILN_ERROR_FILE;
  };
  if (!std::getline(in, line))
    return bad("empty");
  ++lineNo;
  {
    std::istringstream ls(line);
    std::string magic;
    int version = 0;
    if (!(ls >> magic >> version) || magic != "kiln-artifact")
      return bad("expected 'kiln-artifact <version>'");
    if (version != KILN_ABI_VERSION) {
      error = "artifact ABI version " + std::to_string(version) +
              ", this runtime reads version " +
              std::to_string(KILN_ABI_VERSION);
      return KILN_ERROR_ABI;
    }
    out.abiVersion = version;
  }
  bool sawIsa = false;
  size_t wantIn = 0, wantOut = 0;
  auto readTensor = [&](std::istringstream &ls, TensorSig &sig) {
    std::string dt;
    int rank = -1;
    if (!(ls >> dt >> rank))
      return false;
    sig.dtype = kiln_dtype_from_name(dt.c_str());
    if (sig.dtype == KILN_DTYPE_COUNT || rank < 0 || rank > KILN_MAX_RANK)
      return false;
    for (int d = 0; d < rank; ++d) {
      long long v;
      if (!(ls >> v) || v < -1)
        return false;
      sig.dims.push_back(v);
    }
    std::string extra;
    return !(ls >> extra);
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty())
      continue;
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    if (kind == "isa") {
      ls >> out.isa;
      sawIsa = true;
    } else if (kind == "entry") {
      EntrySig e;
      long long ni, no;
      if (!(ls >> e.name >> ni >> no) || ni < 0 || no < 0 ||
          ni + no + (no > 0) > KILN_MAX_ARGS)
        return bad("expected 'entry <name> <inputs> <outputs>'");
      if (!out.entries.empty() &&
          (out.entries.back().inputs.size() != wantIn ||
           out.entries.back().outputs.size() != wantOut))
        return bad("entry '" + out.entries.back().name +
                   "' lacks in/out lines");
      wantIn = ni;
      wantOut = no;
      out.entries.push_back(std::move(e));
    } else if (kind == "flops" && !out.entries.empty()) {
      long long f;
      if (!(ls >> f))
        return bad("expected 'flops <n>'");
      out.entries.back().flops = f;
    } else if ((kind == "in" || kind == "out") && !out.entries.empty()) {
      EntrySig &e = out.entries.back();
      auto &list = kind == "in" ? e.inputs : e.outputs;
      if (list.size() >= (kind == "in" ? wantIn : wantOut) ||
          (kind == "in" && !e.outputs.empty()))
        return bad("unexpected '" + kind + "' line for entry '" + e.name + "'");
      TensorSig sig;
      if (!readTensor(ls, sig))
        return bad("expected '" + kind + " <dtype> <rank> <dims...>'");
      list.push_back(std::move(sig));
    } else if (kind == "same" && !out.entries.empty() &&
               out.entries.back().inputs.size() == wantIn) {
      EntrySig &e = out.entries.back();
      DimAgreement a;
      long long size;
      if (!(ls >> size) || size < -1)
        return bad("expected 'same <size> <input>:<dim> ...'");
      a.size = size;
      for (std::string ref; ls >> ref;) {
        int input = -1, dim = -1, used = 0;
        if (std::sscanf(ref.c_str(), "%d:%d%n", &input, &dim, &used) != 2 ||
            used != int(ref.size()) || input < 0 ||
            input >= int(e.inputs.size()) || dim < 0 ||
            dim >= int(e.inputs[input].dims.size()))
          return bad("'same' names no input dim of entry '" + e.name +
                     "': " + ref);
        a.dims.push_back({input, dim});
      }
      if (a.dims.empty())
        return bad("'same' names no dims");
      e.agreements.push_back(std::move(a));
    } else {
      return bad("unknown record '" + kind + "'");
    }
  }
  if (!sawIsa)
    return bad("no 'isa' record");
  if (!out.entries.empty() && (out.entries.back().inputs.size() != wantIn ||
                               out.entries.back().outputs.size() != wantOut))
    return bad("entry '" + out.entries.back().name + "' lacks in/out lines");
  return KILN_OK;
}

std::string kiln::rt::missingIsa(const std::string &isa, std::string &error) {
  if (isa.empty())
    return "";
  std::set<std::string> host;
  // Tests only, and named so: a wrong list lets an artifact load on a CPU
  // that cannot run it.
  if (const char *fake = std::getenv("KILN_UNSAFE_TEST_HOST_ISA")) {
    std::istringstream fs(fake);
    for (std::string f; std::getline(fs, f, ',');)
      host.insert(f);
  } else {
    FILE *f = std::fopen("/proc/cpuinfo", "r");
    if (!f) {
      error = "cannot read /proc/cpuinfo to check the artifact's ISA";
      return isa;
    }
    char buf[8192];
    while (std::fgets(buf, sizeof buf, f)) {
      if (std::strncmp(buf, "flags", 5))
        continue;
      std::istringstream ls(std::strchr(buf, ':') ? std::strchr(buf, ':') + 1
                                                   : buf);
      for (std::string flag; ls >> flag;)
        host.insert(flag);
      break;
    }
    std::fclose(f);
  }
  std::string missing;
  std::istringstream is(isa);
  for (std::string feat; std::getline(is, feat, ',');)
    if (!feat.empty() && !host.count(feat))
      missing += (missing.empty() ? "" : ",") + feat;
  return missing;
}
