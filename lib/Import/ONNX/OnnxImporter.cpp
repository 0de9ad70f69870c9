//===- OnnxImporter.cpp - ModelProto -> func.func --------------------------===//
#include "GraphImporter.h"
#include "IRHelpers.h"
#include "kiln/IR/KilnDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

void mlir::kiln::registerOnnxImportDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, arith::ArithDialect, func::FuncDialect,
                  linalg::LinalgDialect, math::MathDialect,
                  tensor::TensorDialect, cf::ControlFlowDialect,
                  scf::SCFDialect>();
}

GraphImporter::GraphImporter(MLIRContext *context, StringRef fileName,
                             const OnnxImportOptions &options)
    : context(context), builder(context), fileName(fileName.str()),
      fileLoc(FileLineColLoc::get(context, fileName, 0, 0)),
      options(options) {
  registerElementwiseOps(table);
  registerActivationOps(table);
  registerShapeOps(table);
  registerNNOps(table);
  registerConvOps(table);
  registerQuantOps(table);
}

OnnxValue *GraphImporter::lookup(StringRef name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

OnnxValue GraphImporter::constantValue(ElementsAttr attr) {
  OnnxValue v;
  v.type = cast<RankedTensorType>(attr.getType());
  v.constant = attr;
  return v;
}

Value GraphImporter::materialize(OnnxValue &v) {
  if (!v.value) {
    // Constants go at the top of the function so every later use sees them.
    OpBuilder::InsertionGuard guard(builder);
    Block *entry = builder.getInsertionBlock();
    builder.setInsertionPointToStart(entry);
    v.value = arith::ConstantOp::create(builder, fileLoc, cast<TypedAttr>(v.constant));
  }
  return v.value;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        int index) {
  Location loc = nodeLoc(node, index);
  NodeImporter n(*this, node, opset, loc);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return n.error("domain '" + node.domain() + "' is not supported");
  auto it = table.find(node.op_type());
  if (it == table.end())
    return n.error("op type '" + node.op_type() + "' is not supported");
  if (failed(it->second(n))) {
    // Every failure names its cause; this is the net for one that did not.
    if (!n.hasReported())
      return n.error("cannot be imported (an unsupported form)");
    return failure();
  }
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !lookup(node.output(i)))
      return n.error("output " + Twine(i) + " ('" + node.output(i) +
                     "') is not supported");
  return success();
}

OwningOpRef<ModuleOp>
GraphImporter::importModel(const onnx::ModelProto &model) {
  if (!model.has_graph())
    return (emitError(fileLoc) << "the model has no graph", nullptr);
  if (failed(checkOpsets(model)))
    return nullptr;
  const onnx::GraphProto &graph = model.graph();
  FailureOr<SmallVector<int>> order = topologicalOrder(graph);
  if (failed(order))
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  llvm::StringSet<> initNames;
  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(StringAttr::get(context, init.name()), fileLoc);
    FailureOr<OnnxValue> v =
        readTensor(init, loc, "initializer '" + init.name() + "'");
    if (failed(v))
      return nullptr;
    define(init.name(), *v);
    initNames.insert(init.name());
  }
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  llvm::StringSet<> inputNames;
  for (const auto &in : graph.input()) {
    if (!inputNames.insert(in.name()).second)
      return (emitError(fileLoc) << "graph input '" << in.name()
                                 << "' is listed twice",
              nullptr);
    if (initNames.contains(in.name()))
      continue; // an initializer that may be overridden: kept constant
    FailureOr<RankedTensorType> type = valueInfoType(in);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(in.name());
  }
  if (graph.output_size() == 0)
    return (emitError(fileLoc) << "the graph has no outputs", nullptr);

  auto func = func::FuncOp::create(builder, fileLoc, options.entryName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    OnnxValue v;
    v.type = cast<RankedTensorType>(argTypes[i]);
    v.value = entry->getArgument(i);
    if (v.type.getElementType().isUnsignedInteger(8) ||
        v.type.getElementType().isInteger(1))
      return (emitError(fileLoc) << "graph input '" << name << "' is "
                                 << v.type.getElementType()
                                 << " (inputs must be float or signed int)",
              nullptr);
    define(name, v);
  }
  for (int i : *order)
    if (failed(importNode(graph.node(i), i)))
      return nullptr;

  SmallVector<Value> results;
  llvm::StringSet<> seen;
  for (const auto &out : graph.output()) {
    OnnxValue *v = lookup(out.name());
    if (!v)
      return (emitError(fileLoc) << "graph output '" << out.name()
                                 << "' is not produced",
              nullptr);
    if (!seen.insert(out.name()).second)
      return (emitError(fileLoc) << "graph output '" << out.name()
                                 << "' is listed twice",
              nullptr);
    if (!v->value && !v->constant)
      return (emitError(fileLoc) << "graph output '" << out.name()
                                 << "' is a shape computed from dynamic dims, "
                                    "which Kiln evaluates only at import",
              nullptr);
    if (v->shiftedU8 || v->type.getElementType().isInteger(1))
      return (emitError(fileLoc) << "graph output '" << out.name()
                                 << "' is uint8 or bool (outputs must be "
                                    "float or signed int)",
              nullptr);
    results.push_back(materialize(*v));
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(
      argTypes, ValueRange(results).getTypes()));
  return module;
}

OwningOpRef<ModuleOp>
mlir::kiln::importOnnxModel(MLIRContext *context, StringRef bytes,
                            StringRef fileName,
                            const OnnxImportOptions &options) {
  DialectRegistry registry;
  registerOnnxImportDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();
  Location loc = FileLineColLoc::get(context, fileName, 0, 0);
  if (bytes.size() > size_t(INT32_MAX))
    return (emitError(loc) << "the file is larger than 2 GiB (external data "
                              "is not supported)",
            nullptr);
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
    return (emitError(loc) << "not a valid ONNX model (the protobuf does not "
                              "parse: truncated or corrupt file)",
            nullptr);
  GraphImporter importer(context, fileName, options);
  OwningOpRef<ModuleOp> module = importer.importModel(model);
  // The importer checks what it reads; IR that still fails to verify is a
  // Kiln bug, reported (the verifier names the op) rather than compiled.
  if (module && failed(verify(*module)))
    return (emitError(loc) << "internal error: the imported IR does not "
                              "verify; please report this model",
            nullptr);
  return module;
}
