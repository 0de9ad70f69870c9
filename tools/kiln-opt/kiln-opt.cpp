//===- kiln-opt.cpp - the opt-style driver ---------------------------------===//
// MlirOptMain with every upstream dialect, pass and extension plus Kiln's.
#include "kiln/InitKiln.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

namespace mlir::kiln {
void registerKilnTestPasses(); // test/lib
} // namespace mlir::kiln

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::kiln::registerKilnPasses();
  mlir::kiln::registerKilnTestPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::kiln::registerKilnDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Kiln optimizer driver: kiln and upstream MLIR passes\n",
      registry));
}
