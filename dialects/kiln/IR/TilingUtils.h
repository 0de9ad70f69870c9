//===- TilingUtils.h - slices shared by the TilingInterface impls -*- C++ -*-===//
//
// Kiln's compute ops tile over their parallel dimensions only: reductions
// (K, input channels, KV positions) stay whole inside a tile because the ops
// overwrite their inits. Kiln's own tiler (kiln-tile) handles reductions with
// the tile-level ops that carry partial state.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IR_TILINGUTILS_H
#define KILN_IR_TILINGUTILS_H

#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::kiln {

/// A rectangular region of a tensor.
struct TileRegion {
  SmallVector<OpFoldResult> offsets, sizes;
};

/// The whole of `v` as a region.
TileRegion wholeRegion(OpBuilder &b, Location loc, Value v);

/// tensor.extract_slice of `region`, recorded in `result.generatedSlices`.
Value extractRegion(OpBuilder &b, Location loc, Value v,
                    const TileRegion &region, TilingResult &result);

/// Slices the scale (or zero point) of a quantized operand whose data is
/// tiled by `dataRegion` of `data`. Per-tensor scales stay whole; per-axis
/// scales follow the axis; blocked scales follow every dim but the blocked
/// axis, which must not be tiled (fails otherwise: a tile need not start on a
/// block boundary).
FailureOr<Value> sliceQuantParam(OpBuilder &b, Location loc, Value param,
                                 QuantFormatAttr format, Value data,
                                 const TileRegion &dataRegion,
                                 TilingResult &result);

/// Iteration domain [0, size) step 1 for every dim of `v`.
SmallVector<Range> domainOf(OpBuilder &b, Location loc, Value v);

/// Clones `op` with `operands` and result types taken from the DPS inits
/// among them, and appends it to `result`.
void cloneTiled(OpBuilder &b, Operation *op, ValueRange operands,
                TilingResult &result);

/// True if the region covers dim `d` of `v` whole.
bool coversWholeDim(Value v, const TileRegion &region, unsigned d);

} // namespace mlir::kiln

#endif // KILN_IR_TILINGUTILS_H
