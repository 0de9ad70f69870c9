//===- ConstantData.cpp - f32 constants, dense or blob ---------------------===//
#include "ConstantData.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<std::vector<float>> mlir::kiln::f32ConstantValues(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return std::nullopt;
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(cst.getValue())) {
    std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return std::vector<float>(data->begin(), data->end());
  }
  auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
  if (!dense || !dense.getElementType().isF32())
    return std::nullopt;
  auto values = dense.getValues<float>();
  return std::vector<float>(values.begin(), values.end());
}

Value mlir::kiln::createF32Constant(OpBuilder &b, Location loc,
                                    RankedTensorType type,
                                    ArrayRef<float> values,
                                    StringRef blobName) {
  if (values.size() > 64)
    return arith::ConstantOp::create(
        b, loc,
        cast<TypedAttr>(DenseF32ResourceElementsAttr::get(
            type, blobName,
            HeapAsmResourceBlob::allocateAndCopyInferAlign(values))));
  return arith::ConstantOp::create(b, loc,
                                   DenseElementsAttr::get(type, values));
}
