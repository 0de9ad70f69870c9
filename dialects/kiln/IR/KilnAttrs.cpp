//===- KilnAttrs.cpp - attribute verifiers --------------------------------===//
#include "kiln/IR/KilnAttrs.h"
#include "kiln/IR/KilnDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::kiln;

#include "kiln/IR/KilnEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "kiln/IR/KilnAttrs.cpp.inc"

void KilnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "kiln/IR/KilnAttrs.cpp.inc"
      >();
}

unsigned EpilogueStepAttr::getNumOperands() const {
  switch (getKind()) {
  case EpilogueKind::Bias:
  case EpilogueKind::ResidualAdd:
    return 1;
  case EpilogueKind::Affine:
    return 2;
  default:
    return 0;
  }
}

LogicalResult
EpilogueStepAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         EpilogueKind kind, FloatAttr min, FloatAttr max) {
  bool isClip = kind == EpilogueKind::Clip;
  if (isClip && (!min || !max))
    return emitError() << "clip step needs both 'min' and 'max'";
  if (!isClip && (min || max))
    return emitError() << "only a clip step takes 'min'/'max', not '"
                       << stringifyEpilogueKind(kind) << "'";
  if (isClip && min.getValueAsDouble() > max.getValueAsDouble())
    return emitError() << "clip step has min " << min.getValueAsDouble()
                       << " > max " << max.getValueAsDouble();
  return success();
}

LogicalResult
QuantFormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        QuantKind kind, int64_t axis, int64_t block,
                        int64_t bits, Codebook codebook) {
  if (axis < -1)
    return emitError() << "qformat axis must be -1 (per tensor) or >= 0, got "
                       << axis;
  if (block < 0)
    return emitError() << "qformat block must be >= 0, got " << block;
  if (block > 0 && axis < 0)
    return emitError() << "qformat block size needs an axis";
  if (kind == QuantKind::MX && (axis < 0 || block != 32))
    return emitError() << "mx format needs an axis and block = 32";
  if (kind == QuantKind::BFP && (axis < 0 || block <= 0))
    return emitError() << "bfp format needs an axis and a block size";
  if (kind == QuantKind::BFP && (bits < 2 || bits > 8))
    return emitError() << "bfp format needs bits in [2, 8], got " << bits;
  if (kind != QuantKind::BFP && bits != 0)
    return emitError() << "only the bfp format takes 'bits'";
  if (kind == QuantKind::Codebook && codebook == Codebook::None)
    return emitError() << "codebook format needs a codebook";
  if (kind != QuantKind::Codebook && codebook != Codebook::None)
    return emitError() << "only the codebook format takes a codebook";
  return success();
}
