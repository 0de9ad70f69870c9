//===- Entries.cpp - entry points, artifact metadata, the C header ---------===//
#include "kiln/Driver/Driver.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::driver;

static constexpr unsigned kMaxArgs = 24; // KILN_MAX_ARGS
static constexpr unsigned kMaxRank = 8;  // KILN_MAX_RANK

/// The runtime's dtype name of an element type, or "" if it has none.
static std::string dtypeName(Type t) {
  if (t.isF32()) return "f32";
  if (t.isF64()) return "f64";
  if (t.isF16()) return "f16";
  if (t.isBF16()) return "bf16";
  if (isa<Float8E4M3FNType>(t)) return "f8E4M3FN";
  if (isa<Float8E5M2Type>(t)) return "f8E5M2";
  if (isa<Float4E2M1FNType>(t)) return "f4E2M1FN";
  if (isa<Float8E8M0FNUType>(t)) return "f8E8M0FNU";
  auto i = dyn_cast<IntegerType>(t);
  if (!i)
    return "";
  if (i.isUnsigned())
    return i.getWidth() == 8 ? "u8" : "";
  switch (i.getWidth()) {
  case 1: return "i1";
  case 4: return "i4";
  case 8: return "i8";
  case 16: return "i16";
  case 32: return "i32";
  case 64: return "i64";
  default: return "";
  }
}

static FailureOr<TensorSignature> signatureOf(func::FuncOp f, Type t,
                                              StringRef what) {
  auto shaped = dyn_cast<ShapedType>(t);
  auto memref = dyn_cast<MemRefType>(t);
  if (!shaped || !shaped.hasRank() ||
      !(isa<RankedTensorType>(t) || (memref && memref.getLayout().isIdentity())))
    return f.emitError() << "entry point '" << f.getSymName() << "' " << what
                         << " has type " << t
                         << "; entry points take and return ranked tensors";
  TensorSignature sig;
  sig.dtype = dtypeName(shaped.getElementType());
  if (sig.dtype.empty())
    return f.emitError() << "entry point '" << f.getSymName() << "' " << what
                         << " has element type " << shaped.getElementType()
                         << ", which the Kiln runtime has no dtype for";
  if (shaped.getRank() > kMaxRank)
    return f.emitError() << "entry point '" << f.getSymName() << "' " << what
                         << " has rank " << shaped.getRank()
                         << " (the runtime takes at most " << kMaxRank << ")";
  for (int64_t d : shaped.getShape())
    sig.dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return sig;
}

/// Floating-point operations of `f` where they are known: contractions and
/// convolutions (2 per multiply-add) with static shapes; -1 otherwise.
static int64_t countFlops(func::FuncOp f) {
  int64_t total = 0;
  bool counted = false, unknown = false;
  f.walk([&](Operation *op) {
    SmallVector<int64_t> ranges;
    if (auto l = dyn_cast<linalg::LinalgOp>(op)) {
      if (!linalg::isaContractionOpInterface(l) &&
          !linalg::isaConvolutionOpInterface(l))
        return;
      ranges = l.getStaticLoopRanges();
    } else if (op->getName().getStringRef() == "kiln.matmul" &&
               op->getNumOperands() >= 2 && op->getNumResults() == 1) {
      auto a = dyn_cast<ShapedType>(op->getOperand(0).getType());
      auto c = dyn_cast<ShapedType>(op->getResult(0).getType());
      if (!a || !c || !a.hasRank() || !c.hasRank() || a.getRank() < 2)
        return;
      ranges.assign(c.getShape().begin(), c.getShape().end());
      ranges.push_back(a.getShape().back());
    } else if (isa<kiln::ConvOp, kiln::QConvOp>(op)) {
      // Every output element takes (C_in / groups) x kernel taps: the
      // filter's elements per output channel.
      auto c = cast<ShapedType>(op->getResult(0).getType());
      auto w = cast<ShapedType>(op->getOperand(1).getType());
      kiln::DataLayout layout = isa<kiln::ConvOp>(op)
                                    ? cast<kiln::ConvOp>(op).getDataLayout()
                                    : cast<kiln::QConvOp>(op).getDataLayout();
      bool nchw = layout == kiln::DataLayout::NCHW;
      int64_t cout = c.getDimSize(nchw ? 1 : c.getRank() - 1);
      if (!c.hasStaticShape() || !w.hasStaticShape() || cout <= 0) {
        unknown = true;
        return;
      }
      ranges.assign(c.getShape().begin(), c.getShape().end());
      ranges.push_back(w.getNumElements() / cout);
    } else {
      return;
    }
    int64_t n = 2;
    for (int64_t r : ranges) {
      if (ShapedType::isDynamic(r) || r < 0) {
        unknown = true;
        return;
      }
      n *= r;
    }
    total += n;
    counted = true;
  });
  return counted && !unknown ? total : -1;
}

static bool isIdentifier(StringRef s) {
  if (s.empty() || !(isalpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return isalnum(c) || c == '_'; });
}

FailureOr<std::vector<EntrySignature>>
mlir::kiln::driver::prepareEntries(ModuleOp module) {
  std::vector<EntrySignature> entries;
  MLIRContext *ctx = module.getContext();
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f.isPublic() || f.isExternal())
      continue;
    EntrySignature e;
    e.name = f.getSymName().str();
    if (!isIdentifier(e.name))
      return f.emitError() << "entry point name '" << e.name
                           << "' is not a C identifier";
    FunctionType type = f.getFunctionType();
    unsigned params = type.getNumInputs() + (type.getNumResults() ? 1 : 0);
    if (params > kMaxArgs)
      return f.emitError() << "entry point '" << e.name << "' has " << params
                           << " C parameters; the runtime takes at most "
                           << kMaxArgs;
    for (auto [i, t] : llvm::enumerate(type.getInputs())) {
      auto sig = signatureOf(f, t, "argument " + std::to_string(i));
      if (failed(sig))
        return failure();
      e.inputs.push_back(*sig);
      if (isa<RankedTensorType>(t))
        f.setArgAttr(i, "bufferization.writable", BoolAttr::get(ctx, false));
    }
    for (auto [i, t] : llvm::enumerate(type.getResults())) {
      auto sig = signatureOf(f, t, "result " + std::to_string(i));
      if (failed(sig))
        return failure();
      e.outputs.push_back(*sig);
    }
    e.flops = countFlops(f);
    f->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    entries.push_back(std::move(e));
  }
  if (entries.empty())
    return module.emitError()
           << "no entry point: the input has no public func.func with a body";
  return entries;
}

std::string mlir::kiln::driver::formatMetadata(ArrayRef<EntrySignature> entries,
                                               StringRef isa) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "kiln-artifact 1\nisa" << (isa.empty() ? "" : " ") << isa << "\n";
  auto tensor = [&](StringRef kind, const TensorSignature &t) {
    os << kind << " " << t.dtype << " " << t.dims.size();
    for (int64_t d : t.dims)
      os << " " << d;
    os << "\n";
  };
  for (const EntrySignature &e : entries) {
    os << "entry " << e.name << " " << e.inputs.size() << " "
       << e.outputs.size() << "\n";
    if (e.flops >= 0)
      os << "flops " << e.flops << "\n";
    for (const TensorSignature &t : e.inputs)
      tensor("in", t);
    for (const TensorSignature &t : e.outputs)
      tensor("out", t);
    for (const DimAgreement &a : e.agreements) {
      os << "same " << a.size;
      for (auto [input, dim] : a.dims)
        os << " " << input << ":" << dim;
      os << "\n";
    }
  }
  return s;
}

void mlir::kiln::driver::addMetadata(ModuleOp module, StringRef text) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  std::string bytes = text.str();
  bytes.push_back('\0');
  auto arrayType =
      LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), bytes.size());
  auto global = LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                                       LLVM::Linkage::Internal,
                                       "kiln_artifact_metadata_text",
                                       b.getStringAttr(bytes));
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto fn = LLVM::LLVMFuncOp::create(b, loc, "kiln_artifact_metadata",
                                     LLVM::LLVMFunctionType::get(ptr, {}));
  Block *body = fn.addEntryBlock(b);
  b.setInsertionPointToStart(body);
  Value addr = LLVM::AddressOfOp::create(b, loc, global);
  LLVM::ReturnOp::create(b, loc, addr);
}

std::string mlir::kiln::driver::generateHeader(ArrayRef<EntrySignature> entries,
                                               StringRef guard) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "/* Generated by kiln-compile: the C interface of a Kiln artifact\n"
        " * (ABI version 1, see kiln_runtime.h). Link the .so directly and\n"
        " * call the entries with memref descriptors, or load it with the\n"
        " * Kiln runtime. Results come from the artifact's buffer pool: release\n"
        " * each with kiln_artifact_buffer_free(allocated), never free().\n"
        " */\n#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  llvm::SmallSet<size_t, 8> ranks;
  for (const EntrySignature &e : entries)
    for (const auto *list : {&e.inputs, &e.outputs})
      for (const TensorSignature &t : *list)
        ranks.insert(t.dims.size());
  for (size_t r = 0; r <= kMaxRank; ++r) {
    if (!ranks.count(r))
      continue;
    os << "#ifndef KILN_MEMREF_R" << r << "_DEFINED\n#define KILN_MEMREF_R" << r
       << "_DEFINED\n/* A rank-" << r << " memref descriptor. */\n"
       << "typedef struct kiln_memref_r" << r << " {\n"
       << "  void *allocated;\n  void *aligned;\n  int64_t offset;\n";
    if (r)
      os << "  int64_t sizes[" << r << "];\n  int64_t strides[" << r << "];\n";
    os << "} kiln_memref_r" << r << ";\n#endif\n\n";
  }
  auto shape = [&](const TensorSignature &t) {
    std::string d = t.dtype + "[";
    for (auto [i, v] : llvm::enumerate(t.dims))
      d += (i ? "x" : "") + (v < 0 ? std::string("?") : std::to_string(v));
    return d + "]";
  };
  for (const EntrySignature &e : entries) {
    os << "/* " << e.name << "(";
    for (auto [i, t] : llvm::enumerate(e.inputs))
      os << (i ? ", " : "") << shape(t);
    os << ") -> (";
    for (auto [i, t] : llvm::enumerate(e.outputs))
      os << (i ? ", " : "") << shape(t);
    os << ") */\n";
    std::string resultParam;
    if (e.outputs.size() > 1) {
      os << "typedef struct " << e.name << "_results {\n";
      for (auto [i, t] : llvm::enumerate(e.outputs))
        os << "  kiln_memref_r" << t.dims.size() << " r" << i << "; /* "
           << shape(t) << " */\n";
      os << "} " << e.name << "_results;\n";
      resultParam = e.name + "_results *results";
    } else if (e.outputs.size() == 1) {
      resultParam =
          "kiln_memref_r" + std::to_string(e.outputs[0].dims.size()) +
          " *result";
    }
    os << "void _mlir_ciface_" << e.name << "(" << resultParam;
    for (auto [i, t] : llvm::enumerate(e.inputs))
      os << (i || !resultParam.empty() ? ", " : "") << "kiln_memref_r"
         << t.dims.size() << " *in" << i;
    if (resultParam.empty() && e.inputs.empty())
      os << "void";
    os << ");\n\n";
  }
  os << "/* The artifact's metadata (kiln_runtime.h). */\n"
     << "const char *kiln_artifact_metadata(void);\n"
     << "/* Threads for its parallel loops; 0 = all cores (the default). */\n"
     << "void kiln_artifact_set_num_threads(int threads);\n"
     << "/* Returns a result's buffer (its `allocated` pointer) to the pool. */\n"
     << "void kiln_artifact_buffer_free(void *allocated);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return s;
}
