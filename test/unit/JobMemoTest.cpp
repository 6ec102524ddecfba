// A job's memoised key inputs are found again whatever lld names the
// modules: its writer numbers a shard's values in an order that follows the
// module paths, so the same shard under other names (archive members carry
// lld's process id) is other bytes. The first memo key (the shard's bytes,
// paths replaced) then misses, and the second (the shard parsed and written
// with its modules named by content) is found: nothing is computed again,
// and nothing new is remembered.
#include "Key/JobKey.h"
#include "SummaryUtil.h"
#include "TestUtil.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ModuleSummaryIndex.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <mutex>
#include <set>

using namespace ltocache;
using namespace ltocache::test;
using namespace llvm;

namespace {

/// A memo that records what is asked and put.
class RecordingMemo : public KeyMemo {
public:
  std::optional<std::string> get(const Digest &Key) override {
    std::lock_guard<std::mutex> G(Lock);
    Asked.insert(Key);
    auto It = Values.find(Key);
    if (It == Values.end())
      return std::nullopt;
    return It->second;
  }
  void put(const Digest &Key, StringRef Value) override {
    std::lock_guard<std::mutex> G(Lock);
    Values[Key] = Value.str();
    Put.insert(Key);
  }
  std::mutex Lock;
  std::map<Digest, std::string> Values;
  std::set<Digest> Asked, Put;
};

/// A small bitcode module (its content differs by \p N).
std::string module(unsigned N) {
  LLVMContext Ctx;
  Module M("m" + std::to_string(N), Ctx);
  M.setSourceFileName("m" + std::to_string(N) + ".c");
  SmallString<0> Out;
  raw_svector_ostream OS(Out);
  WriteBitcodeToFile(M, OS);
  return Out.str().str();
}

/// A job's shard naming \p Paths (the job's own module first), a function
/// summary in each, the first calling the others; written as lld writes a
/// job's index: the summaries of each module in module path order.
std::string shard(const std::vector<std::string> &Paths) {
  ModuleSummaryIndex Index(/*HaveGVs=*/false);
  std::vector<ValueInfo> VIs;
  for (size_t I = 0; I < Paths.size(); ++I)
    VIs.push_back(Index.getOrInsertValueInfo(GlobalValue::GUID(1000 + 7 * I)));
  ModuleToSummariesForIndexTy PerModule;
  for (size_t I = 0; I < Paths.size(); ++I) {
    StringRef Name =
        Index.addModule(Paths[I], ModuleHash{{uint32_t(I + 1), 2, 3, 4, 5}})
            ->first();
    SmallVector<FunctionSummary::EdgeTy, 2> Edges;
    if (I == 0)
      for (size_t J = 1; J < Paths.size(); ++J)
        Edges.push_back({VIs[J], CalleeInfo()});
    auto FS = functionSummary(/*NumInsts=*/10 + I, std::move(Edges));
    FS->setModulePath(Name);
    PerModule[Paths[I]][VIs[I].getGUID()] = FS.get();
    Index.addGlobalValueSummary(VIs[I], std::move(FS));
  }
  std::string Out;
  raw_string_ostream OS(Out);
  writeIndexToFile(Index, OS, &PerModule);
  return Out;
}

/// A job in \p Dir whose modules are named \p Names (contents m0, m1, m2).
BackendJob job(const TempDir &Dir, const std::vector<std::string> &Names) {
  BackendJob J;
  std::vector<std::string> Paths;
  for (size_t I = 0; I < Names.size(); ++I) {
    Paths.push_back(Dir.sub(Names[I]));
    writeFile(Paths.back(), module(I));
  }
  J.Module = Paths[0];
  J.Shard = Dir.sub("job.thinlto.bc");
  writeFile(J.Shard, shard(Paths));
  J.Output = Dir.sub("job.native.o");
  J.Args = {J.Module, "-fthinlto-index=" + J.Shard, "-o", J.Output};
  J.Inputs = Paths;
  J.Inputs.push_back(J.Shard);
  return J;
}

TEST(JobMemo, FoundAgainUnderOtherModuleNames) {
  TempDir A, B;
  // Paths in one order here, the reverse there: the writer numbers the
  // values otherwise.
  BackendJob JA = job(A, {"a0.o", "a1.o", "a2.o"});
  BackendJob JB = job(B, {"z0.o", "y1.o", "x2.o"});
  RecordingMemo Memo;
  FileDigests FilesA, FilesB;
  auto KA = jobMemoKey(JA, FilesA, /*ByDefinition=*/false);
  auto KB = jobMemoKey(JB, FilesB, /*ByDefinition=*/false);
  ASSERT_TRUE(KA && *KA && KB && *KB);
  // The shards' bytes differ beyond their paths: the first key differs.
  ASSERT_NE(**KA, **KB);

  auto FA = computeJobFields(JA, FilesA, &Memo);
  ASSERT_TRUE(bool(FA)) << toString(FA.takeError());
  EXPECT_EQ(Memo.Put.size(), 2u); // Under both keys.
  Memo.Put.clear();
  auto FB = computeJobFields(JB, FilesB, &Memo);
  ASSERT_TRUE(bool(FB)) << toString(FB.takeError());
  EXPECT_TRUE(Memo.Put.empty()); // Found under the second key.
  EXPECT_EQ(FA->Shard, FB->Shard);
  EXPECT_EQ(FA->Imports, FB->Imports);

  // Another shard (other contents behind a name) is not found so.
  TempDir C;
  BackendJob JC = job(C, {"a0.o", "a1.o", "a2.o"});
  writeFile(JC.Inputs[2], module(7));
  FileDigests FilesC;
  auto FC = computeJobFields(JC, FilesC, &Memo);
  ASSERT_TRUE(bool(FC)) << toString(FC.takeError());
  EXPECT_EQ(Memo.Put.size(), 2u);
  EXPECT_NE(FC->Imports, FA->Imports);
}

// Whether a job's inputs were computed here is asked by module and inputs
// alone: the mark is found under other module names, where the first memo
// key is not, and not for other contents.
TEST(JobMemo, InputsMarkIgnoresModuleNames) {
  TempDir A, B, C;
  BackendJob JA = job(A, {"a0.o", "a1.o", "a2.o"});
  BackendJob JB = job(B, {"z0.o", "y1.o", "x2.o"});
  BackendJob JC = job(C, {"a0.o", "a1.o", "a2.o"});
  writeFile(JC.Inputs[2], module(7));
  FileDigests FilesA, FilesB, FilesC;
  auto FirstA = jobMemoKey(JA, FilesA, /*ByDefinition=*/true);
  auto FirstB = jobMemoKey(JB, FilesB, /*ByDefinition=*/true);
  ASSERT_TRUE(FirstA && *FirstA && FirstB && *FirstB);
  ASSERT_NE(**FirstA, **FirstB);
  auto MarkA = jobInputsMarkKey(JA, FilesA, /*ByDefinition=*/true);
  auto MarkB = jobInputsMarkKey(JB, FilesB, /*ByDefinition=*/true);
  auto MarkC = jobInputsMarkKey(JC, FilesC, /*ByDefinition=*/true);
  auto MarkAOff = jobInputsMarkKey(JA, FilesA, /*ByDefinition=*/false);
  ASSERT_TRUE(MarkA && MarkB && MarkC && MarkAOff);
  EXPECT_EQ(*MarkA, *MarkB);
  EXPECT_NE(*MarkA, *MarkC);
  EXPECT_NE(*MarkA, *MarkAOff);
  EXPECT_NE(*MarkA, **FirstA);
}

} // namespace
