//===- ImportQuantTypes.cpp - !quant.uniform to kiln's operand form -------===//
//
// Every ranked tensor of `!quant.uniform` (per tensor or per axis, i8/u8/i4/u4
// storage) becomes a tensor of its signless storage type; the scale and zero
// point move from the type into arith.constant operands of kiln.quantize /
// kiln.dequantize. Unsupported forms are reported, naming the value, before
// anything is rewritten.
//
// Unsigned storage: when the storage range [min, max] fits the signed type of
// the same width, the bits are kept (q' = q). Otherwise the stored values are
// shifted by -2^(w-1) (q' = q - 2^(w-1), i.e. the top bit flipped) and so are
// the zero points and the bounds; (q' - zp') = (q - zp), so every decoded
// value and every quantize result is exactly the same. quant.scast to or from
// such a type flips the top bit, and function arguments and results carry the
// shifted form.
//
//===----------------------------------------------------------------------===//
#include "kiln/IR/KilnOps.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include <cmath>

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNIMPORTQUANTTYPES
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// A quantized element type in kiln's terms.
struct QuantInfo {
  unsigned width = 8;
  int64_t shift = 0;        // added to stored values, zero points and bounds
  int64_t min = 0, max = 0; // storage bounds after the shift
  int64_t axis = -1;        // -1: per tensor
  SmallVector<float> scales;
  SmallVector<int32_t> zeroPoints;
};
} // namespace

/// Analyzes `qt`; on failure, `why` names the form kiln cannot represent.
static FailureOr<QuantInfo> analyze(quant::QuantizedType qt, std::string &why) {
  llvm::raw_string_ostream os(why);
  if (isa<quant::UniformQuantizedSubChannelType>(qt)) {
    os << "sub-channel (block-wise) quantization, which kiln cannot import "
          "from !quant (use a blocked #kiln.qformat)";
    return failure();
  }
  QuantInfo info;
  SmallVector<double> scales;
  if (auto u = dyn_cast<quant::UniformQuantizedType>(qt)) {
    scales.push_back(u.getScale());
    info.zeroPoints.push_back(u.getZeroPoint());
  } else if (auto a = dyn_cast<quant::UniformQuantizedPerAxisType>(qt)) {
    info.axis = a.getQuantizedDimension();
    scales.append(a.getScales().begin(), a.getScales().end());
    info.zeroPoints.append(a.getZeroPoints().begin(), a.getZeroPoints().end());
  } else {
    os << "quantized type '" << Type(qt)
       << "' (only !quant.uniform is imported)";
    return failure();
  }
  // Scales become f32 operands; one that rounds to 0 or inf would change
  // meaning (kiln defines a zero scale specially). The quant verifier already
  // bounds scales by the expressed type's range, so this is a safety net.
  for (double d : scales) {
    float s = static_cast<float>(d);
    if (!(s > 0.0f) || std::isinf(s)) {
      os << "scale " << d << ", which is not a positive finite f32";
      return failure();
    }
    info.scales.push_back(s);
  }
  auto storage = dyn_cast<IntegerType>(qt.getStorageType());
  if (!storage) {
    os << "float storage '" << qt.getStorageType()
       << "' (kiln imports integer storage only)";
    return failure();
  }
  info.width = storage.getWidth();
  if (info.width != 8 && info.width != 4) {
    os << (qt.isSigned() ? "i" : "u") << info.width
       << " storage (kiln stores i8 or i4)";
    return failure();
  }
  Type expressed = qt.getExpressedType();
  if (!expressed.isF32() && !expressed.isF16() && !expressed.isBF16()) {
    os << "expressed type '" << expressed << "' (kiln computes in f32, f16 or "
       << "bf16)";
    return failure();
  }
  info.min = qt.getStorageTypeMin();
  info.max = qt.getStorageTypeMax();
  if (!qt.isSigned() && info.max > llvm::maxIntN(info.width)) {
    info.shift = llvm::minIntN(info.width);
    info.min += info.shift;
    info.max += info.shift;
    for (int32_t &zp : info.zeroPoints)
      zp += info.shift;
  }
  return info;
}

/// The reason `type` cannot be imported, or nothing if it can (or carries no
/// quantized type).
static std::optional<std::string> unsupported(Type type) {
  if (auto fn = dyn_cast<FunctionType>(type)) {
    for (Type t : llvm::concat<const Type>(fn.getInputs(), fn.getResults()))
      if (auto why = unsupported(t))
        return why;
    return std::nullopt;
  }
  auto qt = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(type));
  if (!qt)
    return std::nullopt;
  if (isa<UnrankedTensorType>(type))
    return std::string("an unranked tensor of quantized values (kiln needs a "
                       "ranked tensor)");
  if (!isa<RankedTensorType>(type))
    return std::string("a quantized scalar or vector (kiln needs a ranked "
                       "tensor)");
  std::string why;
  if (failed(analyze(qt, why)))
    return why;
  return std::nullopt;
}

/// Reports every value (and function declaration) whose type kiln cannot
/// represent, naming it.
static LogicalResult checkSupported(ModuleOp module) {
  bool ok = true;
  auto report = [&](Value v) {
    std::optional<std::string> why = unsupported(v.getType());
    if (!why)
      return;
    std::string name;
    llvm::raw_string_ostream os(name);
    v.printAsOperand(os, OpPrintingFlags());
    emitError(v.getLoc()) << "kiln-import-quant-types: value " << name
                          << " of type " << v.getType() << " uses " << *why;
    ok = false;
  };
  module.walk([&](Operation *op) {
    for (Value r : op->getResults())
      report(r);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (Value arg : block.getArguments())
          report(arg);
    auto fn = dyn_cast<FunctionOpInterface>(op);
    if (fn && fn.isExternal())
      if (auto why = unsupported(fn.getFunctionType())) {
        op->emitError() << "kiln-import-quant-types: the signature of '"
                        << fn.getName() << "' uses " << *why;
        ok = false;
      }
  });
  return success(ok);
}

/// Info of an already checked quantized tensor type.
static QuantInfo infoOf(Type type) {
  std::string why;
  return *analyze(cast<quant::QuantizedType>(getElementTypeOrSelf(type)), why);
}

static SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, v, i));
  return sizes;
}

/// A splat tensor of `value` shaped like `like`.
static Value splatLike(OpBuilder &b, Location loc, Value like, int64_t value) {
  auto type = cast<RankedTensorType>(like.getType());
  Value scalar = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type.getElementType(), value));
  return tensor::SplatOp::create(b, loc, scalar, type,
                                 dynamicSizes(b, loc, like));
}

/// The scale and (when any is nonzero) zero-point constants and the format.
static std::tuple<Value, Value, QuantFormatAttr>
buildQuantOperands(OpBuilder &b, Location loc, const QuantInfo &info) {
  SmallVector<int64_t> shape;
  if (info.axis >= 0)
    shape.push_back(info.scales.size());
  auto scaleType = RankedTensorType::get(shape, b.getF32Type());
  Value scale = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(scaleType, ArrayRef(info.scales)));
  Value zp;
  if (llvm::any_of(info.zeroPoints, [](int32_t z) { return z != 0; })) {
    auto zpType = RankedTensorType::get(shape, b.getI32Type());
    zp = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(zpType, ArrayRef(info.zeroPoints)));
  }
  auto format = QuantFormatAttr::get(b.getContext(), QuantKind::Int, info.axis,
                                     0, 0, Codebook::None);
  return {scale, zp, format};
}

namespace {
struct QCastToQuantize : OpConversionPattern<quant::QuantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::QuantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QuantInfo info = infoOf(op.getResult().getType());
    Type storageType =
        getTypeConverter()->convertType(op.getResult().getType());
    auto [scale, zp, format] = buildQuantOperands(rewriter, loc, info);
    Value input = adaptor.getInput();
    Value init = tensor::EmptyOp::create(rewriter, loc,
                                         cast<RankedTensorType>(storageType),
                                         dynamicSizes(rewriter, loc, input));
    Value q = QuantizeOp::create(rewriter, loc, storageType, input, scale, zp,
                                 init, format);
    // kiln.quantize saturates to the full storage range; a narrower one
    // (e.g. i8<-127:127>) is a further clamp, which composes exactly.
    if (info.min > llvm::minIntN(info.width))
      q = arith::MaxSIOp::create(rewriter, loc, q,
                                 splatLike(rewriter, loc, q, info.min));
    if (info.max < llvm::maxIntN(info.width))
      q = arith::MinSIOp::create(rewriter, loc, q,
                                 splatLike(rewriter, loc, q, info.max));
    rewriter.replaceOp(op, q);
    return success();
  }
};

struct DCastToDequantize : OpConversionPattern<quant::DequantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::DequantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    QuantInfo info = infoOf(op.getInput().getType());
    auto [scale, zp, format] = buildQuantOperands(rewriter, loc, info);
    Value input = adaptor.getInput();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType,
                                         dynamicSizes(rewriter, loc, input));
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, resultType, input, scale, zp,
                                              init, format);
    return success();
  }
};

/// Storage casts vanish; with shifted unsigned storage they flip the top bit.
struct SCastToStorage : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type in = op.getInput().getType();
    bool fromQuant = isa<quant::QuantizedType>(getElementTypeOrSelf(in));
    QuantInfo info = infoOf(fromQuant ? in : op.getResult().getType());
    Value v = adaptor.getInput();
    if (info.shift != 0)
      v = arith::XOrIOp::create(
          rewriter, op.getLoc(), v,
          splatLike(rewriter, op.getLoc(), v, llvm::minIntN(info.width)));
    rewriter.replaceOp(op, v);
    return success();
  }
};

struct KilnImportQuantTypesPass
    : kiln::impl::KilnImportQuantTypesBase<KilnImportQuantTypesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkSupported(module)))
      return signalPassFailure();
    MLIRContext *ctx = &getContext();

    TypeConverter converter;
    converter.addConversion([](Type t) { return t; });
    converter.addConversion([](RankedTensorType t) -> std::optional<Type> {
      if (!isa<quant::QuantizedType>(t.getElementType()))
        return t;
      unsigned width = infoOf(t).width;
      return RankedTensorType::get(t.getShape(),
                                   IntegerType::get(t.getContext(), width));
    });

    RewritePatternSet patterns(ctx);
    patterns.add<QCastToQuantize, DCastToDequantize, SCastToStorage>(converter,
                                                                     ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<quant::QuantDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType()) &&
             converter.isLegal(&f.getBody());
    });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    // No folding: quant.dcast folds dcast(qcast(x)) to x, which would drop
    // the rounding and saturation a quantize-dequantize pair stands for.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(module, target, std::move(patterns),
                                      config)))
      signalPassFailure();
  }
};
} // namespace
