//===- ClangRecipe.h - The module recipe of one clang invocation -*- C++
//-*-===//
#ifndef LTOCACHE_CLANGRECIPE_H
#define LTOCACHE_CLANGRECIPE_H

#include "Key/ModuleRecipe.h"

#include <vector>

namespace clang {
class CompilerInstance;
}

namespace ltocache {

/// The compile settings that shaped the module \p CI emits and that matter
/// to a ThinLTO backend, in a fixed order (docs/KEYS.md).
std::vector<RecipeField> buildClangRecipe(clang::CompilerInstance &CI);

} // namespace ltocache

#endif
