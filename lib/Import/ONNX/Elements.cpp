//===- Elements.cpp - reading and making ElementsAttr contents -------------===//
//
// Import-time values as int64 / double, from dense attributes and from
// dense_resource blobs (the importer's large initializers), and back.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using namespace mlir::kiln::onnx_import;

std::optional<int64_t>
mlir::kiln::onnx_import::elementCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxElements / d))
      return std::nullopt;
    n *= d;
  }
  return n;
}

SmallVector<int64_t> mlir::kiln::onnx_import::readInts(ElementsAttr attr) {
  SmallVector<int64_t> out;
  if (attr.getElementType().isInteger(1)) {
    for (bool x : cast<DenseElementsAttr>(attr).getValues<bool>())
      out.push_back(x);
    return out;
  }
  if (isa<FloatType>(attr.getElementType())) {
    for (double x : readDoubles(attr))
      out.push_back(int64_t(x));
    return out;
  }
  for (const APInt &x : cast<DenseElementsAttr>(attr).getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

std::vector<double> mlir::kiln::onnx_import::readDoubles(ElementsAttr attr) {
  std::vector<double> out;
  Type elt = attr.getElementType();
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    ArrayRef<char> data = blob ? blob->getData() : ArrayRef<char>();
    const llvm::fltSemantics &sem = cast<FloatType>(elt).getFloatSemantics();
    size_t width = elt.getIntOrFloatBitWidth() / 8;
    for (size_t i = 0; i + width <= data.size(); i += width) {
      uint64_t bits = 0;
      std::memcpy(&bits, data.data() + i, width);
      out.push_back(
          APFloat(sem, APInt(width * 8, bits)).convertToDouble());
    }
    return out;
  }
  auto dense = cast<DenseElementsAttr>(attr);
  if (isa<FloatType>(elt)) {
    for (APFloat x : dense.getValues<APFloat>()) {
      bool lost;
      x.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(x.convertToDouble());
    }
    return out;
  }
  for (int64_t x : readInts(attr))
    out.push_back(double(x));
  return out;
}

ElementsAttr mlir::kiln::onnx_import::makeElements(RankedTensorType type,
                                                   ArrayRef<int64_t> values) {
  Type elt = type.getElementType();
  if (isa<FloatType>(elt)) {
    std::vector<double> d(values.begin(), values.end());
    return makeElements(type, ArrayRef<double>(d));
  }
  if (elt.isInteger(1)) {
    SmallVector<bool> bits;
    for (int64_t x : values)
      bits.push_back(x != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  }
  SmallVector<APInt> ints;
  for (int64_t x : values)
    ints.push_back(APInt(elt.getIntOrFloatBitWidth(), uint64_t(x),
                         /*isSigned=*/true, /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, ints);
}

ElementsAttr mlir::kiln::onnx_import::makeElements(RankedTensorType type,
                                                   ArrayRef<double> values) {
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt)) {
    SmallVector<int64_t> ints;
    for (double x : values)
      ints.push_back(int64_t(x));
    return makeElements(type, ArrayRef<int64_t>(ints));
  }
  if (elt.isF32()) {
    SmallVector<float> f(values.begin(), values.end());
    return DenseElementsAttr::get(type, ArrayRef<float>(f));
  }
  SmallVector<APFloat> f;
  for (double x : values) {
    APFloat v(x);
    bool lost;
    v.convert(cast<FloatType>(elt).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    f.push_back(v);
  }
  return DenseElementsAttr::get(type, f);
}
