//===- QuantOps.cpp - ONNX quantization ops --------------------------------===//
//
// QuantizeLinear / DequantizeLinear (per-tensor, per-axis, and the blocked
// form of opset 21) become kiln.quantize / kiln.dequantize with an `int`
// format. uint8 data is held as i8 = u8 - 128 with its zero point shifted
// alike, so (q - zp) and every result are unchanged. The integer ops
// (MatMulInteger, ConvInteger, and the accumulation of QLinearMatMul /
// QLinearConv) compute (q - zp) products in i32, exactly as ONNX defines
// them; QLinear* then scale in f32 and requantize with kiln.quantize.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "QuantSupport.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

FailureOr<QuantParams>
mlir::kiln::onnx_import::readQuantParams(NodeImporter &n, RankedTensorType data,
                                         int scaleInput, int zpInput,
                                         bool requireZpType,
                                         int64_t defaultAxis) {
  FailureOr<Value> scale = n.value(scaleInput);
  FailureOr<int64_t> a = n.intAttr("axis", defaultAxis);
  FailureOr<int64_t> block = n.intAttr("block_size", 0);
  if (failed(scale) || failed(a) || failed(block))
    return failure();
  auto st = cast<RankedTensorType>(scale->getType());
  if (!st.getElementType().isF32())
    return n.error("the scale must be float32");
  if (ElementsAttr known = (*n.input(scaleInput))->constant)
    for (double s : readDoubles(known))
      if (!(s > 0.0) || !std::isfinite(s))
        return n.error("scale " + std::to_string(s) + " is not a positive finite "
                       "number");
  QuantParams p;
  p.axis = -1;
  OpBuilder &b = n.b;
  if (*block < 0)
    return n.error("block_size must be >= 0");
  if (*block > 0) {
    if (st.getRank() != data.getRank())
      return n.error("a blocked scale must have the data's rank");
    FailureOr<int64_t> axis = n.axis(*a, data.getRank());
    if (failed(axis))
      return failure();
    p.axis = *axis;
    p.block = *block;
    for (int64_t d = 0; d < data.getRank(); ++d) {
      int64_t want = d == p.axis
                         ? (data.getDimSize(d) + *block - 1) / *block
                         : data.getDimSize(d);
      if (st.getDimSize(d) != want)
        return n.emitError() << "blocked scale " << st
                             << " does not match data " << data
                             << " with block_size " << *block;
    }
  } else if (st.getNumElements() == 1 && st.getRank() <= 1) {
    FailureOr<Value> s = reshapeTo(n, *scale, {});
    if (failed(s))
      return failure();
    *scale = *s;
  } else {
    FailureOr<int64_t> axis = n.axis(*a, data.getRank());
    if (failed(axis))
      return failure();
    if (st.getRank() != 1 || st.getDimSize(0) != data.getDimSize(*axis))
      return n.emitError() << "per-axis scale " << st << " does not match dim "
                           << *axis << " of " << data;
    p.axis = *axis;
  }
  p.scale = *scale;
  auto scaleType = cast<RankedTensorType>(p.scale.getType());
  // Zero point: i32 of the scale's shape, shifted by -128 for uint8.
  p.isU8 = !requireZpType; // ONNX's default storage type is uint8
  if (n.has(zpInput)) {
    FailureOr<OnnxValue *> zv = n.input(zpInput);
    if (failed(zv))
      return failure();
    Type zt = (*zv)->type.getElementType();
    p.isU8 = (*zv)->shiftedU8;
    if (!zt.isInteger(8))
      return n.error("the zero point must be int8 or uint8");
    if ((*zv)->type.getNumElements() != scaleType.getNumElements())
      return n.error("the zero point and the scale differ in size");
    Value z = (*zv)->value;
    if (!z) {
      z = arith::ConstantOp::create(
          b, n.loc,
          cast<TypedAttr>(makeElements(
              scaleType.clone(b.getI32Type()),
              ArrayRef<int64_t>(readInts((*zv)->constant)))));
    } else {
      FailureOr<Value> r = reshapeTo(n, z, scaleType.getShape());
      if (failed(r))
        return failure();
      z = convertElements(b, n.loc, *r, b.getI32Type());
    }
    p.zeroPoint = z;
  } else if (p.isU8) {
    p.zeroPoint = filled(b, n.loc, mixedSizes(b, n.loc, p.scale),
                         b.getI32Type(), -128.0);
  }
  p.format = QuantFormatAttr::get(b.getContext(), QuantKind::Int, p.axis,
                                  p.block, 0, Codebook::None);
  return p;
}

Value mlir::kiln::onnx_import::centeredI32(NodeImporter &n, Value q,
                                           const QuantParams &p) {
  OpBuilder &b = n.b;
  Value wide = convertElements(b, n.loc, q, b.getI32Type());
  if (!p.zeroPoint)
    return wide;
  auto qt = cast<RankedTensorType>(q.getType());
  Value zp = p.zeroPoint;
  if (p.axis >= 0 && p.block == 0) {
    SmallVector<int64_t> shape(qt.getRank(), 1);
    shape[p.axis] = qt.getDimSize(p.axis);
    zp = *reshapeTo(n, zp, shape);
  }
  return arith::SubIOp::create(
      b, n.loc, wide, broadcastTo(b, n.loc, zp, mixedSizes(b, n.loc, wide)));
}

void mlir::kiln::onnx_import::setQuantizedOutput(NodeImporter &n, Value x,
                                                 const QuantParams &p) {
  OpBuilder &b = n.b;
  Value init = emptyTensor(b, n.loc, mixedSizes(b, n.loc, x), b.getI8Type());
  OnnxValue out;
  out.value = QuantizeOp::create(b, n.loc, init.getType(), x, p.scale,
                                 p.zeroPoint, init, p.format);
  out.type = cast<RankedTensorType>(init.getType());
  out.shiftedU8 = p.isU8;
  n.setOutput(0, out);
}

namespace {
LogicalResult importQuantize(NodeImporter &n) {
  FailureOr<int64_t> dtype = n.intAttr("output_dtype", 0);
  if (failed(dtype) || failed(n.checkAttrs({"axis", "block_size", "saturate",
                                            "output_dtype"})))
    return failure();
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  auto xt = cast<RankedTensorType>(x->getType());
  if (!isa<FloatType>(xt.getElementType()))
    return n.error("the input must be float");
  if (*dtype != 0 && *dtype != onnx::TensorProto::INT8 &&
      *dtype != onnx::TensorProto::UINT8)
    return n.error("output_dtype must be int8 or uint8");
  FailureOr<QuantParams> p =
      readQuantParams(n, xt, 1, 2, /*requireZpType=*/*dtype == onnx::TensorProto::INT8);
  if (failed(p))
    return failure();
  if (*dtype == onnx::TensorProto::UINT8 && !p->isU8)
    return n.error("output_dtype uint8 conflicts with an int8 zero point");
  setQuantizedOutput(n, *x, *p);
  return success();
}

LogicalResult importDequantize(NodeImporter &n) {
  if (failed(n.checkAttrs({"axis", "block_size"})))
    return failure();
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(in))
    return failure();
  RankedTensorType qt = (*in)->type;
  Type elt = qt.getElementType();
  FailureOr<QuantParams> p = readQuantParams(n, qt, 1, 2, true);
  if (failed(p))
    return failure();
  OpBuilder &b = n.b;
  Type outElt = b.getF32Type();
  if (elt.isInteger(32)) { // int32 (biases): q * scale
    FailureOr<Value> v = n.value(0);
    if (failed(v))
      return failure();
    Value f = convertElements(b, n.loc, centeredI32(n, *v, *p), outElt);
    Value s = p->scale;
    if (p->axis >= 0) {
      SmallVector<int64_t> shape(qt.getRank(), 1);
      shape[p->axis] = qt.getDimSize(p->axis);
      s = *reshapeTo(n, s, shape);
    }
    n.setOutput(0, arith::MulFOp::create(
                       b, n.loc, f,
                       broadcastTo(b, n.loc, s, mixedSizes(b, n.loc, f))));
    return success();
  }
  if (!elt.isInteger(8))
    return n.error("the input must be int8, uint8 or int32");
  if ((*in)->shiftedU8 != p->isU8 && n.has(2))
    return n.error("the input and its zero point differ in signedness");
  if ((*in)->shiftedU8 && !n.has(2)) { // uint8 without zp: zp = 0 -> -128
    p->zeroPoint = filled(b, n.loc, mixedSizes(b, n.loc, p->scale),
                          b.getI32Type(), -128.0);
  }
  if (!(*in)->shiftedU8 && !n.has(2))
    p->zeroPoint = Value();
  FailureOr<Value> q = n.storedValue(0);
  if (failed(q))
    return failure();
  Value init = emptyTensor(b, n.loc, mixedSizes(b, n.loc, *q), outElt);
  n.setOutput(0, DequantizeOp::create(b, n.loc, init.getType(), *q, p->scale,
                                      p->zeroPoint, init, p->format));
  return success();
}
} // namespace

void mlir::kiln::onnx_import::registerQuantOps(OpTable &t) {
  t["QuantizeLinear"] = importQuantize;
  t["DequantizeLinear"] = importDequantize;
  registerIntegerOps(t);
}
