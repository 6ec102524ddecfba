// A shard's identity: its records with module paths replaced by what is
// behind them. The same index under other paths (of other lengths, as
// lld's archive member names with their process ids) has the same identity;
// another index, or other contents behind the paths, does not.
#include "Key/ShardIdentity.h"
#include "SummaryUtil.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/ModuleSummaryIndex.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <map>

using namespace ltocache;
using namespace llvm;

namespace {

/// A shard naming \p Paths (with hashes), one function summary in each,
/// and \p Calls call edges from the first to the second.
std::string shard(const std::vector<std::string> &Paths, unsigned Calls = 0) {
  ModuleSummaryIndex Index(/*HaveGVs=*/false);
  std::vector<StringRef> Names;
  for (size_t I = 0; I < Paths.size(); ++I)
    Names.push_back(
        Index.addModule(Paths[I], ModuleHash{{uint32_t(I + 1), 2, 3, 4, 5}})
            ->first());
  std::vector<ValueInfo> VIs;
  for (size_t I = 0; I < Paths.size(); ++I)
    VIs.push_back(Index.getOrInsertValueInfo(GlobalValue::GUID(100 + I)));
  for (size_t I = 0; I < Paths.size(); ++I) {
    SmallVector<FunctionSummary::EdgeTy, 2> Edges;
    if (I == 0 && Paths.size() > 1)
      for (unsigned C = 0; C < Calls; ++C)
        Edges.push_back({VIs[1], CalleeInfo()});
    auto FS = test::functionSummary(/*NumInsts=*/10, std::move(Edges));
    FS->setModulePath(Names[I]);
    Index.addGlobalValueSummary(VIs[I], std::move(FS));
  }
  std::string Out;
  raw_string_ostream OS(Out);
  writeIndexToFile(Index, OS);
  return Out;
}

std::optional<Digest> identity(const std::string &Bytes,
                               const std::map<std::string, std::string> &Who) {
  return shardIdentity(MemoryBufferRef(Bytes, "shard"),
                       [&](StringRef P) -> std::optional<std::string> {
                         auto It = Who.find(P.str());
                         if (It == Who.end())
                           return std::nullopt;
                         return It->second;
                       });
}

TEST(ShardIdentity, PathsDoNotCountWhatIsBehindThemDoes) {
  std::string A = shard({"lib.a(m.o at 12).2.1A.o", "main.o"}, 1);
  std::string B = shard({"lib.a(m.o at 12).2.7A33F.o", "main.o"}, 1);
  ASSERT_NE(A, B); // Other bytes: the paths, and the lengths around them.
  std::map<std::string, std::string> WhoA{{"lib.a(m.o at 12).2.1A.o", "X"},
                                          {"main.o", "Y"}};
  std::map<std::string, std::string> WhoB{{"lib.a(m.o at 12).2.7A33F.o", "X"},
                                          {"main.o", "Y"}};
  std::optional<Digest> IA = identity(A, WhoA), IB = identity(B, WhoB);
  ASSERT_TRUE(IA && IB);
  EXPECT_EQ(*IA, *IB);

  // Another content behind a path.
  WhoB["main.o"] = "Z";
  EXPECT_NE(*IA, *identity(B, WhoB));
  // Another index (one more call edge).
  std::string C = shard({"lib.a(m.o at 12).2.1A.o", "main.o"}, 2);
  EXPECT_NE(*IA, *identity(C, WhoA));
}

TEST(ShardIdentity, UnknownPathOrNotBitcodeIsNothing) {
  std::string A = shard({"a.o", "b.o"});
  EXPECT_FALSE(identity(A, {{"a.o", "X"}}));
  EXPECT_FALSE(identity("not bitcode", {}));
  // Damaged copies never crash, and never equal the real identity.
  std::optional<Digest> Real = identity(A, {{"a.o", "X"}, {"b.o", "Y"}});
  ASSERT_TRUE(Real);
  for (size_t Cut = 0; Cut < A.size(); Cut += 3) {
    std::string Short = A.substr(0, Cut);
    std::optional<Digest> D = identity(Short, {{"a.o", "X"}, {"b.o", "Y"}});
    if (D)
      EXPECT_NE(*D, *Real) << "cut at " << Cut;
  }
}

} // namespace
