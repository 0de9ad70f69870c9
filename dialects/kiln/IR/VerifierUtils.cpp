//===- VerifierUtils.cpp - shape checks shared by the verifiers -----------===//
#include "kiln/IR/VerifierUtils.h"

using namespace mlir;
using namespace mlir::kiln;

bool mlir::kiln::dimsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

bool mlir::kiln::compatibleShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip_equal(a, b))
    if (dimsConflict(x, y))
      return false;
  return true;
}

std::string mlir::kiln::dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
}

std::string mlir::kiln::shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + dimStr(d);
  return s + "]";
}

int64_t mlir::kiln::dimOf(Value v, int64_t d) {
  return cast<ShapedType>(v.getType()).getDimSize(d);
}

int64_t mlir::kiln::orStatic(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

LogicalResult ShapeChecker::rank(StringRef name, Type type, int64_t want) {
  int64_t got = cast<ShapedType>(type).getRank();
  if (got != want)
    return op->emitOpError()
           << "'" << name << "' must be rank " << want << ", got rank " << got;
  return success();
}

LogicalResult ShapeChecker::dim(StringRef name, Type type, int64_t d,
                                int64_t want, StringRef what) {
  int64_t got = cast<ShapedType>(type).getDimSize(d);
  if (!dimsConflict(got, want))
    return success();
  return op->emitOpError() << "'" << name << "' dim " << d << " (" << what
                           << ") is " << got << ", expected " << want;
}

LogicalResult ShapeChecker::isStatic(StringRef name, Type type, int64_t d,
                                     StringRef what) {
  if (!cast<ShapedType>(type).isDynamicDim(d))
    return success();
  return op->emitOpError() << "'" << name << "' dim " << d << " (" << what
                           << ") must be static";
}

LogicalResult ShapeChecker::f32(StringRef name, Type type) {
  Type elt = cast<ShapedType>(type).getElementType();
  if (!elt.isF32())
    return op->emitOpError()
           << "'" << name << "' element type must be f32, got " << elt;
  return success();
}

LogicalResult ShapeChecker::heads(StringRef name, Type type, int64_t hq,
                                  int64_t hkv) {
  int64_t h = cast<ShapedType>(type).getDimSize(1);
  if (ShapedType::isDynamic(h) || ShapedType::isDynamic(hq) ||
      ShapedType::isDynamic(hkv) || h == hq || h == hkv)
    return success();
  return op->emitOpError() << "'" << name << "' dim 1 (heads) is " << h
                           << ", expected " << hq << " ('query' heads) or "
                           << hkv << " ('key' heads)";
}

LogicalResult ShapeChecker::scale(std::optional<APFloat> s) {
  if (s && !(s->isFiniteNonZero() && !s->isNegative()))
    return op->emitOpError("'scale' must be finite and > 0");
  return success();
}
