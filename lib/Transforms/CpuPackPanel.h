//===- CpuPackPanel.h - B-panel packing for the CPU matmul tiles -*- C++ -*-===//
//
// Internal to kiln-cpu-tile-and-vectorize. The register tile reads one row
// of nr B values per k step. Read in place, consecutive rows are a leading
// dimension apart (4 KiB for 1024 columns): every row is a new page, the
// hardware prefetchers stop at page boundaries and the rows alias in L1.
// Packing the Kc x Nc block of B into [Nc/nr][Kc][nr] (zero-padded) once per
// cache block makes each register tile's B stream contiguous, whatever B's
// layout (a transposed B is packed by 2-D reads and a transpose).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_CPUPACKPANEL_H
#define KILN_LIB_TRANSFORMS_CPUPACKPANEL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {

/// Where B sits among a contraction's operands and its K and N dims.
struct PanelOperand {
  unsigned operandNumber; ///< the DPS input holding B
  unsigned kResult;       ///< result position of the K loop in B's map
  unsigned nResult;       ///< result position of the N loop in B's map
};

/// The input indexed by K and N but not M (a projected permutation).
std::optional<PanelOperand> findPanelOperand(linalg::LinalgOp op, unsigned m,
                                             unsigned n, unsigned k);

/// The static [ceil(nc/nr)][roundup(kc, kb)][nr] type that holds one packed
/// Kc x Nc block; `kb` is 1 for a row-major B and the read depth along K
/// for a transposed one.
RankedTensorType packedPanelType(Type elementType, const PanelOperand &b,
                                 int64_t nc, int64_t kc, int64_t nr);

/// Packs `block` (the Kc x Nc block of B at the cache level; batch dims of
/// size 1 allowed) into `into` (of packedPanelType), before
/// `insertionPoint`. Returns the packed tensor.
Value packPanel(RewriterBase &rewriter, Operation *insertionPoint,
                Value block, const PanelOperand &b, Value into);

/// Packs `block` into a buffer carried by the Kc loop `kLoop` (an extra
/// iter_arg, so one buffer per cache block serves every K step: a fresh
/// tensor per step would be a heap allocation per step), before `before`.
/// Returns the packed tensor, or a null value on failure.
Value packIntoLoopCarriedPanel(RewriterBase &rewriter, scf::ForOp kLoop,
                               Operation *before, Value block,
                               const PanelOperand &b, int64_t nc, int64_t kc,
                               int64_t nr);

/// When `block` is a cache block of a constant f32 B (through the tiling's
/// extract_slices; a model's weights), the packed block as a slice of a
/// compile-time constant that holds every block of B packed:
/// [ceil(N/nc)][ceil(K/kc)] x packedPanelType(nc, kc), zero-padded. Nothing
/// is packed at run time then. `nc` and `kc` are the cache tile sizes.
/// Returns null when B is not such a constant.
Value slicePrePackedPanel(RewriterBase &rewriter, Operation *before,
                          Value block, const PanelOperand &b, int64_t nc,
                          int64_t kc, int64_t nr);

/// Rewrites `micro` (a register tile whose B operand is a slice of the
/// block that `packed` holds) into a generic that reads B from `packed`.
/// Returns the new op.
FailureOr<linalg::LinalgOp> readPanelFromPacked(RewriterBase &rewriter,
                                                linalg::LinalgOp micro,
                                                const PanelOperand &b,
                                                unsigned nLoop, unsigned kLoop,
                                                ArrayRef<unsigned> batchLoops,
                                                Value packed, int64_t nr);

} // namespace mlir::kiln

#endif // KILN_LIB_TRANSFORMS_CPUPACKPANEL_H
