//===- ActivationOps.cpp - ONNX unary ops and activations -----------------===//
//
// Relu, Sigmoid, HardSigmoid, HardSwish, Gelu (both approximations), Clip,
// Reciprocal, Neg and the math functions, written out as tensor-level arith
// and math ops on float inputs (convert-elementwise-to-linalg later makes
// them linalg).
//
//===----------------------------------------------------------------------===//
#include "IRHelpers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace {
/// A float input 0 for the unary activations.
FailureOr<Value> floatInput(NodeImporter &n) {
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  if (!isa<FloatType>(cast<RankedTensorType>(x->getType()).getElementType()))
    return n.error("input must be float");
  return x;
}

/// max(0, min(1, alpha * x + beta)).
Value hardSigmoid(NodeImporter &n, Value x, double alpha, double beta) {
  OpBuilder &b = n.b;
  Value t = arith::MulFOp::create(b, n.loc, x, splatLike(b, n.loc, x, alpha));
  t = arith::AddFOp::create(b, n.loc, t, splatLike(b, n.loc, x, beta));
  t = arith::MinimumFOp::create(b, n.loc, t, splatLike(b, n.loc, x, 1.0));
  return arith::MaximumFOp::create(b, n.loc, t, splatLike(b, n.loc, x, 0.0));
}

template <typename MathOp>
LogicalResult unaryMath(NodeImporter &n) {
  FailureOr<Value> x = floatInput(n);
  if (failed(x) || failed(n.checkAttrs({})))
    return failure();
  n.setOutput(0, MathOp::create(n.b, n.loc, *x));
  return success();
}

LogicalResult importUnary(NodeImporter &n) {
  StringRef op = n.node.op_type();
  FailureOr<Value> input = floatInput(n);
  if (failed(input))
    return failure();
  Value x = *input;
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto splat = [&](double v) { return splatLike(b, loc, x, v); };
  Value y;
  if (op == "HardSigmoid") {
    FailureOr<float> alpha = n.floatAttr("alpha", 0.2f);
    FailureOr<float> beta = n.floatAttr("beta", 0.5f);
    if (failed(alpha) || failed(beta) || failed(n.checkAttrs({"alpha", "beta"})))
      return failure();
    y = hardSigmoid(n, x, *alpha, *beta);
  } else if (op == "Gelu") {
    FailureOr<std::string> approx = n.stringAttr("approximate", "none");
    if (failed(approx) || failed(n.checkAttrs({"approximate"})))
      return failure();
    Value inner;
    if (*approx == "none") {
      inner = math::ErfOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, splat(M_SQRT1_2)));
    } else if (*approx == "tanh") {
      Value x3 = arith::MulFOp::create(
          b, loc, x, arith::MulFOp::create(b, loc, x, x));
      Value t = arith::AddFOp::create(
          b, loc, x, arith::MulFOp::create(b, loc, x3, splat(0.044715)));
      inner = math::TanhOp::create(
          b, loc, arith::MulFOp::create(b, loc, t, splat(std::sqrt(2.0 / M_PI))));
    } else {
      return n.error("approximate '" + *approx +
                     "' is not one of 'none', 'tanh'");
    }
    Value half = arith::MulFOp::create(b, loc, x, splat(0.5));
    y = arith::MulFOp::create(b, loc, half,
                              arith::AddFOp::create(b, loc, inner, splat(1.0)));
  } else {
    if (failed(n.checkAttrs({})))
      return failure();
    if (op == "Relu") {
      y = arith::MaximumFOp::create(b, loc, x, splat(0.0));
    } else if (op == "Sigmoid") {
      Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
      y = arith::DivFOp::create(b, loc, splat(1.0),
                                arith::AddFOp::create(b, loc, e, splat(1.0)));
    } else if (op == "HardSwish") {
      y = arith::MulFOp::create(b, loc, x, hardSigmoid(n, x, 1.0 / 6.0, 0.5));
    } else if (op == "Reciprocal") {
      y = arith::DivFOp::create(b, loc, splat(1.0), x);
    } else if (op == "Neg") {
      y = arith::NegFOp::create(b, loc, x);
    }
  }
  n.setOutput(0, y);
  return success();
}

LogicalResult importClip(NodeImporter &n) {
  if (failed(n.checkAttrs({})))
    return failure();
  FailureOr<Value> x = n.value(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  bool isFloat = isa<FloatType>(type.getElementType());
  Value y = *x;
  for (int i : {1, 2}) {
    if (!n.has(i))
      continue;
    FailureOr<double> bound = n.scalar(i, i == 1 ? "min" : "max");
    if (failed(bound))
      return failure();
    Value c = splatLike(n.b, n.loc, y, *bound);
    if (isFloat)
      y = i == 1 ? arith::MaximumFOp::create(n.b, n.loc, y, c).getResult()
                 : arith::MinimumFOp::create(n.b, n.loc, y, c).getResult();
    else
      y = i == 1 ? arith::MaxSIOp::create(n.b, n.loc, y, c).getResult()
                 : arith::MinSIOp::create(n.b, n.loc, y, c).getResult();
  }
  n.setOutput(0, y);
  return success();
}
} // namespace

void mlir::kiln::onnx_import::registerActivationOps(OpTable &t) {
  for (StringRef op : {"Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Gelu",
                       "Reciprocal", "Neg"})
    t[op] = importUnary;
  t["Erf"] = unaryMath<math::ErfOp>;
  t["Tanh"] = unaryMath<math::TanhOp>;
  t["Exp"] = unaryMath<math::ExpOp>;
  t["Log"] = unaryMath<math::LogOp>;
  t["Sqrt"] = unaryMath<math::SqrtOp>;
  t["Clip"] = importClip;
}
