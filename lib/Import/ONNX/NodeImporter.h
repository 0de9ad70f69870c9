//===- NodeImporter.h - the state one ONNX node is imported with -----------===//
//
// Internal to lib/Import/ONNX. Every op handler receives a NodeImporter: it
// reads the node's inputs (materialized SSA values, or their contents when
// known at import time), its attributes (type-checked: a wrong type is an
// error, never a crash), emits IR at the node's location and records the
// outputs. Errors name the node and its op type.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_IMPORT_ONNX_NODEIMPORTER_H
#define KILN_LIB_IMPORT_ONNX_NODEIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

namespace mlir::kiln::onnx_import {

/// Marks an unknown entry of a partially known shape value.
constexpr int64_t kUnknownDim = INT64_MIN;
/// Dims beyond this (or element counts beyond kMaxElements) are refused.
constexpr int64_t kMaxDim = int64_t(1) << 40;
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// One tensor of the graph.
struct OnnxValue {
  RankedTensorType type;
  /// The SSA value; null for a constant not yet materialized.
  Value value;
  /// The contents when known at import time (initializers, Constant nodes,
  /// folded shape subgraphs).
  ElementsAttr constant;
  /// A 1-D int64 value (a shape being computed) whose entries are partly
  /// known; unknown entries are kUnknownDim.
  std::optional<SmallVector<int64_t>> partial;
  /// uint8 data held as i8 = u8 - 128 (quantized activations; the zero point
  /// is shifted the same way, so (q - zp) is unchanged).
  bool shiftedU8 = false;
};

class GraphImporter;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
               int64_t opset, Location loc);

  OpBuilder &b;
  const onnx::NodeProto &node;
  const int64_t opset; // of the default domain
  const Location loc;

  //===--- diagnostics ---===//
  /// Emits "node 'name' (OpType): message" and returns failure.
  LogicalResult error(const Twine &message);
  /// The same as an InFlightDiagnostic, to stream more into it.
  InFlightDiagnostic emitError();
  /// "node 'NAME' (OpType)", as diagnostics and run-time checks name it.
  std::string describe() const;

  //===--- inputs ---===//
  int numInputs() const { return node.input_size(); }
  /// Whether input i is given (ONNX skips optional inputs with "").
  bool has(int i) const {
    return i < node.input_size() && !node.input(i).empty();
  }
  /// Input i, which must be given.
  FailureOr<OnnxValue *> input(int i);
  /// Input i as an SSA value (constants are materialized).
  FailureOr<Value> value(int i);
  /// Input i as stored (uint8 as i8 - 128), for the quantization ops.
  FailureOr<Value> storedValue(int i);
  /// The known contents of input i, or an error saying it must be constant.
  FailureOr<ElementsAttr> constant(int i, StringRef what);
  /// Input i as int64 values (a constant, or a partial shape when
  /// `allowPartial`), for shape-like operands (axes, shapes, pads).
  FailureOr<SmallVector<int64_t>> ints(int i, StringRef what,
                                       bool allowPartial = false);
  /// A scalar (or one-element) constant input as a double.
  FailureOr<double> scalar(int i, StringRef what);
  /// The type of input i; null (after an error) when it is missing.
  RankedTensorType type(int i);

  //===--- attributes ---===//
  const onnx::AttributeProto *attr(StringRef name) const;
  FailureOr<int64_t> intAttr(StringRef name, int64_t dflt);
  FailureOr<float> floatAttr(StringRef name, float dflt);
  FailureOr<std::string> stringAttr(StringRef name, StringRef dflt);
  /// A list of ints; `present` tells whether it was given.
  FailureOr<SmallVector<int64_t>> intsAttr(StringRef name,
                                           bool *present = nullptr);
  /// Errors for attributes the handler does not know (so none is ignored).
  LogicalResult checkAttrs(ArrayRef<StringRef> known);
  /// Normalizes axis `a` of a rank `r` tensor (negative counts from the end).
  FailureOr<int64_t> axis(int64_t a, int64_t rank, StringRef what = "axis");

  /// A TensorProto of an attribute (Constant's value) as a value.
  FailureOr<OnnxValue> readTensor(const onnx::TensorProto &tensor,
                                  const Twine &what);

  //===--- outputs ---===//
  int numOutputs() const { return node.output_size(); }
  /// Whether an error about this node has been emitted.
  bool hasReported() const { return reported; }
  void setOutput(int i, Value v);
  void setOutput(int i, OnnxValue v);
  void setConstantOutput(int i, ElementsAttr attr);
  bool wantsOutput(int i) const {
    return i < node.output_size() && !node.output(i).empty();
  }

private:
  GraphImporter &graph;
  bool reported = false;
};

using OpHandler = LogicalResult (*)(NodeImporter &);
using OpTable = llvm::StringMap<OpHandler>;

// Each family registers its handlers (one file each).
void registerElementwiseOps(OpTable &table);
void registerActivationOps(OpTable &table);
void registerShapeOps(OpTable &table);
void registerNNOps(OpTable &table);
void registerConvOps(OpTable &table);
void registerQuantOps(OpTable &table);

} // namespace mlir::kiln::onnx_import

#endif // KILN_LIB_IMPORT_ONNX_NODEIMPORTER_H
