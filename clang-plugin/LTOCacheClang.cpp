//===- LTOCacheClang.cpp - The Clang plugin
//--------------------------------===//
//
// clang -flto=thin -fplugin=LTOCacheClang.so ...
//
// Adds the module recipe (ClangRecipe.h) as named metadata to every module
// clang emits for ThinLTO. The metadata is attached by a pass at the start
// of the pre-link pipeline (PipelineStartEP), which clang runs at -O0 too,
// so it is in the emitted bitcode whatever the optimisation level.
//
//===----------------------------------------------------------------------===//

#include "ClangRecipe.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"

using namespace llvm;

namespace {

class AttachRecipePass : public PassInfoMixin<AttachRecipePass> {
public:
  explicit AttachRecipePass(std::vector<ltocache::RecipeField> Recipe)
      : Recipe(std::move(Recipe)) {}
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    // "source" tells the module's own recipe from those ThinLTO import
    // copies in with imported functions; it is already in the bitcode.
    std::vector<ltocache::RecipeField> Fields = Recipe;
    Fields.insert(Fields.begin() + 1, {"source", {M.getSourceFileName()}});
    ltocache::attachRecipe(M, Fields);
    return PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }

private:
  std::vector<ltocache::RecipeField> Recipe;
};

class LTOCacheAction : public clang::PluginASTAction {
protected:
  std::unique_ptr<clang::ASTConsumer>
  CreateASTConsumer(clang::CompilerInstance &CI, StringRef) override {
    if (CI.getCodeGenOpts().PrepareForThinLTO) {
      auto Recipe = ltocache::buildClangRecipe(CI);
      CI.getCodeGenOpts().PassBuilderCallbacks.push_back(
          [Recipe](PassBuilder &PB) {
            PB.registerPipelineStartEPCallback(
                [Recipe](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(AttachRecipePass(Recipe));
                });
          });
    }
    return std::make_unique<clang::ASTConsumer>();
  }

  bool ParseArgs(const clang::CompilerInstance &,
                 const std::vector<std::string> &) override {
    return true;
  }

  ActionType getActionType() override { return AddBeforeMainAction; }
};

} // namespace

static clang::FrontendPluginRegistry::Add<LTOCacheAction>
    Registration("ltocache", "write ltocache cache-key metadata into ThinLTO "
                             "modules");
