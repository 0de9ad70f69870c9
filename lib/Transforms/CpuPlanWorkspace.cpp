//===- CpuPlanWorkspace.cpp - kiln-cpu-plan-workspace ----------------------===//
//
// Buffers whose size is bounded and whose lifetime is a span of one block
// get fixed offsets in a per-thread frame (one per function body and per
// omp.parallel region) instead of a malloc and free per call or per loop
// iteration. The frame's block comes from the artifact runtime and is kept
// by each thread across calls (lib/Runtime/Memory.cpp), so a warm call
// neither allocates nor faults pages.
//
//===----------------------------------------------------------------------===//
#include "Remarks.h"
#include "kiln/Transforms/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUPLANWORKSPACE
#include "kiln/Transforms/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

constexpr StringLiteral kFrameFn = "kiln_workspace_frame";

/// A frame: the region that asks for one block on entry.
bool isFrame(Operation *op) {
  return isa<func::FuncOp, omp::ParallelOp>(op);
}

/// Ops whose regions run on the thread that reached them, one region
/// execution at a time.
bool isSequential(Operation *op) {
  return isa<scf::ForOp, scf::IfOp, scf::WhileOp, scf::ExecuteRegionOp,
             scf::IndexSwitchOp, memref::AllocaScopeOp, omp::WsloopOp,
             omp::LoopNestOp, affine::AffineForOp, affine::AffineIfOp>(op);
}

/// Constant upper bound of an index value, if one is evident.
std::optional<int64_t> upperBound(Value v) {
  if (auto c = getConstantIntValue(v))
    return *c;
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (isa<arith::MinSIOp, arith::MinUIOp>(def)) {
    std::optional<int64_t> best;
    for (Value operand : def->getOperands())
      if (auto c = getConstantIntValue(operand))
        if (*c >= 0 && (!best || *c < *best))
          best = *c;
    return best;
  }
  if (auto min = dyn_cast<affine::AffineMinOp>(def)) {
    std::optional<int64_t> best;
    for (AffineExpr e : min.getAffineMap().getResults())
      if (auto c = dyn_cast<AffineConstantExpr>(e))
        if (c.getValue() >= 0 && (!best || c.getValue() < *best))
          best = c.getValue();
    return best;
  }
  return std::nullopt;
}

/// Bytes an alloc needs at most, if bounded.
std::optional<int64_t> boundedBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.getLayout().isIdentity() || type.getMemorySpace())
    return std::nullopt;
  Type elem = type.getElementType();
  int64_t elemBytes;
  if (elem.isIndex())
    elemBytes = 8;
  else if (elem.isIntOrFloat())
    elemBytes = (elem.getIntOrFloatBitWidth() + 7) / 8;
  else
    return std::nullopt;
  int64_t bytes = elemBytes;
  unsigned dyn = 0;
  for (int64_t size : type.getShape()) {
    int64_t bound = size;
    if (ShapedType::isDynamic(size)) {
      auto ub = upperBound(alloc.getDynamicSizes()[dyn++]);
      if (!ub)
        return std::nullopt;
      bound = *ub;
    }
    if (bound != 0 && bytes > (int64_t(1) << 40) / bound)
      return std::nullopt; // absurd; leave it to the allocator
    bytes *= bound;
  }
  return bytes;
}

/// Whether `use` only reads, writes, measures or frees the buffer it sees.
bool isLocalUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<memref::LoadOp, memref::DimOp, memref::DeallocOp, memref::CopyOp,
          memref::PrefetchOp, affine::AffineLoadOp, vector::TransferReadOp,
          vector::LoadOp, vector::MaskedLoadOp, vector::GatherOp,
          linalg::LinalgOp>(user))
    return true;
  // Stores: the buffer must be the destination, not the stored value.
  if (auto store = dyn_cast<memref::StoreOp>(user))
    return use.get() == store.getMemRef();
  if (auto store = dyn_cast<affine::AffineStoreOp>(user))
    return use.get() == store.getMemRef();
  if (auto write = dyn_cast<vector::TransferWriteOp>(user))
    return use.get() == write.getBase();
  if (auto store = dyn_cast<vector::StoreOp>(user))
    return use.get() == store.getBase();
  if (auto store = dyn_cast<vector::MaskedStoreOp>(user))
    return use.get() == store.getBase();
  return false;
}

bool isView(Operation *op) {
  return isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::CastOp, memref::ReinterpretCastOp, memref::TransposeOp,
             memref::ViewOp>(op);
}

/// Every op that touches `alloc` or a view of it; returns the first that
/// lets the buffer escape, if any.
Operation *collectUsers(memref::AllocOp alloc,
                        SmallVectorImpl<Operation *> &users) {
  SmallVector<Value> worklist = {alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      users.push_back(user);
      if (isView(user) && use.getOperandNumber() == 0) {
        worklist.push_back(user->getResult(0));
        continue;
      }
      if (!isLocalUse(use))
        return user;
    }
  }
  return nullptr;
}

/// Why a buffer used by `escape` cannot get a fixed slot.
std::string escapeReason(Operation *escape) {
  if (isa<scf::YieldOp, scf::ForOp, scf::WhileOp>(escape))
    return "it is carried from one iteration to the next";
  if (auto call = dyn_cast<func::CallOp>(escape))
    return "it is passed to @" + call.getCallee().str() +
           " (buffer deallocation's run-time ownership check)";
  if (isa<memref::ExtractAlignedPointerAsIndexOp,
          memref::ExtractStridedMetadataOp>(escape))
    return "its pointer is taken (buffer deallocation's ownership check)";
  return "it escapes through " + escape->getName().getStringRef().str();
}

/// Whether `op` is inside a loop below `frame` (it runs once per
/// iteration).
bool inLoop(Operation *op, Operation *frame) {
  for (Operation *p = op->getParentOp(); p && p != frame; p = p->getParentOp())
    if (isa<LoopLikeOpInterface>(p) || isa<omp::LoopNestOp>(p))
      return true;
  return false;
}

/// A buffer left to the pool inside a loop costs an allocation per
/// iteration: a kiln-slow-path remark says so and why.
void remarkPerIteration(memref::AllocOp alloc, Operation *frame,
                        const Twine &why) {
  Operation *scope = frame ? frame : alloc->getParentOfType<func::FuncOp>();
  if (scope && inLoop(alloc, scope))
    remarks::slowPath(alloc, "kiln-cpu-plan-workspace", "buffer-per-iteration",
                      "a buffer is allocated from the pool on every loop "
                      "iteration: " + why);
}

struct Slot {
  memref::AllocOp alloc;
  int64_t bytes, align, start, end, offset = 0;
};

struct CpuPlanWorkspace
    : public kiln::impl::KilnCpuPlanWorkspaceBase<CpuPlanWorkspace> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Pre-order position and last position of each op's subtree.
    DenseMap<Operation *, std::pair<int64_t, int64_t>> span;
    int64_t next = 0;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      span[op] = {next, next};
      ++next;
    });
    module.walk<WalkOrder::PostOrder>([&](Operation *op) {
      int64_t last = span[op].first;
      for (Region &r : op->getRegions())
        for (Block &b : r)
          if (!b.empty())
            last = std::max(last, span[&b.back()].second);
      span[op].second = last;
    });

    llvm::MapVector<Operation *, SmallVector<Slot>> frames;
    module.walk([&](memref::AllocOp alloc) {
      Operation *frame = frameOf(alloc);
      if (!frame)
        return remarkPerIteration(alloc, frame,
                                  "an enclosing op may run it on several "
                                  "threads at once");
      auto bytes = boundedBytes(alloc);
      if (!bytes)
        return remarkPerIteration(alloc, frame,
                                  "its size has no constant upper bound");
      SmallVector<Operation *> users;
      if (Operation *escape = collectUsers(alloc, users))
        return remarkPerIteration(alloc, frame, escapeReason(escape));
      Block *block = alloc->getBlock();
      int64_t end = span[alloc].second;
      for (Operation *user : users) {
        Operation *anc = block->findAncestorOpInBlock(*user);
        if (!anc)
          return remarkPerIteration(alloc, frame,
                                    "it is used outside its block");
        end = std::max(end, span[anc].second);
      }
      int64_t align = std::max<int64_t>(64, alloc.getAlignment().value_or(0));
      frames[frame].push_back(
          {alloc, std::max<int64_t>(*bytes, 1), align, span[alloc].first, end});
    });

    auto moduleBuilder = OpBuilder::atBlockBegin(module.getBody());
    int64_t key = 0;
    for (auto &[frame, slots] : frames) {
      int64_t total = assignOffsets(slots);
      rewriteFrame(frame, slots, total, key++, moduleBuilder);
    }
  }

  /// The frame that would hold `alloc`, or null when something between
  /// them may run it on several threads at once or is unknown.
  static Operation *frameOf(memref::AllocOp alloc) {
    for (Operation *op = alloc->getParentOp(); op; op = op->getParentOp()) {
      if (isFrame(op))
        return op;
      if (!isSequential(op))
        return nullptr;
    }
    return nullptr;
  }

  /// First fit, largest first, among slots whose live ranges overlap.
  static int64_t assignOffsets(SmallVectorImpl<Slot> &slots) {
    SmallVector<Slot *> order;
    for (Slot &s : slots)
      order.push_back(&s);
    llvm::stable_sort(order, [](Slot *a, Slot *b) { return a->bytes > b->bytes; });
    SmallVector<Slot *> placed;
    int64_t total = 0;
    for (Slot *s : order) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Slot *p : placed)
        if (p->start <= s->end && s->start <= p->end)
          busy.push_back({p->offset, p->offset + p->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + s->bytes <= lo)
          break;
        offset = std::max<int64_t>(offset, llvm::alignTo(hi, s->align));
      }
      s->offset = offset;
      total = std::max(total, offset + s->bytes);
      placed.push_back(s);
    }
    return total;
  }

  void rewriteFrame(Operation *frame, ArrayRef<Slot> slots, int64_t total,
                    int64_t key, OpBuilder &moduleBuilder) {
    MLIRContext *ctx = frame->getContext();
    auto bytesType = MemRefType::get({ShapedType::kDynamic},
                                     IntegerType::get(ctx, 8));
    ModuleOp module = getOperation();
    auto callee = module.lookupSymbol<func::FuncOp>(kFrameFn);
    if (!callee) {
      auto type = FunctionType::get(
          ctx, {IndexType::get(ctx), IndexType::get(ctx)}, {bytesType});
      callee = func::FuncOp::create(moduleBuilder, module.getLoc(), kFrameFn,
                                    type);
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    }
    Region &body = frame->getRegion(0);
    auto b = OpBuilder::atBlockBegin(&body.front());
    Location loc = frame->getLoc();
    Value keyValue = arith::ConstantIndexOp::create(b, loc, key);
    Value sizeValue = arith::ConstantIndexOp::create(b, loc, total);
    Value base = func::CallOp::create(b, loc, callee,
                                      ValueRange{keyValue, sizeValue})
                     .getResult(0);
    for (const Slot &s : slots) {
      memref::AllocOp alloc = s.alloc;
      OpBuilder at(alloc);
      Value offset = arith::ConstantIndexOp::create(at, alloc.getLoc(), s.offset);
      Value view = memref::ViewOp::create(at, alloc.getLoc(), alloc.getType(),
                                          base, offset,
                                          alloc.getDynamicSizes());
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
  }
};
} // namespace
