//===- OnnxImporter.h - ONNX protobuf -> kiln + upstream dialects ----------===//
//
// Reads an ONNX ModelProto (opsets 13-17, plus Gelu-20 and the blocked
// DequantizeLinear-21) into one public func.func whose arguments are the
// graph inputs that are not initializers and whose results are the graph
// outputs. Shapes are computed at import time (a symbolic dim becomes `?`);
// shape-computing subgraphs are evaluated to constants. Large initializers
// become dense_resource blobs, which lower to the artifact's read-only data.
// Every problem is an error diagnostic naming the node, its op type and what
// is missing; the importer never aborts on bad input.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_ONNXIMPORTER_H
#define KILN_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::kiln {

struct OnnxImportOptions {
  /// Name of the imported function (the artifact's entry point).
  std::string entryName = "main";
  /// Initializers with more bytes than this become dense_resource blobs.
  int64_t inlineConstantBytes = 256;
};

/// Imports a serialized ModelProto; `fileName` names it in diagnostics.
/// Returns null after emitting diagnostics on failure.
OwningOpRef<ModuleOp> importOnnxModel(MLIRContext *context, StringRef bytes,
                                      StringRef fileName,
                                      const OnnxImportOptions &options = {});

/// Registers the dialects the importer emits.
void registerOnnxImportDialects(DialectRegistry &registry);

} // namespace mlir::kiln

#endif // KILN_IMPORT_ONNXIMPORTER_H
