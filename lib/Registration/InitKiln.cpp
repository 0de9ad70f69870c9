//===- InitKiln.cpp - register everything kiln provides -------------------===//
#include "kiln/InitKiln.h"
#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnDialect.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

void mlir::kiln::registerKilnDialects(DialectRegistry &registry) {
  registry.insert<KilnDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, scf::SCFDialect, tensor::TensorDialect,
                  arith::ArithDialect>();
}

void mlir::kiln::registerKilnPasses() {
  registerKilnConversionPasses();
  registerKilnTransformsPasses();
  registerKilnPipelines();
}
