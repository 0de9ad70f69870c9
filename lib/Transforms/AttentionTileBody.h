//===- AttentionTileBody.h - pieces of kiln-tile's loop body ----*- C++ -*-===//
//
// Internal to kiln-tile (TileAttention.cpp): index arithmetic, the frame of
// one query tile, the online-softmax state, one KV tile as
// kiln.online_attention (with its mask tile), and the final O / LSE writes.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_ATTENTIONTILEBODY_H
#define KILN_LIB_TRANSFORMS_ATTENTIONTILEBODY_H

#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::kiln::attn {

/// Signed index arithmetic at one builder position (bounds may go negative
/// before they are clamped, e.g. a window start before key 0).
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v);
  Value boolean(bool v);
  Value add(Value x, Value y);
  Value sub(Value x, Value y);
  Value mul(Value x, Value y);
  Value min(Value x, Value y);
  Value max(Value x, Value y);
  Value floorDiv(Value x, Value y);
  Value ceilDiv(Value x, Value y);
  Value le(Value x, Value y);
  Value lt(Value x, Value y);
  Value andI(Value x, Value y);
  Value select(Value cond, Value x, Value y);
  Value dim(Value tensor, int64_t d);
  Value fromI32(Value v);
};

/// Where one query tile sits: batch b, query head h (KV head g), queries
/// [q0, q0 + qs) of Sq, and the query tile as a [qs, D] tensor.
struct TileFrame {
  Value b, h, g, q0, qs, sq, skv, shift, hq, query;
  int64_t qTile, kvTile;
  bool band; ///< causal / window on token indices (no position operands)
  bool usesBand() const { return band; }
  static TileFrame make(OpBuilder &b, Location loc, AttentionOp op, Value bi,
                        Value h, Value q0, int64_t qTile, int64_t kvTile);
};

/// The online-softmax state of one query tile (f32): acc [qs, Dv],
/// running max and sum [qs].
struct State {
  Value acc, max, sum;
  SmallVector<Value> values() const { return {acc, max, sum}; }
  static State of(ValueRange v) { return {v[0], v[1], v[2]}; }
  static State empty(OpBuilder &b, Location loc, AttentionOp op,
                     const TileFrame &f);
};

/// The head index into a block list or position tensor whose head dim is Hq
/// (per query head) or Hkv (per KV head).
Value listHead(IndexMath &x, Value perHeadTensor, const TileFrame &f);

/// One kiln.online_attention over keys [k0, k0 + ks); `masked` adds the
/// additive mask tile (band, positions and the user mask).
State onlineTile(OpBuilder &b, Location loc, AttentionOp op,
                 const TileFrame &f, Value k0, Value ks, bool masked,
                 const State &s);

/// O = acc / sum (0 where sum = 0) and LSE = max + log(sum) (-inf there),
/// inserted into the forall's shared outputs.
void writeResults(OpBuilder &b, Location loc, AttentionOp op,
                  const TileFrame &f, const State &s, scf::ForallOp forall);

} // namespace mlir::kiln::attn

#endif // KILN_LIB_TRANSFORMS_ATTENTIONTILEBODY_H
