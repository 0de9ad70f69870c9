//===- GatherOps.cpp - ONNX Gather -----------------------------------------===//
//
// Constant indices into a known tensor are evaluated at import (shape
// subgraphs); otherwise a linalg.generic over the output reads the data
// with tensor.extract. Negative indices count from the end. Run-time
// indices are checked (ONNX makes an index outside [-n, n) an error): a
// reduction over them feeds a cf.assert, which the artifact reports to the
// runtime (KILN_ERROR_DATA). The read itself is clamped, and skipped on an
// empty axis, so the code stays in bounds until then.
//
//===----------------------------------------------------------------------===//
#include "HostTensor.h"
#include "IRHelpers.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::kiln::onnx_import;

namespace mlir::kiln::onnx_import {
/// cf.assert that every index in `ids` lies in [-n, n), n = dim `axis` of
/// `data` (`dim` when static): an and-reduction over the indices.
static void checkIndices(NodeImporter &n, Value ids, Value data, int64_t axis,
                         int64_t dim) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto it = cast<RankedTensorType>(ids.getType());
  Value size = tensor::DimOp::create(b, loc, data, axis);
  Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{},
                                       b.getI1Type());
  init = linalg::FillOp::create(
             b, loc, arith::ConstantIntOp::create(b, loc, 1, 1).getResult(),
             init)
             .getResult(0);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(it.getRank()),
      AffineMap::get(it.getRank(), 0, {}, b.getContext())};
  SmallVector<utils::IteratorType> iters(it.getRank(),
                                         utils::IteratorType::reduction);
  Value all =
      linalg::GenericOp::create(
          b, loc, init.getType(), ids, init, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value i = arith::IndexCastOp::create(nb, l, nb.getIndexType(),
                                                 args[0]);
            Value lo = arith::SubIOp::create(
                nb, l, arith::ConstantIndexOp::create(nb, l, 0), size);
            Value ok = arith::AndIOp::create(
                nb, l,
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, i, lo),
                arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, i,
                                      size));
            linalg::YieldOp::create(nb, l,
                                    arith::AndIOp::create(nb, l, ok, args[1])
                                        .getResult());
          })
          .getResult(0);
  Value ok = tensor::ExtractOp::create(b, loc, all, ValueRange{});
  std::string what = n.describe() + ": an index is out of range for axis " +
                     std::to_string(axis) + " (of size " +
                     (ShapedType::isDynamic(dim) ? std::string("n")
                                                 : std::to_string(dim)) +
                     "; ONNX allows [-n, n))";
  cf::AssertOp::create(b, loc, ok, what);
}

LogicalResult importGather(NodeImporter &n) {
  FailureOr<int64_t> a = n.intAttr("axis", 0);
  FailureOr<OnnxValue *> data = n.input(0), idx = n.input(1);
  if (failed(a) || failed(data) || failed(idx) ||
      failed(n.checkAttrs({"axis"})))
    return failure();
  RankedTensorType t = (*data)->type, it = (*idx)->type;
  if (!isa<IntegerType>(it.getElementType()) ||
      it.getElementType().isInteger(1))
    return n.error("indices must be int32 or int64");
  FailureOr<int64_t> axis = n.axis(*a, t.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = t.getDimSize(*axis);
  std::optional<HostTensor> hi = toHost(**idx);
  if (hi && !hi->hasUnknown()) {
    for (double &x : hi->data) {
      if (!ShapedType::isDynamic(dim) && (x < -dim || x >= dim))
        return n.error("index " + Twine(int64_t(x)) +
                       " is out of range for dim " + Twine(dim));
      if (x < 0)
        x += dim;
    }
    if (std::optional<HostTensor> hd = toHost(**data)) {
      setHostOutput(n, 0, hostGather(*hd, *axis, *hi));
      return success();
    }
  }
  FailureOr<Value> x = n.value(0), ids = n.value(1);
  if (failed(x) || failed(ids))
    return failure();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  int64_t rank = t.getRank(), irank = it.getRank();
  SmallVector<OpFoldResult> in = mixedSizes(b, loc, *x),
                            is = mixedSizes(b, loc, *ids), sizes;
  sizes.append(in.begin(), in.begin() + *axis);
  sizes.append(is.begin(), is.end());
  sizes.append(in.begin() + *axis + 1, in.end());
  int64_t outRank = sizes.size();
  SmallVector<AffineExpr> idxExprs;
  for (int64_t d = 0; d < irank; ++d)
    idxExprs.push_back(b.getAffineDimExpr(*axis + d));
  SmallVector<AffineMap> maps = {
      AffineMap::get(outRank, 0, idxExprs, b.getContext()),
      b.getMultiDimIdentityMap(outRank)};
  SmallVector<utils::IteratorType> iters(outRank,
                                         utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, sizes, t.getElementType());
  Value data0 = *x;
  int64_t ax = *axis;
  checkIndices(n, *ids, data0, ax, dim);
  Value gathered =
      linalg::GenericOp::create(
          b, loc, init.getType(), *ids, init, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            // Negative indices count from the end; others are clamped so
            // a bad run-time index cannot read out of bounds.
            Value i = arith::IndexCastOp::create(nb, l, nb.getIndexType(),
                                                 args[0]);
            Value size = tensor::DimOp::create(nb, l, data0, ax);
            Value zero = arith::ConstantIndexOp::create(nb, l, 0);
            Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                              i, zero);
            i = arith::SelectOp::create(
                nb, l, neg, arith::AddIOp::create(nb, l, i, size), i);
            Value last = arith::SubIOp::create(
                nb, l, size, arith::ConstantIndexOp::create(nb, l, 1));
            i = arith::MaxSIOp::create(
                nb, l, zero, arith::MinSIOp::create(nb, l, i, last));
            SmallVector<Value> coords;
            for (int64_t d = 0; d < rank; ++d) {
              if (d == ax)
                coords.push_back(i);
              else
                coords.push_back(linalg::IndexOp::create(
                    nb, l, d < ax ? d : d + irank - 1));
            }
            Value empty = arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::eq, size, zero);
            Type elem = t.getElementType();
            auto read = scf::IfOp::create(
                nb, l, empty,
                [&](OpBuilder &ib, Location il) {
                  scf::YieldOp::create(
                      ib, il,
                      arith::ConstantOp::create(ib, il, ib.getZeroAttr(elem))
                          .getResult());
                },
                [&](OpBuilder &ib, Location il) {
                  scf::YieldOp::create(
                      ib, il,
                      tensor::ExtractOp::create(ib, il, data0, coords)
                          .getResult());
                });
            linalg::YieldOp::create(nb, l, read.getResult(0));
          })
          .getResult(0);
  n.setOutput(0, gathered);
  return success();
}
} // namespace mlir::kiln::onnx_import
