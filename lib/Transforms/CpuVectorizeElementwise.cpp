//===- CpuVectorizeElementwise.cpp - row-wise vectorization ---------------===//
//
// See CpuVectorizeElementwise.h. Each eligible generic is tiled by 1 on
// every loop but the innermost and by `chunk` on the innermost (an scf.for
// with partial results for a reduction), then vectorized with vector sizes
// [1, ..., 1, chunk]: the last piece of a row is masked.
//
//===----------------------------------------------------------------------===//
#include "CpuVectorizeElementwise.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

using namespace mlir;

namespace {
/// Element types of the tensors a vectorized generic may read and write.
/// Not i1: a memref of i1 holds a byte per element, while LLVM loads and
/// stores a vector of i1 as packed bits, so a vector read of a boolean mask
/// (a masked_fill condition) saw the wrong elements.
bool eligibleType(Type t) {
  Type e = getElementTypeOrSelf(t);
  return e.isF32() || e.isF16() || e.isBF16() || e.isInteger(32) ||
         e.isInteger(64) || e.isIndex();
}

bool eligible(linalg::GenericOp op) {
  return !mlir::kiln::whyNotVectorizedElementwise(op);
}
} // namespace

std::optional<std::string>
mlir::kiln::whyNotVectorizedElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics())
    return std::string("it works on buffers, not tensors");
  if (op.getNumLoops() == 0 || op.getNumLoops() > 4)
    return "it has " + std::to_string(op.getNumLoops()) +
           " loops (the row vectorizer takes 1 to 4)";
  for (Value v : op->getOperands())
    if (!eligibleType(v.getType())) {
      std::string type;
      llvm::raw_string_ostream os(type);
      os << v.getType();
      return "an operand is " + type +
             " (the row vectorizer takes f32, f16, bf16, i32, i64, index)";
    }
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return std::string("an operand is indexed by a non-permutation map "
                         "(a window or a stride)");
  // Reductions only over the innermost loop (rows reduce in one vector).
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned i = 0; i + 1 < iters.size(); ++i)
    if (iters[i] != utils::IteratorType::parallel)
      return std::string("it reduces over a dim that is not the innermost");
  for (Operation &inner : op.getBody()->without_terminator()) {
    bool ok = isa<arith::ArithDialect>(inner.getDialect()) ||
              isa<math::ExpOp, math::LogOp, linalg::IndexOp>(inner);
    if (!ok)
      return "its body has " + inner.getName().getStringRef().str() +
             " (the row vectorizer takes arith ops, math.exp and math.log)";
  }
  return std::nullopt;
}

LogicalResult mlir::kiln::vectorizeElementwiseGenerics(RewriterBase &rewriter,
                                                       Operation *root,
                                                       int64_t chunk) {
  SmallVector<linalg::GenericOp> ops;
  root->walk([&](linalg::GenericOp op) {
    if (eligible(op))
      ops.push_back(op);
  });
  for (linalg::GenericOp op : ops) {
    unsigned n = op.getNumLoops();
    SmallVector<OpFoldResult> sizes(n, rewriter.getIndexAttr(1));
    sizes.back() = rewriter.getIndexAttr(chunk);
    scf::SCFTilingOptions options;
    options.setTileSizes(sizes).setLoopType(
        scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      continue;
    rewriter.replaceOp(op, tiled->replacements);
    auto piece = cast<linalg::LinalgOp>(tiled->tiledOps.back());
    SmallVector<int64_t> vectorSizes(n, 1);
    vectorSizes.back() = chunk;
    SmallVector<bool> scalable(n, false);
    rewriter.setInsertionPoint(piece);
    if (failed(linalg::vectorizeOpPrecondition(piece, vectorSizes, scalable)))
      continue;
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, piece, vectorSizes, scalable);
    if (succeeded(vectorized))
      rewriter.replaceOp(piece, vectorized->replacements);
  }
  return success();
}
