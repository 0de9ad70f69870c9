//===- Driver.h - compiler phases shared by kiln-compile, kiln-run, Python ===//
//
// parse -> prepare entries (public func.func = entry points, C interface,
// read-only inputs) -> buildCpuPipeline (loops, then the LLVM dialect) ->
// artifact metadata (kiln_runtime.h, ABI v1) -> LLVM IR -> asm / object ->
// shared library (ld.lld) plus a C header. Every failure is reported as an
// MLIR diagnostic (located where it concerns the input) and returned.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DRIVER_DRIVER_H
#define KILN_DRIVER_DRIVER_H

#include "kiln/Target/CpuTarget.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace llvm {
class SourceMgr;
class TargetMachine;
class Module;
class LLVMContext;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class ExecutionEngine;
class PassManager;
namespace kiln::driver {

/// --compile-to: the phase after which MLIR is printed.
enum class Phase { Input, Graph, Loops, LLVMDialect };
/// --emit: what kiln-compile writes.
enum class EmitKind { Mlir, LLVMIR, Asm, Obj, Shared };

std::optional<Phase> parsePhase(StringRef name);
std::optional<EmitKind> parseEmitKind(StringRef name);

struct CompileOptions {
  std::string mcpu = "native";
  unsigned optLevel = 3;
  /// kiln-cpu-pipeline's graph-fusion option.
  bool graphFusion = true;
  EmitKind emit = EmitKind::Shared;
  std::optional<Phase> compileTo;
  /// Tests only: the ISA recorded in the metadata instead of the target's.
  std::optional<std::string> requiredIsaOverride;
  /// Applied to every PassManager before it runs (CL options, timing).
  std::function<LogicalResult(PassManager &)> configurePassManager;
};

struct TensorSignature {
  std::string dtype;             // kiln_runtime.h dtype name
  SmallVector<int64_t> dims;     // -1 = dynamic
};
/// Dynamic input dims that the code requires to be equal (and equal to
/// `size` when it is >= 0): the runtime checks them before a call.
struct DimAgreement {
  int64_t size = -1;
  SmallVector<std::pair<unsigned, unsigned>> dims; // (input, dim)
};
struct EntrySignature {
  std::string name;
  int64_t flops = -1; // -1 = unknown
  SmallVector<TensorSignature> inputs, outputs;
  SmallVector<DimAgreement> agreements;
};

/// One remark, for a caller that collects them (Python's model.remarks).
struct RemarkRecord {
  std::string kind;     // Passed, Missed, Failure, Analysis
  std::string category; // kiln-slow-path or kiln-fusion
  std::string pass, name, function, location, message;
};
/// Where Kiln's remarks (lib/Transforms/Remarks.h) go.
struct RemarkSink {
  bool text = false;    // as diagnostics: "loc: remark: [Missed] ..."
  std::string yamlPath; // LLVM's YAML remark format; empty = none
  std::function<void(const RemarkRecord &)> collect; // may be empty
};
/// Turns on MLIR's remark engine for Kiln's categories on `context`; each
/// candidate reports its last outcome, once, when finishRemarks is called.
LogicalResult enableRemarks(MLIRContext &context, const RemarkSink &sink);
void finishRemarks(MLIRContext &context);

/// Every upstream dialect, extension and LLVM IR translation, plus Kiln's.
void registerDriverDialects(DialectRegistry &registry);
/// Initializes the native LLVM target (idempotent).
void initializeLLVMTargets();

/// Collects the entry points (public func.func with a body), checks their
/// types, marks them llvm.emit_c_interface and their arguments read-only.
FailureOr<std::vector<EntrySignature>> prepareEntries(ModuleOp module);
/// Fills each entry's `agreements` from the IR (ShapeContract.cpp): which
/// dynamic input dims the code requires to agree. Entries without dynamic
/// inputs cost nothing.
LogicalResult inferDimAgreements(ModuleOp module,
                                 std::vector<EntrySignature> &entries);
std::string formatMetadata(ArrayRef<EntrySignature> entries, StringRef isa);
/// Adds the metadata string and `kiln_artifact_metadata` (LLVM dialect).
void addMetadata(ModuleOp module, StringRef text);
/// The C header of a shared artifact: descriptor structs, each entry's
/// _mlir_ciface_ prototype, the metadata accessor.
std::string generateHeader(ArrayRef<EntrySignature> entries, StringRef guard);

/// Reads `path` ("-" = stdin): an ONNX model when it ends in .onnx
/// (kiln/Import/OnnxImporter.h), MLIR otherwise. The buffer is added to
/// `sourceMgr`; null after a diagnostic.
OwningOpRef<ModuleOp> loadInput(MLIRContext &context,
                                llvm::SourceMgr &sourceMgr, StringRef path);
/// Whether `path` names an ONNX model (by its extension).
bool isOnnxPath(StringRef path);

/// Runs buildCpuPipeline up to `until` (Input runs nothing; Graph only the
/// graph-level rewrites, addGraphPasses).
LogicalResult lower(ModuleOp module, const CompileOptions &options,
                    Phase until);
/// Lowers to the LLVM dialect with the metadata added; returns the entries.
FailureOr<std::vector<EntrySignature>>
lowerToArtifactModule(ModuleOp module, const CompileOptions &options,
                      const CpuTarget &target);

std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CpuTarget &target, unsigned optLevel,
                    std::string &error);

/// The full kiln-compile flow on a parsed module, writing `outputPath`
/// ("-" = stdout, text kinds only).
LogicalResult compile(ModuleOp module, const CompileOptions &options,
                      StringRef outputPath);

/// kiln-run on .mlir: lowers for the host and JIT-compiles the module with
/// mlir::ExecutionEngine (symbols: kiln_artifact_metadata, _mlir_ciface_*).
FailureOr<std::unique_ptr<ExecutionEngine>>
compileForJit(ModuleOp module, const CompileOptions &options);

/// Prints diagnostics that have no location as "<tool>: error: ..."; call it
/// after installing the SourceMgrDiagnosticHandler (located ones).
void installToolDiagnostics(MLIRContext &context, StringRef tool);

/// Finds ld.lld next to the LLVM install (or KILN_LD_LLD); empty if missing.
std::string findLinker();

} // namespace kiln::driver
} // namespace mlir

#endif // KILN_DRIVER_DRIVER_H
