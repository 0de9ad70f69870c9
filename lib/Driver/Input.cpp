//===- Input.cpp - kiln-compile / kiln-run input: MLIR or ONNX -------------===//
#include "kiln/Driver/Driver.h"
#include "kiln/Import/OnnxImporter.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

bool mlir::kiln::driver::isOnnxPath(StringRef path) {
  return path.ends_with_insensitive(".onnx");
}

OwningOpRef<ModuleOp> mlir::kiln::driver::loadInput(MLIRContext &context,
                                                    llvm::SourceMgr &sourceMgr,
                                                    StringRef path) {
  std::string error;
  auto file = openInputFile(path, &error);
  if (!file) {
    emitError(UnknownLoc::get(&context)) << error;
    return nullptr;
  }
  StringRef bytes = file->getBuffer();
  unsigned id = sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  if (isOnnxPath(path))
    return importOnnxModel(&context, bytes, path);
  (void)id;
  return parseSourceFile<ModuleOp>(sourceMgr, &context);
}
