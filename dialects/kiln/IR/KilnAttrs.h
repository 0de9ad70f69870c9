//===- KilnAttrs.h - kiln enums and attributes ------------------*- C++ -*-===//
#ifndef KILN_IR_KILNATTRS_H
#define KILN_IR_KILNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "kiln/IR/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "kiln/IR/KilnAttrs.h.inc"

#endif // KILN_IR_KILNATTRS_H
