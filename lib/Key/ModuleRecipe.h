//===- ModuleRecipe.h - The recipe metadata the Clang plugin writes -*- C++
//-*-===//
//
// In IR:  !ltocache.recipe = !{!0}
//         !0 = !{!1, !2, ...}                    (one recipe: its fields)
//         !1 = !{!"schema", !"1"}
//         !2 = !{!"source", !"util.c"}
//         !8 = !{!"mllvm", !"-foo", !"-bar"}     (lists: several values)
// Field order is the plugin's and fixed; docs/KEYS.md lists every field.
//
// ThinLTO import copies named metadata from every module it imports from,
// so after import the node holds several recipes; a module's own is the one
// whose "source" field is the module's source file name.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_MODULERECIPE_H
#define LTOCACHE_KEY_MODULERECIPE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class MDTuple;
class Module;
} // namespace llvm

namespace ltocache {

constexpr llvm::StringLiteral RecipeMetadataName = "ltocache.recipe";
constexpr unsigned RecipeSchemaVersion = 1;

struct RecipeField {
  std::string Name;
  std::vector<std::string> Values;
};

/// One recipe as metadata: a tuple of fields, each a tuple of strings.
llvm::MDTuple *recipeNode(llvm::LLVMContext &Ctx,
                          const std::vector<RecipeField> &Fields);

/// Makes \p Fields the module's only recipe.
void attachRecipe(llvm::Module &M, const std::vector<RecipeField> &Fields);

/// The recipe of \p M itself (not one imported with its functions), or
/// std::nullopt if it carries none. A malformed recipe is an error.
llvm::Expected<std::optional<std::vector<RecipeField>>>
readRecipe(const llvm::Module &M);

/// The recipe of a bitcode file's module in canonical text form
/// ("name=value1\x1fvalue2\n" per field), or std::nullopt if the module
/// carries none. Scans the bitstream (RecipeScan.h) and, when the scan is
/// unsure, asks readRecipeTextWithModule.
llvm::Expected<std::optional<std::string>>
readRecipeText(llvm::MemoryBufferRef Bitcode);

/// The same through LLVM's reader: a lazy Module and its module-level
/// metadata. The reference the scan is tested against.
llvm::Expected<std::optional<std::string>>
readRecipeTextWithModule(llvm::MemoryBufferRef Bitcode);

std::string recipeToText(const std::vector<RecipeField> &Fields);

} // namespace ltocache

#endif
