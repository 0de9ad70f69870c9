//===- ShapeContract.cpp - which dynamic input dims must agree -------------===//
//
// An entry with dynamic dims runs on whatever shapes the caller passes, and
// compiled code trusts them: a matmul given K = 200000 on one side and 2 on
// the other reads out of bounds. The IR says which dims must agree, so the
// artifact records it and the runtime checks it before every call.
//
// The entry is lowered on a copy by the reference lowering
// (convert-kiln-to-linalg), where every op states its shape rules as
// linalg indexing maps. Dims are then merged into classes (union-find):
// every operand dim a linalg op maps to the same loop dim, a result and its
// init, the operands of element-wise ops, a tensor.empty or extract_slice
// dim and the tensor.dim or constant that sized it, unit reassociation
// groups of reshapes, the non-concatenated dims of a concat. A class that
// holds two entry input dims, or one and a static size, is a rule the
// runtime checks. Dims a rule only bounds (conv windows, slices) are left
// alone; missing a rule is the conservative side, merging wrongly would
// reject valid inputs.
//
//===----------------------------------------------------------------------===//
#include "kiln/Conversion/Passes.h"
#include "kiln/Driver/Driver.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/MapVector.h"

#include <map>

using namespace mlir;
using namespace mlir::kiln::driver;

namespace {
class DimClasses {
public:
  /// The node of dim `d` of tensor `v`; a static dim is merged with its size.
  int dim(Value v, int64_t d) {
    auto [it, fresh] = slots.try_emplace({v, d}, 0);
    if (fresh) {
      it->second = node();
      auto t = cast<RankedTensorType>(v.getType());
      if (!t.isDynamicDim(d))
        merge(it->second, constant(t.getDimSize(d)));
    }
    return it->second;
  }
  /// The node of an index value: a constant, a tensor.dim, or itself.
  int index(Value v) {
    APInt c;
    if (matchPattern(v, m_ConstantInt(&c)))
      return constant(c.getSExtValue());
    if (auto dimOp = v.getDefiningOp<tensor::DimOp>())
      if (std::optional<int64_t> d = dimOp.getConstantIndex())
        if (auto t = dyn_cast<RankedTensorType>(dimOp.getSource().getType()))
          if (*d >= 0 && *d < t.getRank())
            return dim(dimOp.getSource(), *d);
    auto [it, fresh] = slots.try_emplace({v, -1}, 0);
    if (fresh)
      it->second = node();
    return it->second;
  }
  int size(OpFoldResult s) {
    if (auto v = dyn_cast<Value>(s))
      return index(v);
    return constant(cast<IntegerAttr>(cast<Attribute>(s)).getInt());
  }
  int node() {
    parent.push_back(parent.size());
    return parent.back();
  }
  int constant(int64_t c) {
    auto [it, fresh] = constants.try_emplace(c, 0);
    if (fresh)
      it->second = node();
    return it->second;
  }
  int find(int n) {
    while (parent[n] != n)
      n = parent[n] = parent[parent[n]];
    return n;
  }
  void merge(int a, int b) { parent[find(a)] = find(b); }
  void sameShape(Value a, Value b) {
    auto ta = dyn_cast<RankedTensorType>(a.getType());
    auto tb = dyn_cast<RankedTensorType>(b.getType());
    if (!ta || !tb || ta.getRank() != tb.getRank())
      return;
    for (int64_t d = 0; d < ta.getRank(); ++d)
      merge(dim(a, d), dim(b, d));
  }
  /// The static size each class holds (-1: none, or two different ones).
  std::map<int, int64_t> classSizes() {
    std::map<int, int64_t> sizes;
    for (auto [c, n] : constants) {
      auto [it, fresh] = sizes.try_emplace(find(n), c);
      if (!fresh && it->second != c)
        it->second = -1;
    }
    return sizes;
  }

private:
  llvm::DenseMap<std::pair<Value, int64_t>, int> slots;
  std::map<int64_t, int> constants;
  SmallVector<int> parent;
};

bool isRankedTensor(Value v) { return isa<RankedTensorType>(v.getType()); }

void visit(Operation *op, DimClasses &c) {
  if (auto l = dyn_cast<linalg::LinalgOp>(op)) {
    DenseMap<unsigned, int> loops;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isRankedTensor(operand.get()))
        continue;
      AffineMap map = l.getMatchingIndexingMap(&operand);
      for (auto [r, e] : llvm::enumerate(map.getResults()))
        if (auto d = dyn_cast<AffineDimExpr>(e)) {
          auto [it, fresh] = loops.try_emplace(d.getPosition(), 0);
          if (fresh)
            it->second = c.dim(operand.get(), r);
          else
            c.merge(c.dim(operand.get(), r), it->second);
        }
    }
  }
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    for (OpResult r : op->getResults())
      if (isRankedTensor(r))
        c.sameShape(r, dps.getTiedOpOperand(r)->get());
  if (op->hasTrait<OpTrait::Elementwise>() ||
      op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
      isa<tensor::CastOp>(op)) {
    for (Value v : op->getOperands())
      for (Value r : op->getResults())
        c.sameShape(v, r);
    return;
  }
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    for (auto [d, s] : llvm::enumerate(empty.getMixedSizes()))
      c.merge(c.dim(empty, d), c.size(s));
  } else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
    llvm::SmallBitVector dropped = slice.getDroppedDims();
    int64_t r = 0;
    for (auto [d, s] : llvm::enumerate(slice.getMixedSizes()))
      if (!dropped.test(d))
        c.merge(c.dim(slice.getResult(), r++), c.size(s));
  } else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
    c.sameShape(insert.getResult(), insert.getDest());
  } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    for (auto [d, s] : llvm::enumerate(expand.getMixedOutputShape()))
      c.merge(c.dim(expand.getResult(), d), c.size(s));
    for (auto [src, group] : llvm::enumerate(expand.getReassociationIndices()))
      if (group.size() == 1)
        c.merge(c.dim(expand.getSrc(), src), c.dim(expand, group[0]));
  } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    for (auto [r, group] :
         llvm::enumerate(collapse.getReassociationIndices()))
      if (group.size() == 1)
        c.merge(c.dim(collapse.getSrc(), group[0]), c.dim(collapse, r));
  } else if (auto concat = dyn_cast<tensor::ConcatOp>(op)) {
    int64_t rank = concat.getResultType().getRank();
    for (Value in : concat.getInputs())
      for (int64_t d = 0; d < rank; ++d)
        if (d != int64_t(concat.getDim()))
          c.merge(c.dim(in, d), c.dim(concat.getResult(), d));
  }
}

/// The agreements among `f`'s dynamic input dims, read from `lowered`
/// (the same function after the reference lowering).
SmallVector<DimAgreement> agreementsOf(func::FuncOp lowered) {
  DimClasses c;
  lowered.walk([&](Operation *op) { visit(op, c); });
  std::map<int, int64_t> sizes = c.classSizes();
  llvm::MapVector<int, DimAgreement> byClass;
  for (BlockArgument arg : lowered.getArguments()) {
    auto t = dyn_cast<RankedTensorType>(arg.getType());
    if (!t)
      continue;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d))
        continue;
      int root = c.find(c.dim(arg, d));
      DimAgreement &a = byClass[root];
      auto size = sizes.find(root);
      a.size = size == sizes.end() ? -1 : size->second;
      a.dims.push_back({arg.getArgNumber(), unsigned(d)});
    }
  }
  SmallVector<DimAgreement> out;
  for (auto &[root, a] : byClass)
    if (a.dims.size() > 1 || a.size >= 0)
      out.push_back(a);
  return out;
}
} // namespace

LogicalResult mlir::kiln::driver::inferDimAgreements(
    ModuleOp module, std::vector<EntrySignature> &entries) {
  bool dynamic = llvm::any_of(entries, [](const EntrySignature &e) {
    return llvm::any_of(e.inputs, [](const TensorSignature &t) {
      return llvm::is_contained(t.dims, -1);
    });
  });
  if (!dynamic)
    return success();
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  pm.addPass(createKilnImportQuantTypes());
  pm.addPass(createConvertKilnToLinalg());
  pm.addPass(createConvertElementwiseToLinalgPass());
  {
    // A failure here is reported by the real pipeline, with its context.
    ScopedDiagnosticHandler quiet(module.getContext(),
                                  [](Diagnostic &) { return success(); });
    if (failed(pm.run(*copy)))
      return success();
  }
  for (EntrySignature &e : entries)
    if (auto f = copy->lookupSymbol<func::FuncOp>(e.name))
      e.agreements = agreementsOf(f);
  return success();
}
