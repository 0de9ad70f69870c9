//===- Remarks.cpp - Kiln's remarks for the tools and Python --------------===//
//
// kiln-compile --remarks / --remarks-yaml and kiln.compile(remarks=True)
// share this: MLIR's remark engine on the context, filtered to Kiln's
// categories (kiln-slow-path, kiln-fusion), with one outcome per candidate
// (a pattern retried after other rewrites reports again; the last outcome
// for the same location, name and category wins) in the order first seen.
//
//===----------------------------------------------------------------------===//
#include "kiln/Driver/Driver.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Remarks.h"
#include "mlir/Remark/RemarkStreamer.h"
#include <map>

using namespace mlir;
using namespace mlir::kiln::driver;
using remark::detail::Remark;

namespace {
/// Keeps each candidate's last remark; reports them in first-seen order
/// when the engine is finalized.
class LastOutcomePolicy final : public remark::detail::RemarkEmittingPolicyBase {
public:
  void reportRemark(const Remark &r) override {
    auto key = std::make_tuple(r.getLocation().getAsOpaquePointer(),
                               r.getRemarkName().str(),
                               r.getCombinedCategoryName().str());
    auto [it, inserted] = index.try_emplace(key, remarks.size());
    if (inserted)
      remarks.emplace_back(r);
    else
      remarks[it->second].emplace(r);
  }
  void finalize() override {
    for (std::optional<Remark> &r : remarks)
      reportImpl(*r);
    remarks.clear();
    index.clear();
  }

private:
  std::map<std::tuple<const void *, std::string, std::string>, size_t> index;
  std::vector<std::optional<Remark>> remarks;
};

/// Sends each remark to LLVM's YAML streamer and to the caller's callback.
class KilnRemarkStreamer final
    : public remark::detail::MLIRRemarkStreamerBase {
public:
  KilnRemarkStreamer(
      std::unique_ptr<remark::detail::MLIRRemarkStreamerBase> yaml,
      std::function<void(const RemarkRecord &)> collect)
      : yaml(std::move(yaml)), collect(std::move(collect)) {}

  void streamOptimizationRemark(const Remark &r) override {
    if (yaml)
      yaml->streamOptimizationRemark(r);
    if (!collect)
      return;
    RemarkRecord record;
    record.kind = r.getRemarkTypeString().str();
    record.category = r.getCategoryName().str();
    record.pass = r.getCombinedCategoryName().str();
    if (size_t colon = record.pass.find(':'); colon != std::string::npos)
      record.pass = record.pass.substr(colon + 1);
    else
      record.pass.clear();
    record.name = r.getRemarkName().str();
    record.function = r.getFunction().str();
    llvm::raw_string_ostream loc(record.location);
    r.getLocation().print(loc);
    record.message = r.getMsg();
    collect(record);
  }
  void finalize() override {
    if (yaml)
      yaml->finalize();
  }

private:
  std::unique_ptr<remark::detail::MLIRRemarkStreamerBase> yaml;
  std::function<void(const RemarkRecord &)> collect;
};
} // namespace

LogicalResult mlir::kiln::driver::enableRemarks(MLIRContext &context,
                                                const RemarkSink &sink) {
  std::unique_ptr<remark::detail::MLIRRemarkStreamerBase> yaml;
  if (!sink.yamlPath.empty()) {
    auto file = remark::detail::LLVMRemarkStreamer::createToFile(
        sink.yamlPath, llvm::remarks::Format::YAML);
    if (failed(file))
      return emitError(UnknownLoc::get(&context))
             << "cannot write remarks to " << sink.yamlPath;
    yaml = std::move(*file);
  }
  remark::RemarkCategories categories;
  categories.all = categories.passed = categories.missed =
      categories.failed = categories.analysis = "kiln-.*";
  return remark::enableOptimizationRemarks(
      context,
      std::make_unique<KilnRemarkStreamer>(std::move(yaml), sink.collect),
      std::make_unique<LastOutcomePolicy>(), categories, sink.text);
}

void mlir::kiln::driver::finishRemarks(MLIRContext &context) {
  remark::detail::RemarkEngine *engine = context.getRemarkEngine();
  if (!engine)
    return;
  // The policy holds every remark until now; the engine's destruction then
  // finalizes the streamer (flushes the YAML file).
  if (auto *policy = engine->getRemarkEmittingPolicy())
    policy->finalize();
  context.setRemarkEngine(nullptr);
}
