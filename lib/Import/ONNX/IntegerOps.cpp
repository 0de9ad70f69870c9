//===- IntegerOps.cpp - ONNX integer matmul / conv and QLinear ops ---------===//
//
// (q - zp) products accumulate in i32 with linalg.matmul and the grouped
// 2-D linalg conv, exactly as ONNX defines MatMulInteger and ConvInteger.
// QLinearMatMul / QLinearConv add the i32 bias, scale the accumulator by
// the input scales in f32 and requantize with kiln.quantize.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "QuantSupport.h"
#include "Windows.h"
#include "kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {
/// (input `data` - zero point `zp`) in i32; a 1-D zero point runs along
/// `axis` of the data.
FailureOr<Value> centered(NodeImporter &n, int data, int zp, int64_t axis) {
  FailureOr<OnnxValue *> d = n.input(data);
  FailureOr<Value> q = n.storedValue(data);
  if (failed(d) || failed(q))
    return failure();
  RankedTensorType t = (*d)->type;
  if (!t.getElementType().isInteger(8))
    return n.error("input " + Twine(data) + " must be int8 or uint8");
  QuantParams p;
  OpBuilder &b = n.b;
  if (n.has(zp)) {
    FailureOr<OnnxValue *> z = n.input(zp);
    FailureOr<Value> zv = n.storedValue(zp);
    if (failed(z) || failed(zv))
      return failure();
    if (!(*z)->type.getElementType().isInteger(8) ||
        (*z)->shiftedU8 != (*d)->shiftedU8)
      return n.error("zero point " + Twine(zp) +
                     " must have its data's type (int8 or uint8)");
    int64_t count = (*z)->type.getNumElements();
    if (count == 1) {
      *zv = *reshapeTo(n, *zv, {});
    } else if ((*z)->type.getRank() != 1 || t.isDynamicDim(axis) ||
               count != t.getDimSize(axis)) {
      return n.emitError() << "zero point " << (*z)->type
                           << " is not per tensor or along dim " << axis
                           << " of " << t;
    } else {
      p.axis = axis;
    }
    p.zeroPoint = convertElements(b, n.loc, *zv, b.getI32Type());
  } else if ((*d)->shiftedU8) {
    p.zeroPoint = filled(b, n.loc, {}, b.getI32Type(), -128.0);
  }
  return centeredI32(n, *q, p);
}

/// i32 A [..., M, K] . B [K, N].
FailureOr<Value> intMatmul(NodeImporter &n, Value a, Value bm) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(bm.getType());
  if (at.getRank() < 2 || bt.getRank() != 2)
    return n.error("A must have rank >= 2 and B rank 2");
  if (at.getDimSize(at.getRank() - 1) != bt.getDimSize(0))
    return n.emitError() << "the contraction dims of " << at << " and " << bt
                         << " differ";
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t d = 0; d + 1 < at.getRank(); ++d)
    groups[0].push_back(d);
  groups[1].push_back(at.getRank() - 1);
  Value flat = at.getRank() == 2
                   ? a
                   : tensor::CollapseShapeOp::create(b, loc, a, groups)
                         .getResult();
  SmallVector<OpFoldResult> sizes = {mixedSizes(b, loc, flat)[0],
                                     b.getIndexAttr(bt.getDimSize(1))};
  Value acc = filled(b, loc, sizes, b.getI32Type(), 0.0);
  Value c = linalg::MatmulOp::create(b, loc, ValueRange{flat, bm},
                                     ValueRange{acc})
                .getResult(0);
  if (at.getRank() == 2)
    return c;
  SmallVector<OpFoldResult> out = mixedSizes(b, loc, a);
  out.back() = sizes[1];
  return tensor::ExpandShapeOp::create(
             b, loc, RankedTensorType::get(staticShape(out), b.getI32Type()),
             c, groups, out)
      .getResult();
}

/// i32 grouped 2-D convolution of centered NCHW input and OIHW filter.
FailureOr<Value> intConv(NodeImporter &n, Value x, Value w) {
  FailureOr<int64_t> group = n.intAttr("group", 1);
  if (failed(group))
    return failure();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  if (xt.getRank() != 4 || wt.getRank() != 4 || !wt.hasStaticShape() ||
      xt.isDynamicDim(1))
    return n.error("only 2-D convolutions with static channels and filter "
                   "are supported");
  int64_t g = *group, c = xt.getDimSize(1), m = wt.getDimSize(0);
  if (g <= 0 || c % g || m % g || wt.getDimSize(1) != c / g)
    return n.emitError() << "filter " << wt << " does not match " << c
                         << " input channels in " << g << " groups";
  FailureOr<Window> win =
      readWindow(n, xt, wt.getShape().drop_front(2), /*allowCeil=*/false);
  if (failed(win))
    return failure();
  SmallVector<OpFoldResult> lo(4, b.getIndexAttr(0)), hi(4, b.getIndexAttr(0));
  for (int d = 0; d < 2; ++d) {
    lo[d + 2] = b.getIndexAttr(win->padLow[d]);
    hi[d + 2] = b.getIndexAttr(win->padHigh[d]);
  }
  Value zero = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  Value padded = tensor::PadOp::create(b, loc, Type(), x, lo, hi, zero);
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, padded);
  // [N, G, C/G, H, W] x [G, M/G, C/G, kh, kw] -> [N, G, M/G, OH, OW].
  SmallVector<OpFoldResult> xs = {in[0], b.getIndexAttr(g),
                                  b.getIndexAttr(c / g), in[2], in[3]};
  SmallVector<ReassociationIndices> xg = {{0}, {1, 2}, {3}, {4}};
  Value xg5 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(staticShape(xs), b.getI32Type()), padded,
      xg, xs);
  SmallVector<int64_t> ws = {g, m / g, c / g, wt.getDimSize(2),
                             wt.getDimSize(3)};
  Value wg5 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(ws, b.getI32Type()), w,
      SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  SmallVector<OpFoldResult> os = {in[0], b.getIndexAttr(g),
                                  b.getIndexAttr(m / g),
                                  b.getIndexAttr(win->out[0]),
                                  b.getIndexAttr(win->out[1])};
  Value acc = filled(b, loc, os, b.getI32Type(), 0.0);
  Value y = linalg::Conv2DNgchwGfchwOp::create(
                b, loc, TypeRange{acc.getType()}, ValueRange{xg5, wg5},
                ValueRange{acc}, b.getI64TensorAttr(win->strides),
                b.getI64TensorAttr(win->dilations))
                .getResult(0);
  SmallVector<OpFoldResult> out = {os[0], b.getIndexAttr(m), os[3], os[4]};
  return tensor::CollapseShapeOp::create(
             b, loc, RankedTensorType::get(staticShape(out), b.getI32Type()),
             y, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}})
      .getResult();
}

/// Scale input `i` (scalar, or [dim] along `axis` of `like`) broadcast to
/// `like`'s shape.
FailureOr<Value> scaleLike(NodeImporter &n, int i, Value like, int64_t axis) {
  FailureOr<Value> s = n.value(i);
  if (failed(s))
    return failure();
  auto st = cast<RankedTensorType>(s->getType());
  auto lt = cast<RankedTensorType>(like.getType());
  if (!st.getElementType().isF32())
    return n.error("scale " + Twine(i) + " must be float32");
  SmallVector<int64_t> shape(lt.getRank(), 1);
  if (st.getNumElements() != 1) {
    if (st.getRank() != 1 || st.getDimSize(0) != lt.getDimSize(axis))
      return n.emitError() << "scale " << st << " is not per tensor or along "
                           << "dim " << axis << " of " << lt;
    shape[axis] = st.getDimSize(0);
  }
  FailureOr<Value> r = reshapeTo(n, *s, shape);
  if (failed(r))
    return failure();
  return broadcastTo(n.b, n.loc, *r, mixedSizes(n.b, n.loc, like));
}

/// Requantizes the i32 accumulator: acc * sa * sb, then kiln.quantize with
/// inputs yScale / yZp.
LogicalResult requantize(NodeImporter &n, Value acc, int sa, int sb,
                         int64_t sbAxis, int yScale, int yZp) {
  OpBuilder &b = n.b;
  Value f = convertElements(b, n.loc, acc, b.getF32Type());
  FailureOr<Value> s1 = scaleLike(n, sa, f, 0);
  FailureOr<Value> s2 = scaleLike(n, sb, f, sbAxis);
  if (failed(s1) || failed(s2))
    return failure();
  f = arith::MulFOp::create(b, n.loc, arith::MulFOp::create(b, n.loc, f, *s1),
                            *s2);
  auto ft = cast<RankedTensorType>(f.getType());
  FailureOr<OnnxValue *> z = n.input(yZp);
  if (failed(z))
    return failure();
  FailureOr<QuantParams> p =
      readQuantParams(n, ft, yScale, yZp, !(*z)->shiftedU8);
  if (failed(p))
    return failure();
  if (p->axis >= 0)
    return n.error("the output scale must be per tensor");
  setQuantizedOutput(n, f, *p);
  return success();
}

LogicalResult importMatMulInteger(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  RankedTensorType at = n.type(0), bt = n.type(1);
  if (!at || !bt)
    return failure();
  FailureOr<Value> a = centered(n, 0, 2, at.getRank() - 2);
  FailureOr<Value> bm = centered(n, 1, 3, bt.getRank() - 1);
  if (failed(a) || failed(bm))
    return failure();
  FailureOr<Value> c = intMatmul(n, *a, *bm);
  if (failed(c))
    return failure();
  n.setOutput(0, *c);
  return success();
}

LogicalResult importQLinearMatMul(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  RankedTensorType bt = n.type(3);
  if (!bt)
    return failure();
  FailureOr<Value> a = centered(n, 0, 2, 0);
  FailureOr<Value> bm = centered(n, 3, 5, bt.getRank() - 1);
  if (failed(a) || failed(bm))
    return failure();
  FailureOr<Value> acc = intMatmul(n, *a, *bm);
  if (failed(acc))
    return failure();
  int64_t last = cast<RankedTensorType>(acc->getType()).getRank() - 1;
  return requantize(n, *acc, 1, 4, last, 6, 7);
}

LogicalResult importConvInteger(NodeImporter &n) {
  if (failed(n.checkAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                           "pads", "strides"})))
    return failure();
  FailureOr<Value> x = centered(n, 0, 2, 1), w = centered(n, 1, 3, 0);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> y = intConv(n, *x, *w);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult importQLinearConv(NodeImporter &n) {
  if (failed(n.checkAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                           "pads", "strides"})))
    return failure();
  FailureOr<Value> x = centered(n, 0, 2, 1), w = centered(n, 3, 5, 0);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> acc = intConv(n, *x, *w);
  if (failed(acc))
    return failure();
  if (n.has(8)) {
    FailureOr<Value> bias = n.value(8);
    if (failed(bias))
      return failure();
    auto bt = cast<RankedTensorType>(bias->getType());
    int64_t m = cast<RankedTensorType>(acc->getType()).getDimSize(1);
    if (!bt.getElementType().isInteger(32) || bt.getRank() != 1 ||
        bt.getDimSize(0) != m)
      return n.emitError() << "bias " << bt << " must be i32 [" << m << "]";
    Value b4 = *reshapeTo(n, *bias, {1, m, 1, 1});
    *acc = arith::AddIOp::create(
        n.b, n.loc, *acc, broadcastTo(n.b, n.loc, b4,
                                      mixedSizes(n.b, n.loc, *acc)));
  }
  return requantize(n, *acc, 1, 4, 1, 6, 7);
}
} // namespace

void mlir::kiln::onnx_import::registerIntegerOps(OpTable &t) {
  t["MatMulInteger"] = importMatMulInteger;
  t["QLinearMatMul"] = importQLinearMatMul;
  t["ConvInteger"] = importConvInteger;
  t["QLinearConv"] = importQLinearConv;
}
