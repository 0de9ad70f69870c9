//===- AttentionOps.td - attention and sparsity ops ---------*- tablegen -*-===//
#ifndef KILN_IR_ATTENTIONOPS_TD
#define KILN_IR_ATTENTIONOPS_TD

include "kiln/IR/KilnAttrs.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/TilingInterface.td"

class Kiln_DpsOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
          ["reifyResultShapes"]>,
        DestinationStyleOpInterface])> {
  let hasVerifier = 1;
}

def Kiln_AttentionOp : Kiln_DpsOp<"attention", [AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<TilingInterface, ["getIterationDomain",
      "getLoopIteratorTypes", "getTiledImplementation",
      "getResultTilePosition"]>]> {
  let summary = "scaled dot-product attention with structural masks";
  let description = [{
    O[b,h,i,:] = sum_j softmax_j(scale * Q[b,h,i,:] . K[b,g(h),j,:] + M) V[b,g(h),j,:]
    with Q [B,Hq,Sq,D], K [B,Hkv,Skv,D], V [B,Hkv,Skv,Dv], O [B,Hq,Sq,Dv] and
    the grouped-query map g(h) = h / (Hq / Hkv) (Hq must be a multiple of Hkv).
    `scale` defaults to 1/sqrt(D).

    Key j is visible to query i iff every given mask allows it:
    - `causal`: without position operands j <= i + (Skv - Sq); with them
      kpos[j] <= qpos[i];
    - `window_left = L` / `window_right = R`: on the same (shifted or given)
      positions p_q, p_k: p_q - L <= p_k <= p_q + R (inclusive distances);
    - `blocks(%indices, %counts)`: block-CSR list, i32 indices
      [B, H, ceil(Sq/q_block), maxBlocks] sorted ascending and unique, counts
      i32 [B, H, ceil(Sq/q_block)], H = Hq (per query head) or Hkv (per KV
      head); query i sees key j iff j / kv_block is among the first
      count entries of the list of query block i / q_block (i and j are the
      token indices as stored, permuted or not; counts are clamped to
      [0, maxBlocks]). `q_block` and `kv_block` (> 0) are required with a
      block list and allowed only with one;
    - `mask(%m)`: an additive mask [B or 1, Hq or 1, Sq, Skv] (-inf hides),
      f32, f16 or bf16; a broadcast dim must be a static 1 (a dynamic dim
      means B or Hq).
    Positions (`positions(%qpos, %kpos)`, i32 [B, Hq or Hkv, Sq] and
    [B, Hkv, Skv], both or neither) give the original token positions of
    permuted tokens; they only affect `causal` and the window. Windows are
    >= 0 and apply with or without `causal`.

    Softmax and accumulation are f32. A row that sees no key gives O = 0 and,
    with the optional `lse` result (natural log, f32, [B,Hq,Sq]), -inf.
    `outs` is the output init [B,Hq,Sq,Dv] (f32, f16 or bf16; O is written
    in its element type) and optionally the f32 LSE init. `scale` must be
    finite and > 0; the default needs a static D. Batch and sequence dims
    may be dynamic.

    Example:
    ```mlir
    %o = kiln.attention ins(%q, %k, %v : tensor<1x8x128x64xf32>,
           tensor<1x2x128x64xf32>, tensor<1x2x128x64xf32>)
         outs(%init : tensor<1x8x128x64xf32>) {causal}
         -> tensor<1x8x128x64xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$query, Kiln_FloatTensor:$key, Kiln_FloatTensor:$value,
    Optional<Kiln_FloatTensor>:$mask,
    Optional<Kiln_I32Tensor>:$block_indices,
    Optional<Kiln_I32Tensor>:$block_counts,
    Optional<Kiln_I32Tensor>:$q_positions,
    Optional<Kiln_I32Tensor>:$k_positions,
    Variadic<RankedTensorOf<[F32, F16, BF16]>>:$outs,
    OptionalAttr<F32Attr>:$scale,
    UnitAttr:$causal,
    OptionalAttr<I64Attr>:$window_left,
    OptionalAttr<I64Attr>:$window_right,
    OptionalAttr<I64Attr>:$q_block,
    OptionalAttr<I64Attr>:$kv_block);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,`
      type($value) `)`
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`blocks` `(` $block_indices^ `,` $block_counts `:` type($block_indices)
      `,` type($block_counts) `)`)?
    (`positions` `(` $q_positions^ `,` $k_positions `:` type($q_positions)
      `,` type($k_positions) `)`)?
    `outs` `(` $outs `:` type($outs) `)`
    attr-dict (`->` type($results)^)?
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getOutsMutable(); }
    Value getOutput() { return getOuts()[0]; }
    Value getLseInit() { return getOuts().size() > 1 ? getOuts()[1] : Value(); }
    bool hasBlockList() { return getBlockIndices() != nullptr; }
    /// The softmax scale: the attribute, or 1/sqrt(D).
    float getScaleOrDefault();
  }];
}

def Kiln_OnlineAttentionOp : Kiln_DpsOp<"online_attention"> {
  let summary = "one KV tile of flash attention, carrying the online-softmax state";
  let description = [{
    The tile-level op that `kiln-tile` produces. Q [..., M, D], K [..., N, D],
    V [..., N, Dv] with equal leading (batch) dims, an optional additive mask
    [..., M, N] (f32, -inf hides), and the state as inits: accumulator
    acc [..., M, Dv] (f32, unnormalized), running max m [..., M] and running
    sum l [..., M] (f32). With s = scale * Q K^T + mask:
      m' = max(m, rowmax(s)); p = exp(s - m');
      l' = exp(m - m') l + rowsum(p); acc' = exp(m - m') acc + p V.
    A row with m' = -inf keeps acc, m and l (exp(-inf - -inf) is taken as 1).
    After the last tile O = acc / l (0 where l = 0) and LSE = m + log l.
    The empty state is acc = 0, m = -inf, l = 0. Q, K and V may be f32, f16
    or bf16 (computed in f32); `scale` must be finite and > 0.
    Example:
    ```mlir
    %acc2, %m2, %l2 = kiln.online_attention
        ins(%q, %k, %v : tensor<64x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>)
        outs(%acc, %m, %l : tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>)
        {scale = 0.17677669 : f32}
        -> tensor<64x32xf32>, tensor<64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins
    Kiln_FloatTensor:$query, Kiln_FloatTensor:$key, Kiln_FloatTensor:$value,
    Optional<Kiln_F32Tensor>:$mask,
    Kiln_F32Tensor:$acc, Kiln_F32Tensor:$max, Kiln_F32Tensor:$sum,
    F32Attr:$scale);
  let results = (outs Kiln_F32Tensor:$acc_result, Kiln_F32Tensor:$max_result,
                      Kiln_F32Tensor:$sum_result);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,`
      type($value) `)`
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    `outs` `(` $acc `,` $max `,` $sum `:` type($acc) `,` type($max) `,`
      type($sum) `)`
    attr-dict `->` type($acc_result) `,` type($max_result) `,` type($sum_result)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(),
                                 getOperation()->getNumOperands() - 3, 3);
    }
  }];
}

def Kiln_AttentionMergeOp : Kiln_DpsOp<"attention_merge", [AttrSizedOperandSegments]> {
  let summary = "merges partial attentions over disjoint key sets by their LSE";
  let description = [{
    For partials (O_p [B,H,S,Dv], L_p [B,H,S]) over disjoint key sets:
    L = m + log(sum_p exp(L_p - m)) with m = max_p L_p, and
    O = sum_p exp(L_p - L) O_p. Partials with L_p = -inf contribute nothing;
    when every L_p is -inf the row gives O = 0 and L = -inf. Merging the
    partials of any key partition equals dense attention. At least one
    partial; partial outputs may mix f32, f16 and bf16 (computed in f32);
    `outs` are the O init (f32, f16 or bf16) and the f32 L init.
    ```mlir
    %o, %l = kiln.attention_merge
        ins(%o0, %o1 : tensor<1x4x64x32xf32>, tensor<1x4x64x32xf32>)
        lse(%l0, %l1 : tensor<1x4x64xf32>, tensor<1x4x64xf32>)
        outs(%oi, %li : tensor<1x4x64x32xf32>, tensor<1x4x64xf32>)
        -> tensor<1x4x64x32xf32>, tensor<1x4x64xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_FloatTensor>:$partial_outputs,
                       Variadic<Kiln_F32Tensor>:$partial_lses,
                       Variadic<AnyRankedTensor>:$outs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $partial_outputs `:` type($partial_outputs) `)`
    `lse` `(` $partial_lses `:` type($partial_lses) `)`
    `outs` `(` $outs `:` type($outs) `)`
    attr-dict `->` type($results)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getOutsMutable(); }
  }];
}

def Kiln_PermuteOp : Kiln_DpsOp<"permute"> {
  let summary = "per-(batch, head) gather of tokens along the sequence";
  let description = [{
    out[b,h,s,...] = x[b,h,idx[b,h,s],...] for x [B,H,S,...] (rank >= 3) and
    idx [B,H,S] (i32 or i64). Each idx[b,h,:] must be a permutation of [0, S)
    (token permutation is per KV head): constant indices are checked by the
    verifier, others at run time (the lowering asserts it; the runtime
    reports KILN_ERROR_DATA). `init` has the input's type. `kiln.permute` of
    `kiln.unpermute` (and the reverse) by the same indices value folds away.
    ```mlir
    %kp = kiln.permute %k by %idx : tensor<1x2x256x64xf32>, tensor<1x2x256xi32>
          outs(%init : tensor<1x2x256x64xf32>) -> tensor<1x2x256x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Kiln_IndexTensor:$indices,
                       AnyRankedTensor:$init);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `by` $indices `:` type($input) `,` type($indices)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_UnpermuteOp : Kiln_DpsOp<"unpermute"> {
  let summary = "per-(batch, head) scatter of tokens along the sequence";
  let description = [{
    The inverse of `kiln.permute` with the same indices:
    out[b,h,idx[b,h,s],...] = x[b,h,s,...]. Each idx[b,h,:] must be a
    permutation of [0, S), checked as for `kiln.permute`. `init` has the
    input's type.
    ```mlir
    %o = kiln.unpermute %op by %idx : tensor<1x2x256x64xf32>, tensor<1x2x256xi32>
         outs(%init : tensor<1x2x256x64xf32>) -> tensor<1x2x256x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Kiln_IndexTensor:$indices,
                       AnyRankedTensor:$init);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `by` $indices `:` type($input) `,` type($indices)
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Kiln_BlockSelectOp : Kiln_DpsOp<"block_select", [AttrSizedOperandSegments]> {
  let summary = "selects KV blocks per query block into a fixed-capacity list";
  let description = [{
    Selects, per (batch, list head, query block), the KV blocks a
    block-sparse attention computes, as a fixed-capacity block list.

    Shapes: query Q [B,Hq,Sq,D], key K [B,Hkv,Skv,D] (Hkv divides Hq),
    optional `positions(%kpos)` i32 [B,Hkv,Skv] (original positions of
    permuted keys), outs indices i32 [B,H,nQ,maxBlocks] and counts i32
    [B,H,nQ] with nQ = ceil(Sq/q_block), nK = ceil(Skv/kv_block). H = Hq
    gives one list per query head (head h scores against KV head
    h / (Hq/Hkv)); H = Hkv one list per KV head. Batch and sequence dims may
    be dynamic; head counts, D and maxBlocks must be static.

    Pooling and scores (f32 whatever the input type): Qbar_I = mean of the
    valid query rows of block I (the last block may be partial); for a
    per-KV-head list (H = Hkv < Hq) also averaged over the head's Hq/Hkv
    query heads; Kbar_J likewise over the valid keys of block J.
    G[I,J] = scale * Qbar_I . Kbar_J, `scale` (> 0) defaulting to 1/sqrt(D).
    NaN scores rank as -inf.

    Positions: query block I spans key-coordinate positions
    first = I*q_block + (Skv - Sq) .. last = min((I+1)*q_block, Sq) - 1 +
    (Skv - Sq) (the causal convention of kiln.attention). With `causal`, KV
    block J is visible iff J*kv_block <= last; a block with last < 0 sees
    nothing and gets count 0.

    - `top_k` (MoBA; needs `k` >= 1): the forced blocks, i.e. the KV blocks
      holding I's non-negative positions, are always kept (even beyond k);
      then the max(0, k - #forced) highest-scoring eligible blocks. With
      `causal` a block is eligible iff it ends before I starts,
      (J+1)*kv_block <= first; without it every non-forced block is.
      `segment`, `sink` and `positions` are not allowed.
    - `threshold` (PBS; needs `threshold` in (0, 1]): the diagonal segment
      (with `segment` > 0: the KV blocks of the `segment`-token segments
      holding I's non-negative positions; with `causal` only the visible
      ones, or the whole segment when `positions` is given, since keys are
      permuted within segments) and the sink block (with `sink`: the block
      of the first key whose position is 0 when `positions` is given, else
      block 0; with `causal` only if last >= 0) are always kept. The other
      (with `causal`: visible) blocks are candidates: their scores are
      softmaxed, sorted descending, and the shortest prefix whose mass
      reaches `threshold` is kept, i.e. a candidate is kept unless the mass
      ranked before it already reaches the threshold (threshold 1, or a
      non-finite mass, keeps all candidates).
    - `relative` (VMoBA; needs `threshold` in (0, 1]): roles as in
      `top_k` (the blocks holding I's positions forced; with `causal` the
      blocks that end before I starts are candidates, else all others).
      Scores of the forced and candidate blocks are min-max normalized,
      n_J = (G - min) / (max - min) (all 1 when max = min); with total the
      sum of n over them and own the sum over the forced blocks,
      need = max(0, threshold - own / total), and a candidate is kept
      unless the normalized mass ranked before it, over total, already
      reaches `need` (so need = 0 keeps only the forced blocks); threshold
      1 keeps every candidate (full attention).
      `segment`, `sink` and `positions` are not allowed.
    Ties break toward the lower block index (a stable descending sort).

    The outputs: indices sorted ascending, unique, 0 past the count; counts.
    maxBlocks must cover the worst case: top_k: max over query blocks of
    max(#forced, min(k, #forced + #eligible)) (for dynamic lengths the bound
    max(k, 1 + ceil((q_block-1)/kv_block)), capped by nK when Skv is
    static); threshold and relative: nK (a dynamic Skv is accepted by the
    verifier but not by the reference lowering). `segment` must be a multiple of both
    block sizes.
    ```mlir
    %idx, %cnt = kiln.block_select ins(%q, %k : tensor<1x4x512x64xf32>,
        tensor<1x4x512x64xf32>) outs(%i0, %c0 : tensor<1x4x4x3xi32>,
        tensor<1x4x4xi32>) {mode = #kiln<select_mode top_k>, k = 3,
        q_block = 128, kv_block = 128, causal}
        -> tensor<1x4x4x3xi32>, tensor<1x4x4xi32>
    %pi, %pc = kiln.block_select ins(%q, %k : tensor<1x4x512x64xf32>,
        tensor<1x4x512x64xf32>) positions(%kpos : tensor<1x4x512xi32>)
        outs(%i1, %c1 : tensor<1x4x8x8xi32>, tensor<1x4x8xi32>)
        {mode = #kiln<select_mode threshold>, threshold = 0.9 : f32,
        q_block = 64, kv_block = 64, segment = 128, causal, sink}
        -> tensor<1x4x8x8xi32>, tensor<1x4x8xi32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$query, Kiln_FloatTensor:$key,
                       Optional<Kiln_I32Tensor>:$k_positions,
                       Variadic<Kiln_I32Tensor>:$outs,
                       Kiln_BlockSelectModeAttr:$mode,
                       I64Attr:$q_block, I64Attr:$kv_block,
                       OptionalAttr<I64Attr>:$k,
                       OptionalAttr<F32Attr>:$threshold,
                       DefaultValuedAttr<I64Attr, "0">:$segment,
                       UnitAttr:$causal, UnitAttr:$sink,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Variadic<Kiln_I32Tensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `:` type($query) `,` type($key) `)`
    (`positions` `(` $k_positions^ `:` type($k_positions) `)`)?
    `outs` `(` $outs `:` type($outs) `)`
    attr-dict `->` type($results)
  }];
  let extraClassDeclaration = [{
    MutableOperandRange getDpsInitsMutable() { return getOutsMutable(); }
    float getScaleOrDefault();
  }];
}

#endif // KILN_IR_ATTENTIONOPS_TD
