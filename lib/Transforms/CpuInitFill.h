//===- CpuInitFill.h - C-init fills fused into the matmul tiles -*- C++ -*-===//
//
// Internal to kiln-cpu-tile-and-vectorize: the linalg.fill that zeroes C is
// fused into the parallel cache tiles and written one vector row at a time.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_CPUINITFILL_H
#define KILN_LIB_TRANSFORMS_CPUINITFILL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {

/// Tiles `op` into an scf.forall with `sizes` (loop, tile size) and fuses a
/// linalg.fill that initializes its output into the tiles (marked for
/// vectorizeFills). Returns the tiled contraction.
FailureOr<Operation *>
tileAndFuseInitFill(RewriterBase &rewriter, linalg::LinalgOp op,
                    ArrayRef<std::pair<unsigned, int64_t>> sizes);

/// The fused fills, one row at a time, vectorized where the row is static.
LogicalResult vectorizeFills(RewriterBase &rewriter, Operation *root);

} // namespace mlir::kiln

#endif // KILN_LIB_TRANSFORMS_CPUINITFILL_H
