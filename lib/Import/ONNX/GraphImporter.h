//===- GraphImporter.h - one ONNX graph into one func.func -----------------===//
//
// Internal to lib/Import/ONNX. Validates the graph before emitting anything
// (names produced once, every input produced, no cycle: nodes are visited in
// a topological order of their own, since a file's order cannot be trusted),
// reads initializers, then imports node by node through the op table.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define KILN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "NodeImporter.h"
#include "kiln/Import/OnnxImporter.h"

namespace mlir::kiln::onnx_import {

class GraphImporter {
public:
  GraphImporter(MLIRContext *context, StringRef fileName,
                const OnnxImportOptions &options);

  OwningOpRef<ModuleOp> importModel(const onnx::ModelProto &model);

  /// The SSA value of `v`, materializing a constant on first use.
  Value materialize(OnnxValue &v);
  /// A value of the graph by name (null if unknown).
  OnnxValue *lookup(StringRef name);
  void define(StringRef name, OnnxValue v) { values[name] = std::move(v); }
  /// Element type of an ONNX TensorProto data type; error at `loc`.
  FailureOr<Type> elementType(int32_t dataType, Location loc,
                              const Twine &what);
  /// An initializer or Constant value as an ElementsAttr.
  FailureOr<OnnxValue> readTensor(const onnx::TensorProto &tensor,
                                  Location loc, const Twine &what);
  /// A value holding `attr` (not materialized until used).
  static OnnxValue constantValue(ElementsAttr attr);

  MLIRContext *context;
  OpBuilder builder;
  std::string fileName;
  Location fileLoc;
  const OnnxImportOptions &options;

private:
  LogicalResult checkOpsets(const onnx::ModelProto &model);
  FailureOr<SmallVector<int>> topologicalOrder(const onnx::GraphProto &graph);
  FailureOr<RankedTensorType> valueInfoType(const onnx::ValueInfoProto &info);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  Location nodeLoc(const onnx::NodeProto &node, int index);
  /// The node's name, or OpType_index when the file gives none.
  static std::string nodeName(const onnx::NodeProto &node, int index);

  llvm::StringMap<OnnxValue> values;
  OpTable table;
  int64_t opset = 0;
  unsigned resourceCount = 0;
};

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
