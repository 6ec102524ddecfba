// The bitstream scan of a module's recipe against LLVM's reader, on modules
// built here (test/clang-plugin/recipe-scan.test does the same on modules
// from real clang).
#include "Key/RecipeScan.h"
#include "Key/ModuleRecipe.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace llvm;
using namespace ltocache;

namespace {

std::vector<RecipeField> recipeFor(StringRef Source, StringRef Opt = "2") {
  return {{"schema", {"1"}},
          {"source", {Source.str()}},
          {"opt-level", {Opt.str()}},
          {"features", {"+sse2", "+cx8", ""}}};
}

/// A module with a function, a global, TBAA tuples and, optionally, enough
/// debug info that the writer emits a metadata index.
std::unique_ptr<Module> makeModule(LLVMContext &Ctx, StringRef Source,
                                   unsigned DebugTypes = 0) {
  auto M = std::make_unique<Module>("mod", Ctx);
  M->setSourceFileName(Source);
  M->setTargetTriple(Triple("x86_64-pc-linux-gnu"));
  IRBuilder<> B(Ctx);
  auto *G =
      new GlobalVariable(*M, B.getInt32Ty(), false,
                         GlobalValue::ExternalLinkage, B.getInt32(7), "g");
  Function *F = Function::Create(FunctionType::get(B.getInt32Ty(), false),
                                 GlobalValue::ExternalLinkage, "f", *M);
  F->addFnAttr(Attribute::NoUnwind);
  B.SetInsertPoint(BasicBlock::Create(Ctx, "entry", F));
  LoadInst *L = B.CreateLoad(B.getInt32Ty(), G);
  MDBuilder MDB(Ctx);
  MDNode *Root = MDB.createTBAARoot("Simple C++ TBAA");
  MDNode *Int = MDB.createTBAAScalarTypeNode("int", Root);
  L->setMetadata(LLVMContext::MD_tbaa,
                 MDB.createTBAAStructTagNode(Int, Int, 0));
  B.CreateRet(L);
  M->addModuleFlag(Module::Warning, "wchar_size", 4);

  if (DebugTypes) {
    DIBuilder DIB(*M);
    DIFile *File = DIB.createFile(Source, "/src");
    DIB.createCompileUnit(dwarf::DW_LANG_C_plus_plus, File, "test", true, "",
                          0);
    DIType *IntTy = DIB.createBasicType("int", 32, dwarf::DW_ATE_signed);
    for (unsigned I = 0; I < DebugTypes; ++I) {
      DIType *Member =
          DIB.createMemberType(File, "m" + std::to_string(I), File, I, 32, 32,
                               0, DINode::FlagZero, IntTy);
      // Retained, or the writer drops them as unreferenced.
      DIB.retainType(DIB.createStructType(File, "S" + std::to_string(I), File,
                                          I, 32, 32, DINode::FlagZero, nullptr,
                                          DIB.getOrCreateArray({Member})));
    }
    DISubprogram *SP = DIB.createFunction(
        File, "f", "f", File, 1,
        DIB.createSubroutineType(DIB.getOrCreateTypeArray({IntTy})), 1,
        DINode::FlagZero, DISubprogram::SPFlagDefinition);
    F->setSubprogram(SP);
    L->setDebugLoc(DILocation::get(Ctx, 2, 3, SP));
    DIB.finalize();
    M->addModuleFlag(Module::Warning, "Debug Info Version",
                     DEBUG_METADATA_VERSION);
  }
  return M;
}

/// Adds a recipe node without replacing the ones there (import does this).
void addRecipe(Module &M, const std::vector<RecipeField> &Fields) {
  M.getOrInsertNamedMetadata(RecipeMetadataName)
      ->addOperand(recipeNode(M.getContext(), Fields));
}

std::string bitcodeOf(const Module &M) {
  std::string Out;
  raw_string_ostream OS(Out);
  WriteBitcodeToFile(M, OS);
  return Out;
}

/// What LLVM's reader says, as "error: ...", "<none>" or the text.
std::string viaModule(StringRef Bitcode) {
  auto R = readRecipeTextWithModule(MemoryBufferRef(Bitcode, "mod"));
  if (!R)
    return "error: " + toString(R.takeError());
  return R->value_or("<none>");
}

std::string viaScan(StringRef Bitcode) {
  RecipeScan S = scanRecipe(MemoryBufferRef(Bitcode, "mod"));
  switch (S.Outcome) {
  case RecipeScan::Found:
    return S.Text;
  case RecipeScan::Absent:
    return "<none>";
  case RecipeScan::Unsure:
    break;
  }
  return "<unsure>";
}

TEST(RecipeScan, FindsTheRecipe) {
  LLVMContext Ctx;
  auto M = makeModule(Ctx, "a.c");
  attachRecipe(*M, recipeFor("a.c"));
  std::string BC = bitcodeOf(*M);
  EXPECT_EQ(viaScan(BC), recipeToText(recipeFor("a.c")));
  EXPECT_EQ(viaScan(BC), viaModule(BC));
}

TEST(RecipeScan, NoRecipeIsAbsent) {
  LLVMContext Ctx;
  std::string BC = bitcodeOf(*makeModule(Ctx, "a.c"));
  EXPECT_EQ(viaScan(BC), "<none>");
  EXPECT_EQ(viaModule(BC), "<none>");
}

TEST(RecipeScan, PicksTheModulesOwnAmongImported) {
  LLVMContext Ctx;
  auto M = makeModule(Ctx, "own.c");
  addRecipe(*M, recipeFor("imported1.c", "3"));
  addRecipe(*M, recipeFor("own.c", "1"));
  addRecipe(*M, recipeFor("imported2.c", "0"));
  std::string BC = bitcodeOf(*M);
  EXPECT_EQ(viaScan(BC), recipeToText(recipeFor("own.c", "1")));
  EXPECT_EQ(viaScan(BC), viaModule(BC));
}

TEST(RecipeScan, OnlyOthersRecipesIsLeftToLLVM) {
  LLVMContext Ctx;
  auto M = makeModule(Ctx, "own.c");
  addRecipe(*M, recipeFor("imported.c"));
  std::string BC = bitcodeOf(*M);
  EXPECT_EQ(viaScan(BC), "<unsure>");
  EXPECT_EQ(viaModule(BC), "<none>");
  EXPECT_EQ(cantFail(readRecipeText(MemoryBufferRef(BC, "mod"))), std::nullopt);
}

TEST(RecipeScan, MalformedRecipeIsLeftToLLVM) {
  LLVMContext Ctx;
  auto M = makeModule(Ctx, "a.c");
  Metadata *Bad[] = {
      MDString::get(Ctx, "opt-level"),
      ConstantAsMetadata::get(ConstantInt::get(Type::getInt32Ty(Ctx), 2))};
  Metadata *Fields[] = {MDTuple::get(Ctx, Bad)};
  M->getOrInsertNamedMetadata(RecipeMetadataName)
      ->addOperand(MDTuple::get(Ctx, Fields));
  std::string BC = bitcodeOf(*M);
  EXPECT_EQ(viaScan(BC), "<unsure>");
  EXPECT_NE(viaModule(BC).find("a field holds a non-string"), std::string::npos)
      << viaModule(BC);
  auto R = readRecipeText(MemoryBufferRef(BC, "mod"));
  ASSERT_FALSE(R);
  EXPECT_NE(toString(R.takeError()).find("a field holds a non-string"),
            std::string::npos);
}

TEST(RecipeScan, CountsThroughDebugInfoAndTheMetadataIndex) {
  for (unsigned Types : {1u, 10u, 400u}) {
    LLVMContext Ctx;
    auto M = makeModule(Ctx, "dbg.cpp", Types);
    attachRecipe(*M, recipeFor("dbg.cpp"));
    std::string BC = bitcodeOf(*M);
    EXPECT_EQ(viaScan(BC), recipeToText(recipeFor("dbg.cpp"))) << Types;
    EXPECT_EQ(viaScan(BC), viaModule(BC)) << Types;
  }
}

TEST(RecipeScan, NotBitcodeIsLeftToLLVM) {
  EXPECT_EQ(viaScan("not bitcode at all"), "<unsure>");
  EXPECT_EQ(viaScan(""), "<unsure>");
  EXPECT_FALSE(readRecipeText(MemoryBufferRef("not bitcode", "x")));
}

TEST(RecipeScan, TwoModulesInOneFileAreLeftToLLVM) {
  LLVMContext Ctx;
  auto A = makeModule(Ctx, "a.c");
  attachRecipe(*A, recipeFor("a.c"));
  auto B = makeModule(Ctx, "b.c");
  SmallVector<char, 0> Buffer;
  {
    BitcodeWriter W(Buffer);
    W.writeModule(*A);
    W.writeModule(*B);
    W.writeSymtab();
    W.writeStrtab();
  }
  std::string Out(Buffer.begin(), Buffer.end());
  EXPECT_EQ(viaScan(Out), "<unsure>");
  EXPECT_NE(viaModule(Out).find("single module"), std::string::npos)
      << viaModule(Out);
}

/// Cut anywhere, a file never crashes the scan, and whatever the scan is
/// sure of, LLVM's reader says too.
TEST(RecipeScan, TruncatedFilesAreNeverMisread) {
  LLVMContext Ctx;
  auto M = makeModule(Ctx, "t.cpp", 30);
  attachRecipe(*M, recipeFor("t.cpp"));
  std::string BC = bitcodeOf(*M);
  unsigned Sure = 0;
  for (size_t Len = 0; Len < BC.size(); Len += 7) {
    std::string Cut = BC.substr(0, Len);
    std::string S = viaScan(Cut);
    if (S == "<unsure>")
      continue;
    ++Sure;
    EXPECT_EQ(S, viaModule(Cut)) << "cut at " << Len << " of " << BC.size();
  }
  EXPECT_EQ(Sure, 0u) << "a cut file should never look whole";
}

} // namespace

/// Damaged anywhere, a file never crashes the scan (LLVM's reader may then
/// disagree: it reads parts the scan skips, and the key hashes the whole
/// file either way).
TEST(RecipeScan, DamagedFilesDoNotCrash) {
  LLVMContext Ctx;
  auto M = makeModule(Ctx, "d.cpp", 30);
  attachRecipe(*M, recipeFor("d.cpp"));
  const std::string BC = bitcodeOf(*M);
  ASSERT_EQ(viaScan(BC), recipeToText(recipeFor("d.cpp")));
  uint32_t Seed = 12345;
  auto Next = [&Seed] { return Seed = Seed * 1103515245u + 12345u; };
  unsigned Sure = 0;
  for (int I = 0; I < 4000; ++I) {
    std::string Bad = BC;
    for (int Flips = 1 + Next() % 3; Flips; --Flips)
      Bad[(Next() >> 8) % Bad.size()] ^= char(1 + (Next() >> 8) % 255);
    Sure += viaScan(Bad) != "<unsure>";
  }
  // Most single-byte damage lands in parts the scan skips.
  EXPECT_GT(Sure, 0u);
}
