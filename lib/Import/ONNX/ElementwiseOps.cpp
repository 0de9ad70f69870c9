//===- ElementwiseOps.cpp - ONNX binary element-wise ops, Where, Cast ------===//
//
// Element-wise ops (activations: ActivationOps.cpp) become tensor-level arith / math ops on operands
// broadcast to a common shape (convert-elementwise-to-linalg turns them into
// linalg later); that is also the form kiln-fuse-attention matches. Small
// constant operands are evaluated at import time, which folds the integer
// arithmetic of shape subgraphs.
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace {
constexpr int64_t kFoldLimit = 1 << 16; // elements folded at import time

enum class Binary { Add, Sub, Mul, Div, Pow, Equal };

double hostBinary(Binary op, double x, double y, bool isInt) {
  switch (op) {
  case Binary::Add: return x + y;
  case Binary::Sub: return x - y;
  case Binary::Mul: return x * y;
  case Binary::Div:
    return isInt ? (y == 0 ? 0 : std::trunc(x / y)) : x / y;
  case Binary::Pow: return std::pow(x, y);
  case Binary::Equal: return x == y;
  }
  return 0;
}

/// Evaluates a binary op on constants with numpy broadcasting, or fails.
FailureOr<ElementsAttr> foldBinary(NodeImporter &n, Binary op,
                                   ElementsAttr a, ElementsAttr c,
                                   ArrayRef<int64_t> shape, Type resultElt) {
  std::optional<int64_t> count = elementCount(shape);
  if (!count || *count > kFoldLimit || a.getNumElements() > kFoldLimit ||
      c.getNumElements() > kFoldLimit)
    return failure();
  std::vector<double> x = readDoubles(a), y = readDoubles(c);
  auto index = [&](ElementsAttr attr, int64_t flat) {
    auto t = cast<RankedTensorType>(attr.getType());
    int64_t idx = 0, stride = 1, rest = flat, rank = shape.size();
    SmallVector<int64_t> coords(rank);
    for (int64_t d = rank - 1; d >= 0; --d) {
      coords[d] = rest % shape[d];
      rest /= shape[d];
    }
    for (int64_t d = t.getRank() - 1; d >= 0; --d) {
      int64_t size = t.getDimSize(d);
      idx += (size == 1 ? 0 : coords[rank - t.getRank() + d]) * stride;
      stride *= size;
    }
    return idx;
  };
  bool isInt = !isa<FloatType>(a.getElementType());
  std::vector<double> out;
  for (int64_t i = 0; i < *count; ++i)
    out.push_back(hostBinary(op, x[index(a, i)], y[index(c, i)], isInt));
  (void)n;
  return makeElements(RankedTensorType::get(shape, resultElt),
                      ArrayRef<double>(out));
}

/// numpy's power: powf(|x|, y), negated for x < 0 and an odd integer y,
/// NaN for x < 0 and a non-integer y (math.powf alone is NaN for every
/// negative x).
Value signedPow(NodeImporter &n, Value x, Value y) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto splat = [&](double v) { return splatLike(b, loc, x, v); };
  Value t = math::PowFOp::create(b, loc, math::AbsFOp::create(b, loc, x), y);
  Value isInt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                      math::FloorOp::create(b, loc, y), y);
  Value odd = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE,
                                    arith::RemFOp::create(b, loc, y, splat(2.0)),
                                    splat(0.0));
  Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                    splat(0.0));
  Value signedT = arith::SelectOp::create(
      b, loc, odd, arith::NegFOp::create(b, loc, t), t);
  Value negative = arith::SelectOp::create(
      b, loc, isInt, signedT, splat(std::numeric_limits<double>::quiet_NaN()));
  return arith::SelectOp::create(b, loc, neg, negative, t);
}

LogicalResult binary(NodeImporter &n, Binary op) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<OnnxValue *> a = n.input(0), c = n.input(1);
  if (failed(a) || failed(c))
    return failure();
  Type elt = (*a)->type.getElementType();
  Type other = (*c)->type.getElementType();
  if (elt != other && op != Binary::Pow)
    return n.emitError() << "operand element types differ (" << elt << " and "
                         << other << ")";
  bool isFloat = isa<FloatType>(elt);
  if (op == Binary::Pow && !isFloat)
    return n.error("Pow of integers is not supported");
  if (elt.isInteger(1) || (*a)->shiftedU8 || (*c)->shiftedU8)
    return n.error("operands must be float or signed integers");
  Type resultElt = op == Binary::Equal ? n.b.getI1Type() : elt;
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(n, {(*a)->type, (*c)->type});
  if (failed(shape))
    return failure();
  if ((*a)->constant && (*c)->constant) {
    FailureOr<ElementsAttr> folded = foldBinary(
        n, op, (*a)->constant, (*c)->constant, *shape, resultElt);
    if (succeeded(folded)) {
      n.setConstantOutput(0, *folded);
      return success();
    }
  }
  FailureOr<Value> x = n.value(0), y = n.value(1);
  if (failed(x) || failed(y))
    return failure();
  if (op == Binary::Pow) {
    *y = convertElements(n.b, n.loc, *y, elt);
    ElementsAttr e = (*c)->constant;
    if (e && e.getNumElements() == 1) {
      double p = readDoubles(e)[0];
      if (p == 2.0 && *shape == SmallVector<int64_t>((*a)->type.getShape())) {
        n.setOutput(0, arith::MulFOp::create(n.b, n.loc, *x, *x));
        return success();
      }
    }
  }
  FailureOr<SmallVector<Value>> ops = broadcastAll(n, {*x, *y});
  if (failed(ops))
    return failure();
  Value l = (*ops)[0], r = (*ops)[1], result;
  OpBuilder &b = n.b;
  switch (op) {
  case Binary::Add:
    result = isFloat ? arith::AddFOp::create(b, n.loc, l, r).getResult()
                     : arith::AddIOp::create(b, n.loc, l, r).getResult();
    break;
  case Binary::Sub:
    result = isFloat ? arith::SubFOp::create(b, n.loc, l, r).getResult()
                     : arith::SubIOp::create(b, n.loc, l, r).getResult();
    break;
  case Binary::Mul:
    result = isFloat ? arith::MulFOp::create(b, n.loc, l, r).getResult()
                     : arith::MulIOp::create(b, n.loc, l, r).getResult();
    break;
  case Binary::Div:
    result = isFloat ? arith::DivFOp::create(b, n.loc, l, r).getResult()
                     : arith::DivSIOp::create(b, n.loc, l, r).getResult();
    break;
  case Binary::Pow:
    result = signedPow(n, l, r);
    break;
  case Binary::Equal:
    result = isFloat ? arith::CmpFOp::create(b, n.loc,
                                             arith::CmpFPredicate::OEQ, l, r)
                           .getResult()
                     : arith::CmpIOp::create(b, n.loc, arith::CmpIPredicate::eq,
                                             l, r)
                           .getResult();
    break;
  }
  n.setOutput(0, result);
  return success();
}

LogicalResult importWhere(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<OnnxValue *> c = n.input(0), x = n.input(1), y = n.input(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  if (!(*c)->type.getElementType().isInteger(1))
    return n.error("the condition must be bool");
  if ((*x)->type.getElementType() != (*y)->type.getElementType())
    return n.error("the two branches have different element types");
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(n, {(*c)->type, (*x)->type, (*y)->type});
  if (failed(shape))
    return failure();
  std::optional<int64_t> count = elementCount(*shape);
  if ((*c)->constant && (*x)->constant && (*y)->constant && count &&
      *count <= kFoldLimit) {
    // Fold through two binary evaluations: select = c*x + (1-c)*y exactly.
    SmallVector<int64_t> cond = readInts((*c)->constant);
    std::vector<double> xs = readDoubles((*x)->constant),
                        ys = readDoubles((*y)->constant);
    if (cond.size() == size_t(*count) && xs.size() == cond.size() &&
        ys.size() == cond.size()) {
      std::vector<double> out;
      for (size_t i = 0; i < cond.size(); ++i)
        out.push_back(cond[i] ? xs[i] : ys[i]);
      n.setConstantOutput(0, makeElements(RankedTensorType::get(
                                 *shape, (*x)->type.getElementType()),
                                          ArrayRef<double>(out)));
      return success();
    }
  }
  FailureOr<Value> cv = n.value(0), xv = n.value(1), yv = n.value(2);
  if (failed(cv) || failed(xv) || failed(yv))
    return failure();
  FailureOr<SmallVector<Value>> ops = broadcastAll(n, {*cv, *xv, *yv});
  if (failed(ops))
    return failure();
  n.setOutput(0, arith::SelectOp::create(n.b, n.loc, (*ops)[0], (*ops)[1],
                                         (*ops)[2]));
  return success();
}

LogicalResult importCast(NodeImporter &n) {
  FailureOr<int64_t> to = n.intAttr("to", -1);
  if (failed(to) || failed(n.checkAttrs({"to", "saturate"})))
    return failure();
  FailureOr<OnnxValue *> in = n.input(0);
  if (failed(in))
    return failure();
  const onnx::AttributeProto *attr = n.attr("to");
  if (!attr)
    return n.error("attribute 'to' is required");
  // Resolve the target type with the graph's type table.
  Type elt;
  switch (*to) {
  case onnx::TensorProto::FLOAT: elt = n.b.getF32Type(); break;
  case onnx::TensorProto::FLOAT16: elt = n.b.getF16Type(); break;
  case onnx::TensorProto::BFLOAT16: elt = n.b.getBF16Type(); break;
  case onnx::TensorProto::INT64: elt = n.b.getI64Type(); break;
  case onnx::TensorProto::INT32: elt = n.b.getI32Type(); break;
  case onnx::TensorProto::INT8: elt = n.b.getI8Type(); break;
  case onnx::TensorProto::BOOL: elt = n.b.getI1Type(); break;
  default:
    return n.error("cast to data type " + Twine(*to) + " is not supported");
  }
  if ((*in)->constant && (*in)->constant.getNumElements() <= kFoldLimit) {
    std::vector<double> v = readDoubles((*in)->constant);
    if (isa<IntegerType>(elt))
      for (double &x : v)
        x = elt.isInteger(1) ? double(x != 0) : std::trunc(x);
    n.setConstantOutput(0, makeElements((*in)->type.clone(elt),
                                        ArrayRef<double>(v)));
    return success();
  }
  if ((*in)->partial && elt.isInteger(64)) {
    n.setOutput(0, **in); // a shape stays a shape
    return success();
  }
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  n.setOutput(0, convertElements(n.b, n.loc, *x, elt));
  return success();
}
} // namespace

void mlir::kiln::onnx_import::registerElementwiseOps(OpTable &t) {
  t["Add"] = [](NodeImporter &n) { return binary(n, Binary::Add); };
  t["Sub"] = [](NodeImporter &n) { return binary(n, Binary::Sub); };
  t["Mul"] = [](NodeImporter &n) { return binary(n, Binary::Mul); };
  t["Div"] = [](NodeImporter &n) { return binary(n, Binary::Div); };
  t["Pow"] = [](NodeImporter &n) { return binary(n, Binary::Pow); };
  t["Equal"] = [](NodeImporter &n) { return binary(n, Binary::Equal); };
  t["Where"] = importWhere;
  t["Cast"] = importCast;
}
