//===- Passes.td - kiln transform passes --------------------*- tablegen -*-===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnImportQuantTypes : Pass<"kiln-import-quant-types", "ModuleOp"> {
  let summary = "Normalizes upstream !quant.uniform values to kiln's operand form";
  let description = [{
    Rewrites values of upstream `!quant.uniform` type (integer storage,
    per-tensor or per-axis) into kiln's representation: a storage tensor of
    the builtin integer type plus scale and zero-point operands.
    `quant.qcast` becomes `kiln.quantize`, `quant.dcast` becomes
    `kiln.dequantize` (with `arith.constant` scale tensors of rank 0 or
    [C] in f32, zero-point tensors in i32 when any is nonzero, and
    `#kiln.qformat<int>` / `#kiln.qformat<int, axis = a>`), `quant.scast`
    disappears, and function signatures, calls and returns carrying
    quantized tensors take the storage type. A qcast / dcast pair keeps its
    rounding (upstream's dcast(qcast(x)) folder is not applied). Quantize
    follows kiln.quantize: t = x / scale in f32, round half to even, add the
    zero point, saturate.

    Storage: i8, i4 as is. Unsigned u8 / u4 whose range fits the signed type
    (e.g. `u8<0:127>`) keep their bits. Other unsigned storage is stored
    shifted by -2^(w-1) (the top bit flipped), with zero points and bounds
    shifted alike; (q - zp) is unchanged, so decoded values and quantize
    results are exact. `quant.scast` to or from such a type flips the top
    bit, so storage seen through scast keeps the unsigned encoding; function
    arguments and results of such types carry the shifted form. Storage
    ranges narrower than the type (e.g. `i8<-127:127>`) become an
    `arith.maxsi` / `arith.minsi` clamp after `kiln.quantize`.

    Forms kiln cannot represent are errors naming the value and the form,
    reported before anything is rewritten: sub-channel (block-wise)
    quantization, non-integer storage, storage wider than 8 bits,
    expressed types other than f32 / f16 / bf16, unranked tensors, scalars
    and vectors, and non-uniform quantized types. Other ops carrying
    quantized tensors (e.g. tensor.extract_slice) are not converted and fail
    to legalize.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnTile : Pass<"kiln-tile", "::mlir::ModuleOp"> {
  let summary = "Tiles kiln.attention into the flash-attention loop nest";
  let description = [{
    Rewrites every `kiln.attention` into the FlashAttention-2 structure (the
    tiled level of DESIGN.md, which the CPU and NVPTX backends both lower):

    - `scf.forall` over (batch, query head, query tile) with mapping
      `[#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]`;
    - per query tile, the online-softmax state (accumulator [Tq, Dv],
      running max and sum [Tq], f32) carried by `scf.for` loops over KV
      tiles, each KV tile one `kiln.online_attention`;
    - at the end O = acc / sum (0 for a row that saw no key), written in the
      output's element type, and LSE = max + log(sum) (-inf for such a row).

    Skipping is in the loop bounds, never in masked work:
    - causal and sliding-window attention (without position operands) visit
      only the KV tiles that intersect the band of the query tile;
      `scf.if` gives a tile an additive mask only where the band boundary or
      sequence end cuts it (interior tiles run unmasked);
    - block-sparse attention iterates the first `count` entries of its query
      block's list (trip count from the counts) and the KV tiles of each
      listed block; the causal/window band still skips tiles inside a block;
    - GQA reads KV head h / (Hq / Hkv) in place (no replication);
    - with position operands (permuted tokens) every visited tile is masked
      by comparing positions;
    - a user additive mask is sliced per tile.

    Tile sizes: `q-tile` x `kv-tile` tokens, by default from the target
    description of `mcpu` (128 queries, 4 vectors of keys). With a block list
    they are reduced to divisors of `q_block` / `kv_block` (a tile never
    straddles a block).
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"mcpu", "mcpu", "std::string", /*default=*/"\"native\"",
           "CPU whose target description gives the default tile sizes">,
    Option<"qTile", "q-tile", "int64_t", /*default=*/"0",
           "Queries per tile (0: from the target)">,
    Option<"kvTile", "kv-tile", "int64_t", /*default=*/"0",
           "Keys per tile (0: from the target)">,
  ];
}

def KilnRouteBlocks : Pass<"kiln-route-blocks", "::mlir::ModuleOp"> {
  let summary = "MoBA top-k block routing (VMoBA relative selection when "
                "non-causal), opt-in";
  let description = [{
    Rewrites a causal `kiln.attention` into MoBA's block-sparse form
    (ALGORITHMS.md 2.2): `kiln.block_select` in `top_k` mode (key blocks
    mean-pooled, scored against the mean of each query block, per query
    head; the query block's own block(s) always kept, then the top `k`
    blocks that end before the query block starts), and a causal
    block-sparse `kiln.attention` over that list, which kiln-tile iterates
    list entry by list entry. It approximates attention, so it runs only on
    ops marked `kiln.route_blocks` or, with `all`, on every attention op.

    A marked op that is not plain causal attention (a block list,
    positions, an additive mask or a window already given, or dynamic head
    counts or head dim) is an error naming the reason; with `all`, such ops
    stay dense. Ops with a static Sq below `min-seq-len` stay dense.

    A non-causal op takes VMoBA's selection instead (ALGORITHMS.md 2.3):
    `kiln.block_select` in `relative` mode with `threshold` (the own
    block(s) kept, candidates by min-max normalized score until their mass
    reaches threshold minus the own share), then non-causal block-sparse
    attention; it needs a static key length.

    With `split-self`, the rewrite follows MoBA's implementation: the
    query block's own block(s) (causal) and the routed history blocks
    (which all end before the query block) are two block-sparse attentions,
    each returning its LSE, combined by `kiln.attention_merge` (the split-KV
    merge); the result equals the single block-sparse attention. It applies
    to causal ops (non-causal ones get the single attention).
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "Tokens per query and key block">,
    Option<"topK", "top-k", "int64_t", /*default=*/"8",
           "Blocks per query block, the forced ones included">,
    Option<"minSeqLen", "min-seq-len", "int64_t", /*default=*/"0",
           "Shorter (static) query sequences stay dense">,
    Option<"all", "all", "bool", /*default=*/"false",
           "Route every causal attention op, not only marked ones">,
    Option<"threshold", "threshold", "float", /*default=*/"0.25f",
           "VMoBA's relative threshold, for non-causal ops, in (0, 1]">,
    Option<"splitSelf", "split-self", "bool", /*default=*/"false",
           "MoBA's two branches: own block(s) and routed history as two "
           "attentions with LSE, merged by kiln.attention_merge">,
  ];
}

def KilnPermuteBlockSparse
    : Pass<"kiln-permute-block-sparse", "::mlir::ModuleOp"> {
  let summary = "PBS-Attn: key permutation within segments, then "
                "block-sparse causal attention (opt-in)";
  let description = [{
    Rewrites a causal `kiln.attention` into permuted block-sparse attention
    (ALGORITHMS.md 2.1), per KV head:

    1. keys are scored by the last `block-size` queries: softmax over the
       keys of complete `segment-size` segments, averaged over those queries
       and the KV head's query heads;
    2. within each complete segment the keys are reordered by descending
       score (a stable order: ties toward the lower index; closed-form
       ranks, then `kiln.unpermute` of an iota gives the gather indices);
       keys of an incomplete last segment keep their place;
    3. K and V are permuted (`kiln.permute`); the indices are the keys'
       original positions, and queries (not permuted) have positions
       i + Skv - Sq, so a chunk of queries against a longer KV cache
       (Sq < Skv) works, which the reference code cannot do;
    4. `kiln.block_select` in `threshold` mode on the permuted keys with
       those positions: pooled block scores, cumulative `threshold`, the
       sink block (the block holding original key 0, with `sink`), the
       diagonal segment;
    5. a causal block-sparse `kiln.attention` with the position operands:
       causality is on original positions and O is in the original order.

    It approximates attention, so it runs only on ops marked `kiln.pbs` or,
    with `all`, on every attention op. Ops whose Skv is at most one segment
    (the reference code's dense fallback) or whose Sq is below
    `min-seq-len` stay dense. A marked op that is not plain causal attention,
    or has a dynamic shape, is an error naming the reason; with `all` such
    ops stay dense. `threshold = 1` keeps every block: exact dense causal
    attention up to rounding.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "Tokens per query and key block">,
    Option<"segmentSize", "segment-size", "int64_t", /*default=*/"256",
           "Tokens per permutation segment (a multiple of block-size)">,
    Option<"threshold", "threshold", "float", /*default=*/"0.9f",
           "Cumulative softmax mass of the selected blocks, in (0, 1]">,
    Option<"sink", "sink", "bool", /*default=*/"true",
           "Always select the block holding the first key">,
    Option<"minSeqLen", "min-seq-len", "int64_t", /*default=*/"0",
           "Shorter query sequences stay dense">,
    Option<"all", "all", "bool", /*default=*/"false",
           "Permute every causal attention op, not only marked ones">,
  ];
}

def KilnFoldConvBN : Pass<"kiln-fold-conv-bn"> {
  let summary = "Folds inference batch_norm into the conv before it "
                "(deploy mode)";
  let description = [{
    `kiln.batch_norm` of a `kiln.conv` result (on its output-channel axis,
    the conv used only there, its epilogue empty or a single `bias`) with
    f32 constant gamma, beta, mean and variance becomes one conv
    (ALGORITHMS.md 2.5, deploy mode): s = gamma / sqrt(var + eps),
    W' = W * s along the filter's output-channel dim, b' = (b - mean) * s +
    beta, folded in double into f32 constants when the filter (and bias)
    are constants. Otherwise the conv keeps its filter and gets an `affine`
    epilogue step (s, beta - mean * s), the same fusion scaled at run time.
    A conv with another epilogue step (an activation before the BN), other
    users, or statistics that are not constants is left alone. Exact up to
    rounding: the folded result differs from the unfolded one by f32
    rounding of W' and b'.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnFuseAttention : Pass<"kiln-fuse-attention"> {
  let summary = "Recognizes attention written out as matmul, scale, mask, "
                "softmax, matmul and rewrites it to kiln.attention";
  let description = [{
    Matches, for [B, H, S, D] f32 tensors,
    `kiln.matmul(q, k) {transpose_b}` (or of `linalg.transpose` of k over
    its last two dims), an optional multiply or divide by a splat constant,
    an optional `arith.addf` of a mask, `kiln.softmax` over the last dim and
    `kiln.matmul` with v, each intermediate used once, and rewrites it to
    one `kiln.attention` with that scale (1 when there is none). A constant
    mask that is 0 on and below the causal diagonal (j <= i + T - S) and
    -inf (or <= -1e30, as exporters write the float minimum) above it
    becomes `causal`, so kiln-tile skips the masked tiles; another
    [B|1, H|1, S, T] mask is kept as the additive mask. Constant masks are
    judged by the values the scores receive through broadcasts and
    reshapes (a zero [1, 1, 1, T] key row is no mask, not an S = 1 causal
    one). A row that sees no key is 0 in kiln.softmax and kiln.attention
    when it is -inf, but averages V when it is finite: a finite mask that
    hides whole rows (S > T) is not made `causal`, and a masked_fill keeps
    its fill value in the additive mask. The fused op computes the same
    softmax in f32, with different rounding.
  }];
  let dependentDialects = ["::mlir::kiln::KilnDialect"];
}

def KilnCpuTileAndVectorize
    : Pass<"kiln-cpu-tile-and-vectorize", "::mlir::ModuleOp"> {
  let summary = "Tiles matmul-shaped linalg ops for the CPU target and "
                "vectorizes them to vector.contract";
  let description = [{
    The fast path of `kiln-cpu-pipeline` for contractions. It applies to every
    linalg op on tensors that is a contraction (`linalg.matmul`,
    `linalg.batch_matmul`, the transposed variants, and any matmul-shaped
    `linalg.generic`, such as the one `convert-kiln-to-linalg` makes of
    `kiln.matmul` and of `kiln.qmatmul` after dequantization) with exactly
    one M, one N and one K loop, any number of batch loops, and an f32
    accumulator; operands may be f32, f16 or bf16 (extended in the body).
    Other ops are left alone.

    Tiling, from the target description of `mcpu` (`CpuTarget`: `L` f32
    lanes, `R` vector registers, L1 and L2 sizes):

    1. Parallel cache tiles: an `scf.forall` over batch (tile 1) and
       `Mc x Nc` output blocks. Each block is independent work; the forall is
       meant for the thread pool: after bufferization `kiln-cpu-pipeline`
       runs it on Kiln's threads (`kiln-cpu-parallel-forall`), or as
       sequential `scf.for` loops with `parallel=false`.
    2. K blocking: an `scf.for` over K in steps of `Kc`, so that the `Kc x nr`
       panel of B and the `mr x Kc` panel of A that one register tile streams
       through stay in L1 (`Kc = L1 / 2 / (4 * (mr + nr))`, rounded down to a
       multiple of 16, between 64 and 512), and the `Mc x Kc` block of A and
       the `Kc x Nc` block of B each take at most a quarter of L2 (`Mc`,
       `Nc` rounded down to multiples of `mr`, `nr`, capped at 256 and 512).
    3. Register tile: `scf.for` loops over `mr x nr` tiles of C with
       `nr = 2 * L` (two vectors per row) and `mr = min(8, (R - 4) / 2)`
       rows, so the `mr * 2` accumulators, two B vectors and one broadcast A
       value fit in the register file: 8 x 32 on AVX-512 (16 of 32 zmm
       accumulators), 6 x 16 on AVX2 (12 of 16 ymm).
    4. K step 1: an `scf.for` over the K block; the `mr x nr x 1` op is
       vectorized (`linalg::vectorize`) to a `vector.contract`, i.e. one
       outer product (`mr` broadcast FMAs per B vector) per k.

    B panels: each `Kc x Nc` block of B is packed into `[Nc/nr][Kc][nr]`
    (zero-padded), so every register tile streams B contiguously; the
    buffer is carried by the K loop (one per cache block). Packing is skipped
    when M is below 4 register tiles (each B row is then read about once).
    A constant B, a model's weights, is packed at compile time instead,
    whatever M is: one constant holds every block (`[N/Nc][K/Kc]` of them)
    and the tiles slice theirs, so no packing runs.

    The M and N register loops are peeled, so full tiles are static and
    unmasked. Remainder tiles (sizes that are not multiples of the tile,
    dynamic M or batch) are padded with zeros (`tensor.pad` of their A, B
    and C slices) to the full `mr x nr` tile and vectorized the same way;
    the padding copies `(mr + nr) * Kc` values per remainder tile, small
    next to its `mr * nr * Kc` FMAs. (Upstream's masked vectorization of
    matmuls with broadcast reads builds ill-typed masks in LLVM 22, so masks
    are not used.) The read and write of the C tile are
    hoisted out of the k loop,
    so the accumulator tile stays in registers for a whole K block. The
    `tiles` option overrides `Mc, Nc, Kc`. `kiln-cpu-lower-vectors` then
    lowers `vector.contract` to FMAs of the target width.

    An unknown `mcpu` is an error on the module (no rewriting happens).
  }];
  let options = [
    Option<"mcpu", "mcpu", "std::string", /*default=*/"\"native\"",
           "Target CPU (native, or an LLVM x86-64 CPU name)">,
    ListOption<"tiles", "tiles", "int64_t",
               "Override the cache tiles Mc,Nc,Kc (multiples of the register "
               "tile are best)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def KilnCpuLowerVectors : Pass<"kiln-cpu-lower-vectors"> {
  let summary = "Lowers vector.contract to FMAs of the target's vector width";
  let description = [{
    Runs after bufferization on the vectorized matmul tiles of
    `kiln-cpu-tile-and-vectorize`: `vector.contract` becomes
    `vector.outerproduct` and then broadcast `vector.fma` (one per row of the
    register tile), transfers with permutation maps become minor-identity
    transfers plus broadcasts and transposes, masks become masked transfers,
    and 1-D FMAs, elementwise ops and unmasked transfers wider than the
    native width of `mcpu` (16 f32 lanes with AVX-512, 8 with AVX2) are
    unrolled to it. `convert-vector-to-scf` and `convert-vector-to-llvm`
    finish the lowering; the result is `llvm.intr.fma` on native vectors.
  }];
  let options = [
    Option<"mcpu", "mcpu", "std::string", /*default=*/"\"native\"",
           "Target CPU whose vector width the unrolling uses">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def KilnCpuAttachTarget : Pass<"kiln-cpu-attach-target", "::mlir::ModuleOp"> {
  let summary = "Records the CPU target on the LLVM dialect module";
  let description = [{
    Sets `llvm.target_triple` and `llvm.data_layout` (x86-64 System V) on the
    module and `target_cpu` / `target_features` of the resolved `mcpu` on
    every `llvm.func` with a body, so that LLVM code generation uses the same
    ISA the tiling and vectorization assumed.
  }];
  let options = [
    Option<"mcpu", "mcpu", "std::string", /*default=*/"\"native\"",
           "Target CPU (native, or an LLVM x86-64 CPU name)">
  ];
}

def KilnLowerRunTimeChecks
    : Pass<"kiln-lower-run-time-checks", "::mlir::ModuleOp"> {
  let summary = "Lowers cf.assert (run-time checks on input data) to a "
                "failure count the Kiln runtime reads";
  let description = [{
    Kiln states checks on run-time data (a Gather index in range, a
    permutation operand that is a permutation) as `cf.assert %ok, "what"`.
    Upstream lowers an assert to a call of abort(), which would take the
    caller's process down; an artifact must instead report the failure and
    return. This pass, the first step of the LLVM lowering in every Kiln
    pipeline, rewrites each assert into
    `scf.if (!%ok) { store the message; atomic add 1 to the count }`
    on two internal globals, and defines the artifact's exported
    `int64_t kiln_artifact_check_failures(const char **message)`
    (kiln_runtime.h), which returns the count and the latest message. The
    code goes on after a failed check (the checked code clamps its
    accesses, so it stays in bounds); `kiln_run` compares the count before
    and after the call and returns KILN_ERROR_DATA with the message. A
    module without asserts is left as it is.

    Example:
    ```mlir
    cf.assert %ok, "Gather 'g': an index is out of range"
    // becomes
    scf.if %not_ok {
      llvm.store %msg, %kiln_check_message
      llvm.atomicrmw add %kiln_check_failures, %one seq_cst
    }
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnCpuInlineAllocaScopes
    : Pass<"kiln-cpu-inline-alloca-scopes", "::mlir::ModuleOp"> {
  let summary = "Inlines the memref.alloca_scope of parallel loop bodies "
                "that hold no stack allocation";
  let description = [{
    Runs in `kiln-cpu-pipeline` right after `convert-scf-to-openmp`, which
    wraps every parallel loop body in a `memref.alloca_scope`. The
    canonicalizer inlines such a scope only when nothing in it might
    allocate on the stack, and an op with unknown memory effects (the call
    to buffer deallocation's run-time alias check, for one) stops it. The
    scope then stays, and the later `convert-scf-to-cf` breaks its
    one-block region (an `scf.if` in the body becomes branches). Kiln's
    loop bodies allocate on the heap and free in the body, so a scope
    without results that holds no `memref.alloca` (outside nested scopes)
    is a no-op: this pass inlines it. Scopes that hold an alloca are kept.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def KilnCpuRemarkSlowPaths
    : Pass<"kiln-cpu-remark-slow-paths", "::mlir::ModuleOp"> {
  let summary = "Reports, as kiln-slow-path remarks, the ops that will run "
                "as scalar loops";
  let description = [{
    Runs in `kiln-cpu-pipeline` after `kiln-cpu-tile-and-vectorize`, on
    tensors. Every linalg op still there (other than `linalg.fill`) has no
    vectorized lowering on the CPU path and becomes plain loops
    (`convert-linalg-to-loops`; LLVM's loop vectorizer may still vectorize an
    innermost loop). Each gets a missed remark in category `kiln-slow-path`
    (name `scalar-loops`) that says what the op is and why it was not
    vectorized: a convolution or pooling window, a contraction whose types
    the matmul tiling does not take, a reduction not over the innermost
    dim, or an element-wise body with an op the row vectorizer does not
    take (tanh, erf, sqrt, integer division, ...). With `reference`, it
    instead reports each function once (name `reference`): opt level 0 is
    the reference lowering, naive loops for every op. It changes nothing;
    without a remark engine (see `kiln-compile --remarks`) it is a no-op.
  }];
  let options = [
    Option<"reference", "reference", "bool", /*default=*/"false",
           "Report each function as taking the reference lowering">
  ];
}

def KilnCpuPlanWorkspace
    : Pass<"kiln-cpu-plan-workspace", "::mlir::ModuleOp"> {
  let summary = "Places buffers of bounded size that do not escape into "
                "per-thread workspace frames planned at compile time";
  let description = [{
    Runs in `kiln-cpu-pipeline` on memrefs, after the parallel loops became
    `omp.parallel`. Every function body and every `omp.parallel` region is a
    frame. A `memref.alloc` is placed in its frame when

    * its size has a constant upper bound (static dims, or dynamic dims that
      are constants, `arith.minsi`/`minui` with a constant, or an
      `affine.min` with a constant result: a remainder tile),
    * everything between it and the frame runs sequentially on one thread
      (`scf.for`/`if`/`while`, `omp.wsloop` and its loop nest,
      `memref.alloca_scope`), and
    * it and its views are only read, written, copied, measured and
      deallocated: never yielded, returned, passed to a call or carried
      into a loop, and never asked for their pointer (buffer deallocation's
      run-time alias checks).

    Its live range is the span of its block from the alloc to the last op
    that holds a use; buffers whose ranges do not overlap share bytes (an
    allocation in a loop body reuses its slot every iteration). Offsets are
    64-byte aligned (or the alloc's alignment). The frame's base comes from
    `kiln_workspace_frame(frame, bytes)` (lib/Runtime/Memory.cpp), once per
    entry of the frame: each thread keeps one block per frame and reuses it
    across calls, so a call neither calls malloc nor faults pages after the
    first. Placed allocs become `memref.view`s of the base; their
    `memref.dealloc`s are erased. Everything else stays a `memref.alloc`,
    which the pipeline lowers to the artifact's buffer pool.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect"];
}

def KilnCpuParallelForall
    : Pass<"kiln-cpu-parallel-forall", "::mlir::ModuleOp"> {
  let summary = "Maps outermost scf.forall loops to scf.parallel for the "
                "thread pool, nested ones to scf.for";
  let description = [{
    Runs after bufferization in `kiln-cpu-pipeline` (option `parallel`,
    default true). Every `scf.forall` that is not nested in another
    `scf.forall` or `scf.parallel` becomes an `scf.parallel` with the same
    bounds and body; the foralls nested inside it become sequential `scf.for`
    loops, so that each parallel region is one level deep. The pipeline then
    runs `convert-scf-to-openmp` (each `scf.parallel` becomes `omp.parallel`
    + `omp.wsloop` with a static schedule) and the LLVM lowering, whose
    OpenMP translation outlines the loop body and calls `__kmpc_fork_call`,
    `__kmpc_for_static_init_*`, `__kmpc_barrier` and friends. Kiln
    implements those entry points on its own thread pool (no OpenMP runtime,
    see `kiln_runtime.h`): kiln-compile links it into every shared artifact
    and kiln-run's JIT resolves them in-process.

    A forall with results (still on tensors) is an error: the pass expects
    bufferized code.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

#endif // KILN_TRANSFORMS_PASSES_TD
