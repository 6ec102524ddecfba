//===- SummaryUtil.h - Summaries for the shard tests ------------*- C++ -*-===//
#ifndef LTOCACHE_TEST_UNIT_SUMMARYUTIL_H
#define LTOCACHE_TEST_UNIT_SUMMARYUTIL_H

#include "llvm/IR/ModuleSummaryIndex.h"

#include <memory>

namespace ltocache {
namespace test {

/// An external function's summary of \p NumInsts instructions calling
/// \p Calls, nothing else.
inline std::unique_ptr<llvm::FunctionSummary>
functionSummary(unsigned NumInsts,
                llvm::SmallVector<llvm::FunctionSummary::EdgeTy, 2> Calls) {
  using namespace llvm;
  return std::make_unique<FunctionSummary>(
      GlobalValueSummary::GVFlags(
          GlobalValue::ExternalLinkage, GlobalValue::DefaultVisibility, false,
          true, false, false, GlobalValueSummary::ImportKind::Definition),
      NumInsts, FunctionSummary::FFlags(), SmallVector<ValueInfo, 0>(),
      std::move(Calls), std::vector<GlobalValue::GUID>(),
      std::vector<FunctionSummary::VFuncId>(),
      std::vector<FunctionSummary::VFuncId>(),
      std::vector<FunctionSummary::ConstVCall>(),
      std::vector<FunctionSummary::ConstVCall>(),
      std::vector<FunctionSummary::ParamAccess>(), std::vector<CallsiteInfo>(),
      std::vector<AllocInfo>());
}

} // namespace test
} // namespace ltocache

#endif
