//===- Remarks.h - Kiln's optimization remarks ------------------*- C++ -*-===//
//
// What Kiln tells a user about the code it made, on MLIR's remark engine
// (mlir/IR/Remarks.h; off unless a tool enables it: kiln-compile --remarks,
// kiln.compile(remarks=True), kiln-opt --remarks-filter). Two categories:
//   kiln-slow-path  an op takes a slow or reference path (scalar loops, a
//                   buffer allocated per loop iteration, opt level 0);
//   kiln-fusion     a fusion considered: done (passed) or not, with why
//                   (missed).
// The subcategory is the pass. Remarks are keyed by (location, name,
// category): a candidate retried by a pattern driver keeps its last outcome
// under the driver's "final" policy.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_TRANSFORMS_REMARKS_H
#define KILN_LIB_TRANSFORMS_REMARKS_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/Twine.h"

namespace mlir::kiln::remarks {

inline constexpr llvm::StringLiteral kSlowPath = "kiln-slow-path";
inline constexpr llvm::StringLiteral kFusion = "kiln-fusion";

/// `op` takes a slow path; `name` says which kind (a string literal).
void slowPath(Operation *op, llvm::StringLiteral pass, llvm::StringLiteral name,
              const llvm::Twine &message);

/// A fusion of kind `name` considered at `op` and not done, because of
/// `reason`. Returns failure, for pattern code.
LogicalResult fusionMissed(Operation *op, llvm::StringLiteral pass,
                           llvm::StringLiteral name, const llvm::Twine &reason);

/// A fusion of kind `name` done at `op`.
void fusionDone(Operation *op, llvm::StringLiteral pass,
                llvm::StringLiteral name, const llvm::Twine &what);

} // namespace mlir::kiln::remarks

#endif // KILN_LIB_TRANSFORMS_REMARKS_H
