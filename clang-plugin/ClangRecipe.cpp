//===- ClangRecipe.cpp - The module recipe of one clang invocation --------===//

#include "ClangRecipe.h"

#include "Key/CacheKey.h"

#include "clang/Basic/CodeGenOptions.h"
#include "clang/Basic/Sanitizers.h"
#include "clang/Basic/TargetInfo.h"
#include "clang/Basic/Version.h"
#include "clang/Frontend/CompilerInstance.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace ltocache {

static std::string relocationModel(Reloc::Model M) {
  switch (M) {
  case Reloc::Static:
    return "static";
  case Reloc::PIC_:
    return "pic";
  case Reloc::DynamicNoPIC:
    return "dynamic-no-pic";
  case Reloc::ROPI:
    return "ropi";
  case Reloc::RWPI:
    return "rwpi";
  case Reloc::ROPI_RWPI:
    return "ropi-rwpi";
  }
  return "unknown";
}

static std::string debugInfoKind(codegenoptions::DebugInfoKind K) {
  switch (K) {
  case codegenoptions::NoDebugInfo:
    return "none";
  case codegenoptions::LocTrackingOnly:
    return "loc-tracking-only";
  case codegenoptions::DebugDirectivesOnly:
    return "directives-only";
  case codegenoptions::DebugLineTablesOnly:
    return "line-tables-only";
  case codegenoptions::LimitedDebugInfo:
    return "limited";
  case codegenoptions::DebugInfoConstructor:
    return "constructor";
  case codegenoptions::FullDebugInfo:
    return "full";
  case codegenoptions::UnusedTypeInfo:
    return "unused-types";
  }
  return "kind-" + std::to_string(static_cast<int>(K));
}

/// A plugin's file name and content digest. Never its directory: where a
/// plugin is installed does not change what it does.
static std::string pluginIdentity(StringRef Path) {
  auto D = hashFile(Path);
  std::string Digest =
      D ? "blake3:" + toHex(*D) : "unreadable:" + toString(D.takeError());
  return sys::path::filename(Path).str() + "@" + Digest;
}

std::vector<RecipeField> buildClangRecipe(clang::CompilerInstance &CI) {
  const clang::CodeGenOptions &CG = CI.getCodeGenOpts();
  const clang::TargetOptions &TO = CI.getTarget().getTargetOpts();

  std::vector<RecipeField> R;
  auto One = [&](StringRef Name, std::string Value) {
    R.push_back({Name.str(), {std::move(Value)}});
  };
  auto Many = [&](StringRef Name, std::vector<std::string> Values) {
    R.push_back({Name.str(), std::move(Values)});
  };

  One("schema", std::to_string(RecipeSchemaVersion));
  One("compiler", clang::getClangFullVersion());
  One("triple", TO.Triple);
  One("cpu", TO.CPU);
  One("tune-cpu", TO.TuneCPU);
  Many("features", TO.Features);
  One("opt-level", std::to_string(CG.OptimizationLevel));
  One("size-level", std::to_string(CG.OptimizeSize));
  One("relocation-model", relocationModel(CG.RelocationModel));
  One("code-model", CG.CodeModel);
  One("debug-info", debugInfoKind(CG.getDebugInfo()));
  One("dwarf-version", std::to_string(CG.DwarfVersion));

  SmallVector<StringRef, 8> Sanitizers;
  clang::serializeSanitizerSet(CI.getLangOpts().Sanitize, Sanitizers);
  std::vector<std::string> SanitizerNames(Sanitizers.begin(), Sanitizers.end());
  llvm::sort(SanitizerNames);
  Many("sanitizers", SanitizerNames);

  Many("mllvm", CI.getFrontendOpts().LLVMArgs);

  std::vector<std::string> Plugins;
  for (const std::string &P : CI.getFrontendOpts().Plugins)
    Plugins.push_back(pluginIdentity(P));
  Many("plugins", Plugins);

  std::vector<std::string> PassPlugins;
  for (const std::string &P : CG.PassPlugins)
    PassPlugins.push_back(pluginIdentity(P));
  Many("pass-plugins", PassPlugins);
  return R;
}

} // namespace ltocache
