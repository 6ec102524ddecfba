//===- ModuleRecipe.cpp - The recipe metadata
//------------------------------===//

#include "ltocache/ModuleRecipe.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace ltocache {

void attachRecipe(Module &M, const std::vector<RecipeField> &Fields) {
  LLVMContext &Ctx = M.getContext();
  NamedMDNode *Named = M.getOrInsertNamedMetadata(RecipeMetadataName);
  Named->clearOperands();
  for (const RecipeField &F : Fields) {
    SmallVector<Metadata *, 4> Ops{MDString::get(Ctx, F.Name)};
    for (const std::string &V : F.Values)
      Ops.push_back(MDString::get(Ctx, V));
    Named->addOperand(MDTuple::get(Ctx, Ops));
  }
}

Expected<std::optional<std::vector<RecipeField>>> readRecipe(const Module &M) {
  const NamedMDNode *Named = M.getNamedMetadata(RecipeMetadataName);
  if (!Named)
    return std::nullopt;
  std::vector<RecipeField> Fields;
  for (const MDNode *Node : Named->operands()) {
    RecipeField F;
    for (const MDOperand &Op : Node->operands()) {
      auto *S = dyn_cast_or_null<MDString>(Op.get());
      if (!S)
        return createStringError("%s: '%s' holds a non-string operand",
                                 M.getModuleIdentifier().c_str(),
                                 RecipeMetadataName.data());
      if (F.Name.empty())
        F.Name = S->getString().str();
      else
        F.Values.push_back(S->getString().str());
    }
    if (F.Name.empty())
      return createStringError("%s: '%s' holds an empty field",
                               M.getModuleIdentifier().c_str(),
                               RecipeMetadataName.data());
    Fields.push_back(std::move(F));
  }
  return Fields;
}

std::string recipeToText(const std::vector<RecipeField> &Fields) {
  std::string Out;
  for (const RecipeField &F : Fields) {
    Out += F.Name;
    Out += '=';
    for (size_t I = 0; I < F.Values.size(); ++I) {
      if (I)
        Out += '\x1f';
      Out += F.Values[I];
    }
    Out += '\n';
  }
  return Out;
}

Expected<std::optional<std::string>> readRecipeText(MemoryBufferRef Bitcode) {
  LLVMContext Ctx;
  auto M = getLazyBitcodeModule(Bitcode, Ctx);
  if (!M)
    return M.takeError();
  if (Error E = (*M)->materializeMetadata())
    return std::move(E);
  auto Fields = readRecipe(**M);
  if (!Fields)
    return Fields.takeError();
  if (!*Fields)
    return std::nullopt;
  return recipeToText(**Fields);
}

} // namespace ltocache
