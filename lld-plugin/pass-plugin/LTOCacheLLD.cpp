//===- LTOCacheLLD.cpp - The pass plugin lld loads ------------------------===//
//
// ld.lld --load-pass-plugin=LTOCacheLLD.so: in lld's in-process ThinLTO
// backends, audits every module after import and warns, once per module,
// about modules that carry no ltocache recipe (they were compiled without
// -fplugin=LTOCacheClang.so).
//
//===----------------------------------------------------------------------===//

#include "Key/ModuleRecipe.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace llvm;

namespace {

class RecipeAuditPass : public PassInfoMixin<RecipeAuditPass> {
public:
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    auto Recipe = ltocache::readRecipe(M);
    if (Recipe && *Recipe)
      return PreservedAnalyses::all();
    std::string Why = Recipe ? "carries no ltocache recipe (compile it with "
                               "-fplugin=LTOCacheClang.so)"
                             : "has a malformed ltocache recipe: " +
                                   toString(Recipe.takeError());
    static std::mutex Lock;
    static StringSet<> Reported;
    std::lock_guard<std::mutex> G(Lock);
    if (Reported.insert(M.getModuleIdentifier()).second)
      WithColor::warning(errs(), "ltocache")
          << "module '" << M.getModuleIdentifier() << "' " << Why << "\n";
    return PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "LTOCacheLLD", "0.1", [](PassBuilder &PB) {
            auto Audit = [](ModulePassManager &MPM, OptimizationLevel,
                            ThinOrFullLTOPhase Phase) {
              if (Phase == ThinOrFullLTOPhase::ThinLTOPostLink)
                MPM.addPass(RecipeAuditPass());
            };
            // lld's --lto-O0 backend pipeline runs no extension points, so
            // modules linked at -O0 are not audited.
            PB.registerPipelineEarlySimplificationEPCallback(Audit);
          }};
}
