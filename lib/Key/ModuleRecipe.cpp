//===- ModuleRecipe.cpp - The recipe metadata -----------------------------===//

#include "Key/ModuleRecipe.h"
#include "Key/RecipeScan.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace ltocache {

MDTuple *recipeNode(LLVMContext &Ctx, const std::vector<RecipeField> &Fields) {
  SmallVector<Metadata *, 16> FieldNodes;
  for (const RecipeField &F : Fields) {
    SmallVector<Metadata *, 4> Ops{MDString::get(Ctx, F.Name)};
    for (const std::string &V : F.Values)
      Ops.push_back(MDString::get(Ctx, V));
    FieldNodes.push_back(MDTuple::get(Ctx, Ops));
  }
  return MDTuple::get(Ctx, FieldNodes);
}

void attachRecipe(Module &M, const std::vector<RecipeField> &Fields) {
  NamedMDNode *Named = M.getOrInsertNamedMetadata(RecipeMetadataName);
  Named->clearOperands();
  Named->addOperand(recipeNode(M.getContext(), Fields));
}

static Expected<std::vector<RecipeField>> parseRecipe(const Module &M,
                                                      const MDNode &Node) {
  auto Malformed = [&](const char *What) {
    return createStringError("%s: malformed '%s': %s",
                             M.getModuleIdentifier().c_str(),
                             RecipeMetadataName.data(), What);
  };
  std::vector<RecipeField> Fields;
  for (const MDOperand &FieldOp : Node.operands()) {
    auto *Field = dyn_cast_or_null<MDNode>(FieldOp.get());
    if (!Field || Field->getNumOperands() == 0)
      return Malformed("a field is not a non-empty tuple");
    RecipeField F;
    for (const MDOperand &Op : Field->operands()) {
      auto *S = dyn_cast_or_null<MDString>(Op.get());
      if (!S)
        return Malformed("a field holds a non-string");
      if (&Op == Field->op_begin())
        F.Name = S->getString().str();
      else
        F.Values.push_back(S->getString().str());
    }
    Fields.push_back(std::move(F));
  }
  return Fields;
}

Expected<std::optional<std::vector<RecipeField>>> readRecipe(const Module &M) {
  const NamedMDNode *Named = M.getNamedMetadata(RecipeMetadataName);
  if (!Named)
    return std::nullopt;
  for (const MDNode *Node : Named->operands()) {
    auto Fields = parseRecipe(M, *Node);
    if (!Fields)
      return Fields.takeError();
    for (const RecipeField &F : *Fields)
      if (F.Name == "source" && F.Values.size() == 1 &&
          F.Values[0] == M.getSourceFileName())
        return std::move(*Fields);
  }
  return std::nullopt;
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

Expected<std::optional<std::string>>
readRecipeTextWithModule(MemoryBufferRef Bitcode) {
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

Expected<std::optional<std::string>> readRecipeText(MemoryBufferRef Bitcode) {
  RecipeScan Scan = scanRecipe(Bitcode);
  switch (Scan.Outcome) {
  case RecipeScan::Found:
    return std::move(Scan.Text);
  case RecipeScan::Absent:
    return std::nullopt;
  case RecipeScan::Unsure:
    break;
  }
  return readRecipeTextWithModule(Bitcode);
}

} // namespace ltocache
