/*===- kiln_runtime.h - the Kiln C runtime API (ABI version 1) ----*- C -*-===*
 *
 * Loads artifacts made by `kiln-compile --emit=shared`, lists their entry
 * points, and runs them on tensors. Plain C, no MLIR dependency.
 *
 * Artifact ABI (version 1), what a Kiln .so exports:
 *   const char *kiln_artifact_metadata(void);
 *     Text, one record per line:
 *       kiln-artifact 1
 *       isa <comma-separated x86 features the code needs, e.g. avx2,fma>
 *       entry <name> <num_inputs> <num_outputs>
 *       flops <n>                              (optional; -1 or absent: unknown)
 *       in <dtype> <rank> <d0> ... <dn-1>     (one line per input; -1 = dynamic)
 *       out <dtype> <rank> <d0> ...           (one line per output)
 *       same <size> <input>:<dim> ...         (optional, after the in/out
 *                                              lines; any number)
 *     A "same" record lists dynamic input dims that the compiled code
 *     requires to be equal, and equal to <size> unless it is -1 (the
 *     compiler reads these rules off the IR: a matmul's K dims, the dims an
 *     element-wise op pairs up, ...); kiln_run checks them before the call
 *     and fails with KILN_ERROR_SHAPE naming both inputs and dims.
 *     The isa list may be empty ("isa" alone). Every entry's flops line, when
 *     present, comes right after its entry line; in/out lines follow in order.
 *     The runtime rejects anything else as KILN_ERROR_FILE (a foreign or
 *     corrupt .so), a first line "kiln-artifact N" with N != 1 as
 *     KILN_ERROR_ABI, and an isa list the host's /proc/cpuinfo flags do not
 *     cover as KILN_ERROR_ISA (checked before any entry point is called, so
 *     never SIGILL; the accessor itself is a trivial load).
 *   _mlir_ciface_<name>(...)
 *     MLIR's C interface of each entry (llvm.emit_c_interface): with one
 *     result, (Desc *result, Desc *in0, ..., Desc *inN-1); with several, the
 *     first argument points to a struct of the result descriptors laid out
 *     one after the other; with none, only the inputs. A descriptor of rank
 *     r is { void *allocated; void *aligned; int64_t offset;
 *     int64_t sizes[r]; int64_t strides[r]; }. Results are allocated from
 *     the artifact's buffer pool; the runtime takes ownership and returns
 *     them through kiln_artifact_buffer_free (below), except a result that
 *     aliases an input or a constant, which it copies. Entry
 *     inputs are read-only: the compiler marks them non-writable, so the
 *     code never updates an input in place. At most KILN_MAX_ARGS pointer
 *     parameters (results pointer included) per entry.
 *     In memory (the descriptors), i1, i4, f4E2M1FN and the 8-bit floats
 *     take one byte per element; i4/f4 in the low nibble.
 *   int64_t kiln_artifact_check_failures(const char **message);
 *     The number of run-time checks on data (Gather indices in range,
 *     permutation operands that are permutations, ...) that have failed in
 *     this artifact so far, and in *message the text of the latest one.
 *     Optional (absent when the code has no such check). Failed checks do
 *     not stop the code, which stays in bounds; kiln_run reads the count
 *     before and after a call and, when it grew, discards the outputs and
 *     returns KILN_ERROR_DATA. Calls of one artifact that overlap in time
 *     may each see the other's failure (never miss their own).
 *   void kiln_artifact_buffer_free(void *buffer);
 *     Returns a result buffer to the artifact's pool. Compiled code takes
 *     its working memory from per-thread workspace frames planned at compile
 *     time and from this pool, both kept across calls, so a warm call
 *     neither calls malloc nor faults pages (lib/Runtime/Memory.cpp).
 *     Optional: artifacts made before the pool lack it, and their results
 *     are malloc'ed and released with free().
 *   void kiln_artifact_set_num_threads(int threads);
 *     Threads for the artifact's parallel loops, 0 = all cores the process
 *     may run on (sched_getaffinity), the default. Optional (artifacts made
 *     before it lack it and run single-threaded), so the ABI stays version
 *     1. The runtime calls it when it loads the artifact and whenever
 *     kiln_set_num_threads changes the count; a program that links the
 *     artifact directly may call it itself.
 * dtype names: f32 f64 f16 bf16 i64 i32 i16 i8 u8 i1 f8E4M3FN f8E5M2
 * f4E2M1FN i4 f8E8M0FNU. Tensors are dense, row-major. In kiln_tensor data,
 * i4 and f4E2M1FN are packed two per byte, low nibble first; i1 takes one
 * byte (0 or 1); bf16/f16/f8 are their bit patterns.
 *
 * Threads: compiled parallel loops (the matmul's output blocks, ...) run on a
 * thread pool that kiln-compile links into each artifact: Kiln's own
 * implementation of the few OpenMP entry points (`__kmpc_fork_call`,
 * `__kmpc_for_static_init_*`, `__kmpc_barrier`, ...) the code calls, with
 * hidden visibility, so no OpenMP runtime is loaded and a libgomp/libomp
 * already in the process (PyTorch) is neither used nor disturbed. Workers
 * are created on the first parallel loop and kept (until the artifact is
 * unloaded); loops are split statically; a parallel loop inside another,
 * or started while another thread of the application is using the same
 * artifact's pool, runs sequentially on the calling thread.
 * Errors: every call returning kiln_status sets a message for
 * kiln_last_error() (thread-local) when it fails, naming the file, entry,
 * input and mismatch.
 *===----------------------------------------------------------------------===*/
#ifndef KILN_RUNTIME_KILN_RUNTIME_H
#define KILN_RUNTIME_KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_ABI_VERSION 1
#define KILN_MAX_RANK 8
#define KILN_MAX_ARGS 24

typedef enum kiln_status {
  KILN_OK = 0,
  KILN_ERROR_FILE = 1,        /* missing, unreadable or not a Kiln artifact */
  KILN_ERROR_ABI = 2,         /* artifact of another ABI version */
  KILN_ERROR_ISA = 3,         /* the host CPU lacks a required feature */
  KILN_ERROR_NO_ENTRY = 4,    /* no entry point of that name */
  KILN_ERROR_SIGNATURE = 5,   /* wrong number of inputs or outputs */
  KILN_ERROR_DTYPE = 6,       /* an input of the wrong element type */
  KILN_ERROR_SHAPE = 7,       /* an input of the wrong rank or size */
  KILN_ERROR_ARGUMENT = 8,    /* a null pointer or an invalid value */
  KILN_ERROR_OUT_OF_MEMORY = 9,
  KILN_ERROR_DATA = 10        /* a run-time check on input data failed (an
                                 index out of range, indices that are not a
                                 permutation, ...); no outputs are made */
} kiln_status;

typedef enum kiln_dtype {
  KILN_F32 = 0, KILN_F64, KILN_F16, KILN_BF16, KILN_I64, KILN_I32, KILN_I16,
  KILN_I8, KILN_U8, KILN_I1, KILN_F8E4M3FN, KILN_F8E5M2, KILN_F4E2M1FN,
  KILN_I4, KILN_F8E8M0FNU, KILN_DTYPE_COUNT
} kiln_dtype;

typedef struct kiln_artifact kiln_artifact;
typedef struct kiln_tensor kiln_tensor;

/* The message of the last failed call on this thread ("" if none). */
const char *kiln_last_error(void);
const char *kiln_status_name(kiln_status status);
const char *kiln_dtype_name(kiln_dtype dtype);
/* Parses a dtype name; returns KILN_DTYPE_COUNT if unknown. */
kiln_dtype kiln_dtype_from_name(const char *name);
/* Bits per element (4 for the packed types, 8 for i1). */
int kiln_dtype_bits(kiln_dtype dtype);

kiln_status kiln_artifact_load(const char *path, kiln_artifact **out);
/* An artifact whose symbols come from elsewhere (a JIT): `lookup` returns the
 * address of kiln_artifact_metadata or _mlir_ciface_<name>, or NULL;
 * `release` (may be NULL) is called with `context` by kiln_artifact_free. */
typedef void *(*kiln_symbol_lookup)(void *context, const char *symbol);
kiln_status kiln_artifact_from_symbols(kiln_symbol_lookup lookup,
                                       void *context,
                                       void (*release)(void *context),
                                       kiln_artifact **out);
/* Drops the caller's reference; the library is unloaded once no output
 * tensor of kiln_run holds a buffer of it. */
void kiln_artifact_free(kiln_artifact *artifact);
/* The comma-separated features the artifact needs ("" if none). */
const char *kiln_artifact_isa(const kiln_artifact *artifact);

int kiln_entry_count(const kiln_artifact *artifact);
const char *kiln_entry_name(const kiln_artifact *artifact, int entry);
/* -1 if absent. */
int kiln_entry_find(const kiln_artifact *artifact, const char *name);
int kiln_entry_num_inputs(const kiln_artifact *artifact, int entry);
int kiln_entry_num_outputs(const kiln_artifact *artifact, int entry);
/* Floating-point operations of one call, or -1 if unknown (dynamic shapes,
 * ops without a count). */
int64_t kiln_entry_flops(const kiln_artifact *artifact, int entry);
/* Declared signature of input/output i: dtype, rank and dims (-1 dynamic). */
kiln_status kiln_entry_input(const kiln_artifact *artifact, int entry, int i,
                             kiln_dtype *dtype, int *rank, int64_t *dims);
kiln_status kiln_entry_output(const kiln_artifact *artifact, int entry, int i,
                              kiln_dtype *dtype, int *rank, int64_t *dims);

/* A dense row-major tensor; `data` NULL allocates zeroed storage, otherwise
 * kiln_tensor_nbytes bytes are copied from it. */
kiln_status kiln_tensor_create(kiln_dtype dtype, int rank, const int64_t *dims,
                               const void *data, kiln_tensor **out);
/* A tensor over the caller's memory: `data` holds kiln_tensor_nbytes bytes,
 * dense row-major, and must outlive the tensor; Kiln never copies or frees
 * it. For inputs without a copy and for kiln_run_into's outputs. */
kiln_status kiln_tensor_wrap(kiln_dtype dtype, int rank, const int64_t *dims,
                             void *data, kiln_tensor **out);
void kiln_tensor_free(kiln_tensor *tensor);
kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor);
int kiln_tensor_rank(const kiln_tensor *tensor);
int64_t kiln_tensor_dim(const kiln_tensor *tensor, int d);
size_t kiln_tensor_nbytes(const kiln_tensor *tensor);
void *kiln_tensor_data(kiln_tensor *tensor);

/* Runs `entry` on `inputs`, checking dtypes and shapes against its
 * signature; creates the output tensors (the caller frees them). Their
 * storage comes from the artifact's buffer pool: an output tensor keeps the
 * artifact loaded until it is freed, even after kiln_artifact_free. */
kiln_status kiln_run(kiln_artifact *artifact, int entry,
                     kiln_tensor *const *inputs, int num_inputs,
                     kiln_tensor **outputs, int num_outputs);
/* Like kiln_run, but writes the results into `outputs`: tensors the caller
 * made (kiln_tensor_create or kiln_tensor_wrap) with each output's declared
 * dtype and shape (a dynamic dim must match the result's, else
 * KILN_ERROR_SHAPE). Each result is copied once into its tensor and its
 * buffer goes back to the pool, so repeated calls allocate nothing. On
 * failure the outputs' contents are unspecified. */
kiln_status kiln_run_into(kiln_artifact *artifact, int entry,
                          kiln_tensor *const *inputs, int num_inputs,
                          kiln_tensor *const *outputs, int num_outputs);

/* Threads used by compiled code: 0 = all cores (the default). Applies to
 * every artifact loaded now or later (through its
 * kiln_artifact_set_num_threads); thread-safe, but takes effect for calls
 * that start after it returns. */
void kiln_set_num_threads(int threads);
int kiln_get_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_KILN_RUNTIME_H */
