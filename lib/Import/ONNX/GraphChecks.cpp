//===- GraphChecks.cpp - what is checked before any IR is built ----------===//
//
// The opset, node names and locations, the graph's own topological order
// (every input produced once, no cycle) and the types of graph values. A
// file's node order and names cannot be trusted, so each is checked here
// with an error that names the node or value at fault.
//
//===----------------------------------------------------------------------===//
#include "GraphImporter.h"
#include "IRHelpers.h"
#include "llvm/ADT/StringSet.h"

#include <deque>

using namespace mlir;
using namespace mlir::kiln::onnx_import;

LogicalResult GraphImporter::checkOpsets(const onnx::ModelProto &model) {
  for (const auto &set : model.opset_import()) {
    if (set.domain().empty() || set.domain() == "ai.onnx")
      opset = set.version();
  }
  if (opset == 0)
    return emitError(fileLoc) << "the model imports no default-domain opset";
  if (opset < 13 || opset > 21)
    return emitError(fileLoc)
           << "opset " << opset
           << " is not supported (Kiln reads opsets 13 to 21)";
  return success();
}

std::string GraphImporter::nodeName(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

Location GraphImporter::nodeLoc(const onnx::NodeProto &node, int index) {
  return NameLoc::get(StringAttr::get(context, nodeName(node, index)),
                      fileLoc);
}

FailureOr<SmallVector<int>>
GraphImporter::topologicalOrder(const onnx::GraphProto &graph) {
  llvm::StringMap<int> producer;
  llvm::StringSet<> available;
  for (const auto &in : graph.input())
    available.insert(in.name());
  for (const auto &init : graph.initializer())
    available.insert(init.name());
  int n = graph.node_size();
  for (int i = 0; i < n; ++i) {
    for (const std::string &out : graph.node(i).output()) {
      if (out.empty())
        continue;
      if (available.contains(out) || !producer.try_emplace(out, i).second)
        return emitError(nodeLoc(graph.node(i), i))
               << "node '" << nodeName(graph.node(i), i) << "' ("
               << graph.node(i).op_type() << "): output '" << out
               << "' is defined twice";
    }
  }
  // Kahn's algorithm over the node -> node edges.
  std::vector<int> pending(n, 0);
  std::vector<SmallVector<int>> users(n);
  for (int i = 0; i < n; ++i) {
    for (const std::string &in : graph.node(i).input()) {
      if (in.empty() || available.contains(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end())
        return emitError(nodeLoc(graph.node(i), i))
               << "node '" << nodeName(graph.node(i), i) << "' ("
               << graph.node(i).op_type() << "): input '" << in
               << "' is not produced by any node, graph input or initializer";
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < n; ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  SmallVector<int> order;
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.push_back(u);
  }
  if (int(order.size()) != n) {
    for (int i = 0; i < n; ++i)
      if (pending[i] > 0)
        return emitError(nodeLoc(graph.node(i), i))
               << "node '" << nodeName(graph.node(i), i) << "' ("
               << graph.node(i).op_type()
               << "): the graph has a cycle through this node";
  }
  return order;
}

FailureOr<RankedTensorType>
GraphImporter::valueInfoType(const onnx::ValueInfoProto &info) {
  Location loc = NameLoc::get(StringAttr::get(context, info.name()), fileLoc);
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph value '" << info.name()
                          << "' is not a tensor";
  const auto &tensor = info.type().tensor_type();
  FailureOr<Type> elt = elementType(tensor.elem_type(), loc,
                                    "graph value '" + info.name() + "'");
  if (failed(elt))
    return failure();
  if (!tensor.has_shape())
    return emitError(loc) << "graph value '" << info.name()
                          << "' has no shape (its rank must be known)";
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (!dim.has_dim_value()) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t d = dim.dim_value();
    if (d <= 0 || d > kMaxDim)
      return emitError(loc) << "graph value '" << info.name() << "' has dim "
                            << d << " (dims must be in [1, 2^40])";
    shape.push_back(d);
  }
  SmallVector<int64_t> known;
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d))
      known.push_back(d);
  if (!elementCount(known))
    return emitError(loc) << "graph value '" << info.name()
                          << "' has more than 2^40 elements";
  return RankedTensorType::get(shape, *elt);
}
