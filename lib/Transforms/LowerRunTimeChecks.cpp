//===- LowerRunTimeChecks.cpp - kiln-lower-run-time-checks ----------------===//
//
// cf.assert -> a failure count and message the runtime reads (see
// Passes.td). Two internal globals hold the state; each assert's message is
// a global string of its own. The accessor is exported by name, like
// kiln_artifact_metadata.
//
//===----------------------------------------------------------------------===//
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNLOWERRUNTIMECHECKS
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {
constexpr StringLiteral kCount = "kiln_check_failures";
constexpr StringLiteral kMessage = "kiln_check_message";
constexpr StringLiteral kAccessor = "kiln_artifact_check_failures";

/// An internal global of `type` initialized to zero (null for a pointer).
void zeroGlobal(OpBuilder &b, Location loc, Type type, StringRef name) {
  auto global = LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/false,
                                       LLVM::Linkage::Internal, name,
                                       Attribute());
  OpBuilder::InsertionGuard guard(b);
  b.createBlock(&global.getInitializerRegion());
  LLVM::ReturnOp::create(b, loc, LLVM::ZeroOp::create(b, loc, type));
}

/// kiln_artifact_check_failures(const char **message): the count, and the
/// latest message through `message` (null before any failure).
void defineAccessor(OpBuilder &b, Location loc) {
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto fn = LLVM::LLVMFuncOp::create(b, loc, kAccessor,
                                     LLVM::LLVMFunctionType::get(i64, {ptr}));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(fn.addEntryBlock(b));
  Value count = LLVM::LoadOp::create(
      b, loc, i64, LLVM::AddressOfOp::create(b, loc, ptr, kCount), 8,
      /*isVolatile=*/false, /*isNonTemporal=*/false, /*isInvariant=*/false,
      /*isInvariantGroup=*/false, LLVM::AtomicOrdering::acquire);
  Value message = LLVM::LoadOp::create(
      b, loc, ptr, LLVM::AddressOfOp::create(b, loc, ptr, kMessage), 8,
      false, false, false, false, LLVM::AtomicOrdering::acquire);
  LLVM::StoreOp::create(b, loc, message, fn.getArgument(0));
  LLVM::ReturnOp::create(b, loc, count);
}

struct KilnLowerRunTimeChecks
    : public kiln::impl::KilnLowerRunTimeChecksBase<KilnLowerRunTimeChecks> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp a) { asserts.push_back(a); });
    if (asserts.empty())
      return;
    if (module.lookupSymbol(kAccessor)) {
      module.emitError() << "kiln-lower-run-time-checks ran twice ("
                         << kAccessor << " exists)";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    Location loc = module.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    zeroGlobal(b, loc, i64, kCount);
    zeroGlobal(b, loc, ptr, kMessage);
    defineAccessor(b, loc);
    for (auto [n, a] : llvm::enumerate(asserts)) {
      std::string text = a.getMsg().str();
      text.push_back('\0');
      std::string name = "kiln_check_text_" + std::to_string(n);
      b.setInsertionPointToEnd(module.getBody());
      LLVM::GlobalOp::create(
          b, a.getLoc(),
          LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size()),
          /*isConstant=*/true, LLVM::Linkage::Internal, name,
          b.getStringAttr(text));
      b.setInsertionPoint(a);
      Location l = a.getLoc();
      Value bad = arith::XOrIOp::create(
          b, l, a.getArg(), arith::ConstantIntOp::create(b, l, 1, 1));
      auto ifOp = scf::IfOp::create(b, l, bad, /*withElseRegion=*/false);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value msg = LLVM::AddressOfOp::create(b, l, ptr, name);
      LLVM::StoreOp::create(b, l, msg,
                            LLVM::AddressOfOp::create(b, l, ptr, kMessage), 8,
                            false, false, false, LLVM::AtomicOrdering::release);
      LLVM::AtomicRMWOp::create(
          b, l, LLVM::AtomicBinOp::add,
          LLVM::AddressOfOp::create(b, l, ptr, kCount),
          LLVM::ConstantOp::create(b, l, i64, b.getI64IntegerAttr(1)),
          LLVM::AtomicOrdering::seq_cst);
      a.erase();
    }
  }
};
} // namespace
