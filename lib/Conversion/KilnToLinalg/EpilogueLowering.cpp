//===- EpilogueLowering.cpp - ordered epilogue steps in f32 ---------------===//
#include "EpilogueLowering.h"
#include "LoweringUtils.h"
#include "kiln/IR/KilnAttrs.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

/// 1 / (1 + exp(-y)).
static Value sigmoid(OpBuilder &b, Location loc, Value y) {
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, y));
  Value den = arith::AddFOp::create(b, loc, f32Const(b, loc, 1.0), e);
  return arith::DivFOp::create(b, loc, f32Const(b, loc, 1.0), den);
}

/// min(max(y, lo), hi).
static Value clamp(OpBuilder &b, Location loc, Value y, double lo, double hi) {
  Value m = arith::MaximumFOp::create(b, loc, y, f32Const(b, loc, lo));
  return arith::MinimumFOp::create(b, loc, m, f32Const(b, loc, hi));
}

/// One epilogue step on the f32 element `y`; `ops` are the f32 elements of
/// the operands the step consumes.
static Value applyStep(OpBuilder &b, Location loc, EpilogueStepAttr step,
                       Value y, ValueRange ops) {
  auto add = [&](Value x, Value z) -> Value {
    return arith::AddFOp::create(b, loc, x, z);
  };
  auto mul = [&](Value x, Value z) -> Value {
    return arith::MulFOp::create(b, loc, x, z);
  };
  Value half = f32Const(b, loc, 0.5), one = f32Const(b, loc, 1.0);
  switch (step.getKind()) {
  case EpilogueKind::Bias:
  case EpilogueKind::ResidualAdd:
    return add(y, ops[0]);
  case EpilogueKind::Affine:
    return add(mul(y, ops[0]), ops[1]);
  case EpilogueKind::Relu:
    return arith::MaximumFOp::create(b, loc, y, f32Const(b, loc, 0.0));
  case EpilogueKind::Relu6:
    return clamp(b, loc, y, 0.0, 6.0);
  case EpilogueKind::Clip:
    return clamp(b, loc, y, step.getMin().getValueAsDouble(),
                 step.getMax().getValueAsDouble());
  case EpilogueKind::Sigmoid:
    return sigmoid(b, loc, y);
  case EpilogueKind::Silu:
    return mul(y, sigmoid(b, loc, y));
  case EpilogueKind::HardSwish: {
    // y * relu6(y + 3) / 6
    Value r6 = clamp(b, loc, add(y, f32Const(b, loc, 3.0)), 0.0, 6.0);
    return arith::DivFOp::create(b, loc, mul(y, r6), f32Const(b, loc, 6.0));
  }
  case EpilogueKind::GeluErf: {
    // 0.5 * y * (1 + erf(y / sqrt(2)))
    Value arg = arith::DivFOp::create(b, loc, y, f32Const(b, loc, M_SQRT2));
    Value erf = math::ErfOp::create(b, loc, arg);
    return mul(mul(half, y), add(one, erf));
  }
  case EpilogueKind::GeluTanh: {
    // 0.5 * y * (1 + tanh(sqrt(2 / pi) * (y + 0.044715 * y^3)))
    Value cube = mul(mul(y, y), y);
    Value inner = add(y, mul(f32Const(b, loc, 0.044715), cube));
    Value arg = mul(f32Const(b, loc, std::sqrt(2.0 / M_PI)), inner);
    Value t = math::TanhOp::create(b, loc, arg);
    return mul(mul(half, y), add(one, t));
  }
  }
  llvm_unreachable("unknown epilogue kind");
}

Value mlir::kiln::lowerEpilogue(OpBuilder &b, Location loc, Value acc,
                                ArrayAttr steps, ValueRange operands,
                                unsigned channelDim, Value init) {
  unsigned rank = cast<RankedTensorType>(acc.getType()).getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap channel = AffineMap::get(rank, 0, b.getAffineDimExpr(channelDim));
  if (steps.empty())
    return ewise::map(
        b, loc, acc, identity, init,
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  Value current = acc;
  unsigned next = 0;
  for (auto [i, attr] : llvm::enumerate(steps)) {
    auto step = cast<EpilogueStepAttr>(attr);
    SmallVector<Value> inputs{current};
    SmallVector<AffineMap> maps{identity};
    for (unsigned k = 0; k < step.getNumOperands(); ++k) {
      inputs.push_back(operands[next++]);
      maps.push_back(step.getKind() == EpilogueKind::ResidualAdd ? identity
                                                                 : channel);
    }
    Value dest =
        i + 1 == steps.size() ? init : emptyLike(b, loc, acc, b.getF32Type());
    current = ewise::map(b, loc, inputs, maps, dest,
                         [&](OpBuilder &nb, Location nloc, ValueRange args) {
                           return applyStep(nb, nloc, step, args[0],
                                            args.drop_front());
                         });
  }
  return current;
}
