//===- VerifierUtils.h - shape checks shared by the verifiers --*- C++ -*-===//
//
// Only static sizes are compared: a dynamic size (`?`) agrees with anything.
// Every failing check emits an op error naming the operand at fault.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IR_VERIFIERUTILS_H
#define KILN_IR_VERIFIERUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/APFloat.h"

#include <optional>
#include <string>

namespace mlir::kiln {
/// True when both sizes are static and differ.
bool dimsConflict(int64_t a, int64_t b);
/// Same rank, and no dim where both sizes are static and differ.
bool compatibleShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b);
/// The size, or "?" when dynamic.
std::string dimStr(int64_t d);
/// "[2, ?, 3]".
std::string shapeStr(ArrayRef<int64_t> shape);
/// Dim `d` of the shaped value `v` (ShapedType::kDynamic when dynamic).
int64_t dimOf(Value v, int64_t d);
/// `a` when static, else `b`.
int64_t orStatic(int64_t a, int64_t b);

/// Checks static dims of named shaped values against expected sizes.
struct ShapeChecker {
  Operation *op;

  /// "'name' must be rank W, got rank R".
  LogicalResult rank(StringRef name, Type type, int64_t want);
  /// Fails if dim `d` of `name` and `want` are both static and differ.
  LogicalResult dim(StringRef name, Type type, int64_t d, int64_t want,
                    StringRef what);
  /// Fails if dim `d` of `name` is dynamic.
  LogicalResult isStatic(StringRef name, Type type, int64_t d, StringRef what);
  /// Fails unless the element type of `name` is f32.
  LogicalResult f32(StringRef name, Type type);
  /// A list's head dim: Hq (per query head) or Hkv (per KV head).
  LogicalResult heads(StringRef name, Type type, int64_t hq, int64_t hkv);
  /// An optional 'scale' attribute: finite and > 0.
  LogicalResult scale(std::optional<APFloat> s);
};
} // namespace mlir::kiln

#endif // KILN_IR_VERIFIERUTILS_H
