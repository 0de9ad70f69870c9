//===- Memory.cpp - workspace frames and the buffer pool of compiled code -===//
//
// Compiled code never calls malloc/free per call for its working memory:
//
// * Workspace frames. kiln-cpu-plan-workspace gives every function body and
//   every parallel region a frame: the buffers whose size and lifetime it
//   knows at compile time, packed at fixed offsets. On entry the code asks
//   for the frame by its number (`_mlir_ciface_kiln_workspace_frame`); each
//   thread keeps one block per frame number, grown when too small and reused
//   by every later call on that thread, so after the first call the pages are
//   already mapped. Frame numbers are unique within one artifact, and each
//   artifact carries its own copy of this file, so frames never collide.
//
// * The buffer pool. What the plan cannot place (results handed to the
//   caller, buffers of unbounded dynamic size, buffers carried across loop
//   iterations) goes through `_mlir_memref_to_llvm_alloc/free` (the lowering
//   of memref.alloc/dealloc with use-generic-functions): size classes 4 per
//   power of two, kept on free lists instead of being returned to libc, up to
//   kPoolLimit bytes. The runtime frees results through the exported
//   kiln_artifact_buffer_free. Returning freed blocks to libc is what made
//   every call fault its pages again (glibc trims the top of the heap and
//   unmaps large blocks on free); no process-wide malloc setting is touched.
//
// Hidden visibility like Parallel.cpp; plain libc and pthreads.
//
//===----------------------------------------------------------------------===//
#include "Parallel.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>

#ifdef KILN_PARALLEL_EXPORT_ALL
#define KILN_HIDDEN __attribute__((visibility("default")))
#else
#define KILN_HIDDEN __attribute__((visibility("hidden")))
#endif
#define KILN_EXPORT __attribute__((visibility("default")))

namespace {

[[noreturn]] void outOfMemory(size_t bytes) {
  std::fprintf(stderr, "kiln: out of memory allocating %zu bytes\n", bytes);
  std::abort();
}

//===--- Workspace frames -------------------------------------------------===//

struct Frames {
  void **block = nullptr;
  size_t *capacity = nullptr;
  int64_t count = 0;
};
thread_local Frames frames;
pthread_key_t framesKey;
pthread_once_t framesKeyOnce = PTHREAD_ONCE_INIT;

void releaseFrames(void *value) {
  auto *f = static_cast<Frames *>(value);
  for (int64_t i = 0; i < f->count; ++i)
    std::free(f->block[i]);
  std::free(f->block);
  std::free(f->capacity);
  f->block = nullptr;
  f->capacity = nullptr;
  f->count = 0;
}

bool framesKeyMade = false;
void makeFramesKey() {
  framesKeyMade = pthread_key_create(&framesKey, releaseFrames) == 0;
}

/// On unload: no thread may later run releaseFrames from unmapped code; the
/// unloading thread's blocks are freed, other threads' are left.
__attribute__((destructor)) void forgetFrames() {
  if (!framesKeyMade)
    return;
  pthread_key_delete(framesKey);
  releaseFrames(&frames);
}

/// The calling thread's block for frame `key`, at least `bytes` long.
void *frameBlock(int64_t key, int64_t bytes) {
  Frames &f = frames;
  if (key >= f.count) {
    int64_t count = key + 1;
    auto *block = static_cast<void **>(std::realloc(f.block, count * sizeof(void *)));
    if (block)
      f.block = block;
    auto *capacity = static_cast<size_t *>(std::realloc(f.capacity, count * sizeof(size_t)));
    if (capacity)
      f.capacity = capacity;
    if (!block || !capacity)
      outOfMemory(count * sizeof(void *));
    for (int64_t i = f.count; i < count; ++i) {
      f.block[i] = nullptr;
      f.capacity[i] = 0;
    }
    if (f.count == 0) {
      pthread_once(&framesKeyOnce, makeFramesKey);
      if (framesKeyMade) // frees the blocks at thread exit
        pthread_setspecific(framesKey, &f);
    }
    f.count = count;
  }
  size_t want = (size_t(bytes) + 4095) & ~size_t(4095);
  if (f.capacity[key] < want) {
    std::free(f.block[key]);
    f.block[key] = std::aligned_alloc(4096, want);
    if (!f.block[key])
      outOfMemory(want);
    f.capacity[key] = want;
  }
  return f.block[key];
}

//===--- Buffer pool ------------------------------------------------------===//

constexpr size_t kAlign = 64;      // every pooled buffer; also the header size
constexpr size_t kPoolLimit = size_t(1) << 30; // most bytes kept on free lists
constexpr uint32_t kUnpooled = ~0u;
constexpr uint32_t kMagic = 0x6b696c6e; // "kiln"
constexpr int kClasses = 4 * 48;

/// Sits in the kAlign bytes before every buffer.
struct Header {
  void *raw;      // what malloc returned
  Header *next;   // free list link
  size_t bytes;   // the class size (or the request, unpooled)
  uint32_t cls;   // size class, kUnpooled for over-aligned requests
  uint32_t magic;
};
static_assert(sizeof(Header) <= kAlign, "header must fit before the buffer");

struct Pool {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  Header *free[kClasses] = {};
  size_t cachedBytes = 0;
} pool;

/// Size class of `bytes`: 4 classes per power of two (at most 25% slack).
uint32_t classOf(size_t bytes, size_t *classBytes) {
  if (bytes < kAlign)
    bytes = kAlign;
  int k = 63 - __builtin_clzll(bytes); // 2^k <= bytes
  size_t base = size_t(1) << k, step = base / 4;
  size_t j = (bytes - base + step - 1) / step; // 0..4
  *classBytes = base + j * step;
  return uint32_t(4 * k + j);
}

void *poolAlloc(size_t bytes) {
  size_t classBytes;
  uint32_t cls = classOf(bytes, &classBytes);
  if (cls < kClasses) {
    pthread_mutex_lock(&pool.lock);
    Header *h = pool.free[cls];
    if (h) {
      pool.free[cls] = h->next;
      pool.cachedBytes -= h->bytes;
    }
    pthread_mutex_unlock(&pool.lock);
    if (h)
      return reinterpret_cast<char *>(h) + kAlign;
  }
  void *raw = std::aligned_alloc(kAlign, kAlign + classBytes);
  if (!raw)
    outOfMemory(classBytes);
  auto *h = static_cast<Header *>(raw);
  *h = Header{raw, nullptr, classBytes, cls < kClasses ? cls : kUnpooled,
              kMagic};
  return static_cast<char *>(raw) + kAlign;
}

void poolFree(void *ptr) {
  if (!ptr)
    return;
  auto *h = reinterpret_cast<Header *>(static_cast<char *>(ptr) - kAlign);
  if (h->magic != kMagic) {
    std::fprintf(stderr, "kiln: freeing a buffer the pool did not allocate\n");
    std::abort();
  }
  if (h->cls != kUnpooled) {
    pthread_mutex_lock(&pool.lock);
    bool keep = pool.cachedBytes + h->bytes <= kPoolLimit;
    if (keep) {
      h->next = pool.free[h->cls];
      pool.free[h->cls] = h;
      pool.cachedBytes += h->bytes;
    }
    pthread_mutex_unlock(&pool.lock);
    if (keep)
      return;
  }
  std::free(h->raw);
}

} // namespace

/// MLIR's 1-D memref descriptor (memref<?xi8>).
struct KilnDescriptor1D {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
};

extern "C" {

KILN_HIDDEN void _mlir_ciface_kiln_workspace_frame(KilnDescriptor1D *result,
                                                   int64_t key, int64_t bytes) {
  void *block = frameBlock(key, bytes);
  *result = KilnDescriptor1D{block, block, 0, bytes, 1};
}

KILN_HIDDEN void *_mlir_memref_to_llvm_alloc(size_t bytes) {
  return poolAlloc(bytes);
}

KILN_HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                     size_t bytes) {
  if (alignment <= kAlign)
    return poolAlloc(bytes);
  // Over-aligned: a plain block, freed to libc.
  void *raw = std::malloc(kAlign + alignment + bytes);
  if (!raw)
    outOfMemory(bytes);
  uintptr_t user = (reinterpret_cast<uintptr_t>(raw) + kAlign + alignment - 1) &
                   ~uintptr_t(alignment - 1);
  auto *h = reinterpret_cast<Header *>(user - kAlign);
  *h = Header{raw, nullptr, bytes, kUnpooled, kMagic};
  return reinterpret_cast<void *>(user);
}

KILN_HIDDEN void _mlir_memref_to_llvm_free(void *ptr) { poolFree(ptr); }

KILN_EXPORT void kiln_artifact_buffer_free(void *ptr) { poolFree(ptr); }

} // extern "C"
