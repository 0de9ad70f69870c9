//===- Remarks.cpp - Kiln's optimization remarks --------------------------===//
#include "Remarks.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {
remark::RemarkOpts options(Operation *op, StringLiteral category,
                           StringLiteral pass, StringLiteral name) {
  auto opts = remark::RemarkOpts::name(name).category(category).subCategory(pass);
  if (auto fn = op->getParentOfType<FunctionOpInterface>())
    opts = opts.function(fn.getNameAttr().getValue());
  else if (auto fn = dyn_cast<FunctionOpInterface>(op))
    opts = opts.function(fn.getNameAttr().getValue());
  return opts;
}

bool enabled(Operation *op) { return op->getContext()->getRemarkEngine(); }
} // namespace

void remarks::slowPath(Operation *op, StringLiteral pass, StringLiteral name,
                       const Twine &message) {
  if (enabled(op))
    remark::missed(op->getLoc(), options(op, kSlowPath, pass, name))
        << remark::reason("{0}", message.str());
}

LogicalResult remarks::fusionMissed(Operation *op, StringLiteral pass,
                                    StringLiteral name, const Twine &reason) {
  if (enabled(op))
    remark::missed(op->getLoc(), options(op, kFusion, pass, name))
        << remark::reason("{0}", reason.str());
  return failure();
}

void remarks::fusionDone(Operation *op, StringLiteral pass, StringLiteral name,
                         const Twine &what) {
  if (enabled(op))
    remark::passed(op->getLoc(), options(op, kFusion, pass, name))
        << remark::add("{0}", what.str());
}
