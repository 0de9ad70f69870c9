//===- NodeImporter.cpp - inputs, attributes and outputs of one node -------===//
#include "GraphImporter.h"
#include "IRHelpers.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

NodeImporter::NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
                           int64_t opset, Location loc)
    : b(graph.builder), node(node), opset(opset), loc(loc), graph(graph) {}

std::string NodeImporter::describe() const {
  // The location names the node (OpType_index when the file gives none).
  StringRef name = node.name();
  if (auto named = dyn_cast<NameLoc>(loc))
    name = named.getName().getValue();
  return "node '" + name.str() + "' (" + node.op_type() + ")";
}

InFlightDiagnostic NodeImporter::emitError() {
  reported = true;
  return mlir::emitError(loc) << describe() << ": ";
}

LogicalResult NodeImporter::error(const Twine &message) {
  return emitError() << message;
}

FailureOr<OnnxValue *> NodeImporter::input(int i) {
  if (!has(i))
    return error("input " + Twine(i) + " is required");
  OnnxValue *v = graph.lookup(node.input(i));
  if (!v) // topologicalOrder guarantees producers; a failed one stops early
    return error("input '" + node.input(i) + "' is undefined");
  return v;
}

FailureOr<Value> NodeImporter::value(int i) {
  FailureOr<OnnxValue *> v = input(i);
  if (failed(v))
    return failure();
  if ((*v)->partial && !(*v)->constant)
    return error("input '" + node.input(i) +
                 "' is a shape computed from dynamic dims; Kiln folds shape "
                 "computations only where they are static");
  if ((*v)->shiftedU8)
    return error("input '" + node.input(i) +
                 "' is uint8, which Kiln supports only as quantized data of "
                 "the quantization ops");
  return graph.materialize(**v);
}

FailureOr<Value> NodeImporter::storedValue(int i) {
  FailureOr<OnnxValue *> v = input(i);
  if (failed(v))
    return failure();
  if ((*v)->partial && !(*v)->constant)
    return error("input '" + node.input(i) + "' is not a tensor Kiln can "
                 "compute at run time");
  return graph.materialize(**v);
}

RankedTensorType NodeImporter::type(int i) {
  FailureOr<OnnxValue *> v = input(i); // reports a missing input
  return succeeded(v) ? (*v)->type : RankedTensorType();
}

FailureOr<ElementsAttr> NodeImporter::constant(int i, StringRef what) {
  FailureOr<OnnxValue *> v = input(i);
  if (failed(v))
    return failure();
  if (!(*v)->constant)
    return error(what + " (input " + Twine(i) +
                 ") must be a constant (an initializer or computable at "
                 "import time)");
  return (*v)->constant;
}

FailureOr<SmallVector<int64_t>> NodeImporter::ints(int i, StringRef what,
                                                   bool allowPartial) {
  FailureOr<OnnxValue *> v = input(i);
  if (failed(v))
    return failure();
  if (allowPartial && (*v)->partial)
    return *(*v)->partial;
  FailureOr<ElementsAttr> c = constant(i, what);
  if (failed(c))
    return failure();
  if (!isa<IntegerType>(c->getElementType()) || cast<ShapedType>(c->getType()).getRank() > 1)
    return error(what + " must be a 1-D integer tensor");
  return readInts(*c);
}

FailureOr<double> NodeImporter::scalar(int i, StringRef what) {
  FailureOr<ElementsAttr> c = constant(i, what);
  if (failed(c))
    return failure();
  if (c->getNumElements() != 1)
    return error(what + " must have one element");
  return readDoubles(*c)[0];
}

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

LogicalResult NodeImporter::checkAttrs(ArrayRef<StringRef> known) {
  for (const auto &a : node.attribute())
    if (!llvm::is_contained(known, StringRef(a.name())))
      return error("attribute '" + a.name() + "' is not supported");
  return success();
}

FailureOr<int64_t> NodeImporter::intAttr(StringRef name, int64_t dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::INT)
    return error("attribute '" + name + "' must be an int");
  return a->i();
}

FailureOr<float> NodeImporter::floatAttr(StringRef name, float dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT)
    return error("attribute '" + name + "' must be a float");
  return a->f();
}

FailureOr<std::string> NodeImporter::stringAttr(StringRef name,
                                                StringRef dflt) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return dflt.str();
  if (a->type() != onnx::AttributeProto::STRING)
    return error("attribute '" + name + "' must be a string");
  return a->s();
}

FailureOr<SmallVector<int64_t>> NodeImporter::intsAttr(StringRef name,
                                                       bool *present) {
  const onnx::AttributeProto *a = attr(name);
  if (present)
    *present = a != nullptr;
  if (!a)
    return SmallVector<int64_t>();
  if (a->type() != onnx::AttributeProto::INTS)
    return error("attribute '" + name + "' must be a list of ints");
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<int64_t> NodeImporter::axis(int64_t a, int64_t rank,
                                      StringRef what) {
  if (rank == 0)
    return error("a rank-0 input has no " + what);
  if (a < -rank || a >= rank)
    return error(what + " " + Twine(a) + " is out of range for rank " +
                 Twine(rank));
  return a < 0 ? a + rank : a;
}

void NodeImporter::setOutput(int i, Value v) {
  OnnxValue out;
  out.type = cast<RankedTensorType>(v.getType());
  out.value = v;
  setOutput(i, std::move(out));
}

void NodeImporter::setOutput(int i, OnnxValue v) {
  if (wantsOutput(i))
    graph.define(node.output(i), std::move(v));
}

void NodeImporter::setConstantOutput(int i, ElementsAttr attr) {
  setOutput(i, GraphImporter::constantValue(attr));
}

FailureOr<OnnxValue> NodeImporter::readTensor(const onnx::TensorProto &tensor,
                                              const Twine &what) {
  FailureOr<OnnxValue> v =
      graph.readTensor(tensor, loc,
                       "node '" + node.name() + "' (" + node.op_type() +
                           "): " + what);
  reported |= failed(v);
  return v;
}
