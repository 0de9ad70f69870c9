//===- ConstantOps.cpp - ONNX Constant and ConstantOfShape -----------------===//
#include "HostTensor.h"
#include "IRHelpers.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace mlir::kiln::onnx_import {
LogicalResult importConstant(NodeImporter &n) {
  if (n.node.attribute_size() != 1)
    return n.error("needs exactly one value attribute");
  const onnx::AttributeProto &a = n.node.attribute(0);
  OpBuilder &b = n.b;
  if (a.name() == "value") {
    if (a.type() != onnx::AttributeProto::TENSOR)
      return n.error("attribute 'value' must be a tensor");
    FailureOr<OnnxValue> v = n.readTensor(a.t(), "attribute 'value'");
    if (failed(v))
      return failure();
    n.setOutput(0, *v);
    return success();
  }
  if (a.name() == "value_float" || a.name() == "value_floats") {
    bool one = a.name() == "value_float";
    if (a.type() != (one ? onnx::AttributeProto::FLOAT
                         : onnx::AttributeProto::FLOATS))
      return n.error("attribute '" + a.name() + "' has the wrong type");
    std::vector<double> v = one ? std::vector<double>{a.f()}
                                : std::vector<double>(a.floats().begin(),
                                                      a.floats().end());
    SmallVector<int64_t> shape;
    if (!one)
      shape.push_back(v.size());
    n.setConstantOutput(0, makeElements(RankedTensorType::get(
                                            shape, b.getF32Type()),
                                        ArrayRef<double>(v)));
    return success();
  }
  if (a.name() == "value_int" || a.name() == "value_ints") {
    bool one = a.name() == "value_int";
    if (a.type() != (one ? onnx::AttributeProto::INT
                         : onnx::AttributeProto::INTS))
      return n.error("attribute '" + a.name() + "' has the wrong type");
    SmallVector<int64_t> v = one ? SmallVector<int64_t>{a.i()}
                                 : SmallVector<int64_t>(a.ints().begin(),
                                                        a.ints().end());
    SmallVector<int64_t> shape;
    if (!one)
      shape.push_back(v.size());
    n.setConstantOutput(
        0, makeElements(RankedTensorType::get(shape, b.getI64Type()),
                        ArrayRef<int64_t>(v)));
    return success();
  }
  return n.error("attribute '" + a.name() + "' is not supported");
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  if (failed(n.checkAttrs({"value"})))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = n.ints(0, "the shape");
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d <= 0 || d > kMaxDim)
      return n.error("dim " + Twine(d) + " is invalid");
  std::optional<int64_t> count = elementCount(*shape);
  if (!count)
    return n.error("the result is too large");
  Type elt = n.b.getF32Type();
  double value = 0.0;
  if (const onnx::AttributeProto *a = n.attr("value")) {
    if (a->type() != onnx::AttributeProto::TENSOR)
      return n.error("attribute 'value' must be a tensor");
    FailureOr<OnnxValue> v = n.readTensor(a->t(), "attribute 'value'");
    if (failed(v))
      return failure();
    if (!v->constant || v->constant.getNumElements() != 1 || v->shiftedU8)
      return n.error("attribute 'value' must hold one element");
    elt = v->type.getElementType();
    value = readDoubles(v->constant)[0];
  }
  auto type = RankedTensorType::get(*shape, elt);
  n.setConstantOutput(0, cast<ElementsAttr>(DenseElementsAttr::get(
                             type, cast<DenseElementsAttr>(makeElements(
                                       RankedTensorType::get({}, elt),
                                       ArrayRef<double>{value}))
                                       .getSplatValue<Attribute>())));
  return success();
}
} // namespace mlir::kiln::onnx_import
