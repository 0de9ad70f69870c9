//===- Artifact.cpp - loading artifacts and reading their metadata ---------===//
#include "RuntimeInternal.h"
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <mutex>
#include <set>
#include <sstream>
#include <sys/stat.h>

using namespace kiln::rt;

// Threads: the count kiln_set_num_threads stored, and the loaded artifacts
// it is forwarded to (each artifact links its own copy of the pool).
static std::mutex threadsMutex;
static int numThreads = 0;
static std::set<kiln_artifact *> liveArtifacts;

static void registerArtifact(kiln_artifact *a) {
  if (!a->setThreads)
    return;
  std::lock_guard<std::mutex> lock(threadsMutex);
  a->setThreads(numThreads);
  liveArtifacts.insert(a);
}

static kiln_status finishLoad(kiln_artifact *a, const char *what,
                              void *(*lookup)(kiln_artifact *, const char *),
                              kiln_artifact **out) {
  using MetaFn = const char *(*)(void);
  auto meta = reinterpret_cast<MetaFn>(lookup(a, "kiln_artifact_metadata"));
  if (!meta) {
    kiln_artifact_free(a);
    return fail(KILN_ERROR_FILE, std::string(what) +
                                     ": not a Kiln artifact (no "
                                     "kiln_artifact_metadata symbol)");
  }
  std::string error;
  const char *text = meta();
  kiln_status st = text ? parseMetadata(text, a->meta, error)
                        : (error = "null metadata", KILN_ERROR_FILE);
  if (st != KILN_OK) {
    kiln_artifact_free(a);
    return fail(st, std::string(what) + ": " + error);
  }
  std::string missing = missingIsa(a->meta.isa, error);
  if (!missing.empty()) {
    std::string isa = a->meta.isa;
    kiln_artifact_free(a);
    return fail(KILN_ERROR_ISA,
                std::string(what) + ": the host CPU lacks " + missing +
                    (error.empty() ? "" : " (" + error + ")") +
                    ", which the artifact was compiled for (isa " + isa +
                    "); recompile with a lower --mcpu");
  }
  for (EntrySig &e : a->meta.entries) {
    e.fn = lookup(a, ("_mlir_ciface_" + e.name).c_str());
    if (!e.fn) {
      std::string name = e.name;
      kiln_artifact_free(a);
      return fail(KILN_ERROR_FILE, std::string(what) + ": entry '" + name +
                                       "' has no _mlir_ciface_" + name);
    }
  }
  a->setThreads = reinterpret_cast<void (*)(int)>(
      lookup(a, "kiln_artifact_set_num_threads"));
  a->checkFailures = reinterpret_cast<CheckFailuresFn>(
      lookup(a, "kiln_artifact_check_failures"));
  a->bufferFree = reinterpret_cast<void (*)(void *)>(
      lookup(a, "kiln_artifact_buffer_free"));
  registerArtifact(a);
  *out = a;
  return KILN_OK;
}

/// dlopen maps a truncated library without complaint (and faults later), so
/// the ELF headers are checked against the file size first.
static std::string checkElf(const char *path, size_t size) {
  FILE *f = std::fopen(path, "rb");
  if (!f)
    return strerror(errno);
  Elf64_Ehdr eh;
  bool ok = std::fread(&eh, 1, sizeof eh, f) == sizeof eh;
  std::string error;
  if (!ok || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    error = "not an ELF shared library";
  else if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
    error = "not an x86-64 ELF shared library";
  else if (eh.e_type != ET_DYN)
    error = "an ELF file but not a shared library";
  uint64_t need = sizeof eh;
  if (error.empty()) {
    need = std::max<uint64_t>(need, eh.e_phoff + uint64_t(eh.e_phnum) * eh.e_phentsize);
    need = std::max<uint64_t>(need, eh.e_shoff + uint64_t(eh.e_shnum) * eh.e_shentsize);
    for (unsigned i = 0; i < eh.e_phnum && need <= size; ++i) {
      Elf64_Phdr ph;
      if (std::fseek(f, long(eh.e_phoff + i * uint64_t(eh.e_phentsize)), SEEK_SET) ||
          std::fread(&ph, 1, sizeof ph, f) != sizeof ph)
        break;
      need = std::max<uint64_t>(need, ph.p_offset + ph.p_filesz);
    }
    if (need > size)
      error = "truncated: its ELF headers describe " + std::to_string(need) +
              " bytes, the file has " + std::to_string(size);
  }
  std::fclose(f);
  return error;
}

void kiln::rt::retainArtifact(kiln_artifact *a) {
  a->refs.fetch_add(1, std::memory_order_relaxed);
}

void kiln::rt::releaseArtifact(kiln_artifact *a) {
  if (a->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  if (a->setThreads) {
    std::lock_guard<std::mutex> lock(threadsMutex);
    liveArtifacts.erase(a);
  }
  if (a->handle)
    dlclose(a->handle);
  if (a->release)
    a->release(a->releaseContext);
  delete a;
}

void kiln::rt::freeResultBuffer(kiln_artifact *a, void *buffer) {
  if (a && a->bufferFree)
    a->bufferFree(buffer);
  else
    std::free(buffer);
}

extern "C" {

kiln_status kiln_artifact_load(const char *path, kiln_artifact **out) {
  if (!path || !out)
    return fail(KILN_ERROR_ARGUMENT, "kiln_artifact_load: null argument");
  *out = nullptr;
  struct stat st;
  if (stat(path, &st) != 0)
    return fail(KILN_ERROR_FILE, std::string(path) + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail(KILN_ERROR_FILE, std::string(path) + ": not a regular file");
  std::string elfError = checkElf(path, size_t(st.st_size));
  if (!elfError.empty())
    return fail(KILN_ERROR_FILE, std::string(path) + ": " + elfError);
  // dlopen searches the library path for bare names; the caller means a file.
  std::string p = std::strchr(path, '/') ? path : std::string("./") + path;
  void *h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    return fail(KILN_ERROR_FILE, std::string(path) +
                                     ": cannot load the shared library: " +
                                     (e ? e : "unknown error"));
  }
  auto *a = new kiln_artifact;
  a->handle = h;
  return finishLoad(
      a, path,
      [](kiln_artifact *a, const char *sym) { return dlsym(a->handle, sym); },
      out);
}

struct LookupCtx {
  kiln_symbol_lookup lookup;
  void *context;
};
static thread_local LookupCtx currentLookup;

kiln_status kiln_artifact_from_symbols(kiln_symbol_lookup lookup,
                                       void *context,
                                       void (*release)(void *),
                                       kiln_artifact **out) {
  if (!lookup || !out)
    return fail(KILN_ERROR_ARGUMENT, "kiln_artifact_from_symbols: null argument");
  *out = nullptr;
  auto *a = new kiln_artifact;
  a->release = release;
  a->releaseContext = context;
  currentLookup = {lookup, context};
  return finishLoad(
      a, "in-process artifact",
      [](kiln_artifact *, const char *sym) {
        return currentLookup.lookup(currentLookup.context, sym);
      },
      out);
}

void kiln_artifact_free(kiln_artifact *a) {
  if (a)
    releaseArtifact(a);
}

void kiln_set_num_threads(int threads) {
  std::lock_guard<std::mutex> lock(threadsMutex);
  numThreads = threads < 0 ? 0 : threads;
  for (kiln_artifact *a : liveArtifacts)
    a->setThreads(numThreads);
}

int kiln_get_num_threads(void) {
  std::lock_guard<std::mutex> lock(threadsMutex);
  return numThreads;
}

const char *kiln_artifact_isa(const kiln_artifact *a) {
  return a ? a->meta.isa.c_str() : "";
}

int kiln_entry_count(const kiln_artifact *a) {
  return a ? static_cast<int>(a->meta.entries.size()) : 0;
}

static const EntrySig *entryAt(const kiln_artifact *a, int entry) {
  if (!a || entry < 0 || entry >= static_cast<int>(a->meta.entries.size()))
    return nullptr;
  return &a->meta.entries[entry];
}

const char *kiln_entry_name(const kiln_artifact *a, int entry) {
  const EntrySig *e = entryAt(a, entry);
  return e ? e->name.c_str() : nullptr;
}

int kiln_entry_find(const kiln_artifact *a, const char *name) {
  for (int i = 0; name && i < kiln_entry_count(a); ++i)
    if (a->meta.entries[i].name == name)
      return i;
  return -1;
}

int kiln_entry_num_inputs(const kiln_artifact *a, int entry) {
  const EntrySig *e = entryAt(a, entry);
  return e ? static_cast<int>(e->inputs.size()) : -1;
}
int kiln_entry_num_outputs(const kiln_artifact *a, int entry) {
  const EntrySig *e = entryAt(a, entry);
  return e ? static_cast<int>(e->outputs.size()) : -1;
}
int64_t kiln_entry_flops(const kiln_artifact *a, int entry) {
  const EntrySig *e = entryAt(a, entry);
  return e ? e->flops : -1;
}

static kiln_status sigAt(const kiln_artifact *a, int entry, int i, bool input,
                         kiln_dtype *dtype, int *rank, int64_t *dims) {
  const EntrySig *e = entryAt(a, entry);
  if (!e)
    return fail(KILN_ERROR_NO_ENTRY, "no entry point #" + std::to_string(entry));
  const auto &list = input ? e->inputs : e->outputs;
  if (i < 0 || i >= static_cast<int>(list.size()))
    return fail(KILN_ERROR_ARGUMENT, "entry '" + e->name + "' has no " +
                                         (input ? "input " : "output ") +
                                         std::to_string(i));
  if (dtype)
    *dtype = list[i].dtype;
  if (rank)
    *rank = static_cast<int>(list[i].dims.size());
  if (dims)
    for (size_t d = 0; d < list[i].dims.size(); ++d)
      dims[d] = list[i].dims[d];
  return KILN_OK;
}

kiln_status kiln_entry_input(const kiln_artifact *a, int entry, int i,
                             kiln_dtype *dtype, int *rank, int64_t *dims) {
  return sigAt(a, entry, i, true, dtype, rank, dims);
}
kiln_status kiln_entry_output(const kiln_artifact *a, int entry, int i,
                              kiln_dtype *dtype, int *rank, int64_t *dims) {
  return sigAt(a, entry, i, false, dtype, rank, dims);
}

/// Checks one input or caller-given output against its declared signature.
static kiln_status checkTensor(const EntrySig &e, const char *kind, int i,
                               const kiln_tensor *t, const TensorSig &s) {
  std::string what = "entry '" + e.name + "' " + kind + " " + std::to_string(i);
  if (!t)
    return fail(KILN_ERROR_ARGUMENT, what + " is null");
  std::vector<int64_t> got(t->dims, t->dims + t->rank);
  if (t->dtype != s.dtype)
    return fail(KILN_ERROR_DTYPE, what + ": expected " +
                                      kiln_dtype_name(s.dtype) + ", got " +
                                      kiln_dtype_name(t->dtype));
  if (got.size() != s.dims.size())
    return fail(KILN_ERROR_SHAPE, what + ": expected rank " +
                                      std::to_string(s.dims.size()) + " " +
                                      shapeString(s.dims) + ", got rank " +
                                      std::to_string(got.size()) + " " +
                                      shapeString(got));
  for (size_t d = 0; d < got.size(); ++d)
    if (s.dims[d] >= 0 && s.dims[d] != got[d])
      return fail(KILN_ERROR_SHAPE,
                  what + ": dim " + std::to_string(d) + " is " +
                      std::to_string(got[d]) + ", expected " +
                      std::to_string(s.dims[d]) + " (shape " +
                      shapeString(got) + " vs " + shapeString(s.dims) + ")");
  return KILN_OK;
}

static kiln_status run(kiln_artifact *a, int entry, kiln_tensor *const *inputs,
                       int numInputs, kiln_tensor **outputs, int numOutputs,
                       bool into) {
  const EntrySig *e = entryAt(a, entry);
  if (!e)
    return fail(KILN_ERROR_NO_ENTRY, "no entry point #" + std::to_string(entry));
  if (numInputs != static_cast<int>(e->inputs.size()) ||
      numOutputs != static_cast<int>(e->outputs.size()))
    return fail(KILN_ERROR_SIGNATURE,
                "entry '" + e->name + "' takes " +
                    std::to_string(e->inputs.size()) + " inputs and " +
                    std::to_string(e->outputs.size()) + " outputs, got " +
                    std::to_string(numInputs) + " and " +
                    std::to_string(numOutputs));
  if ((numInputs && !inputs) || (numOutputs && !outputs))
    return fail(KILN_ERROR_ARGUMENT, "kiln_run: null inputs or outputs");
  for (int i = 0; i < numInputs; ++i)
    if (kiln_status st = checkTensor(*e, "input", i, inputs[i], e->inputs[i]))
      return st;
  if (into)
    for (int i = 0; i < numOutputs; ++i)
      if (kiln_status st =
              checkTensor(*e, "output", i, outputs[i], e->outputs[i]))
        return st;
  if (kiln_status st = checkAgreements(*e, inputs))
    return st;
  if (!into)
    for (int i = 0; i < numOutputs; ++i)
      outputs[i] = nullptr;
  return callEntry(a, *e, inputs, outputs, into);
}

kiln_status kiln_run(kiln_artifact *a, int entry, kiln_tensor *const *inputs,
                     int numInputs, kiln_tensor **outputs, int numOutputs) {
  return run(a, entry, inputs, numInputs, outputs, numOutputs, false);
}

kiln_status kiln_run_into(kiln_artifact *a, int entry,
                          kiln_tensor *const *inputs, int numInputs,
                          kiln_tensor *const *outputs, int numOutputs) {
  return run(a, entry, inputs, numInputs, const_cast<kiln_tensor **>(outputs),
             numOutputs, true);
}

} // extern "C"
