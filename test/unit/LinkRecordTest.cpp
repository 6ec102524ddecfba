#include "Link/LinkRecord.h"
#include "Link/LinkRecords.h"
#include "Store/Pruner.h"

#include "TestUtil.h"

#include "llvm/Support/Chrono.h"
#include "llvm/Support/Process.h"

#include "llvm/Support/FileSystem.h"
#include <cstdio>
#include <ctime>

#include "gtest/gtest.h"

using namespace llvm;
using namespace ltocache;
using namespace ltocache::test;

namespace {

Digest digestOf(StringRef S) { return hashBytes(S); }

std::string hex16(StringRef S) { return toHex(digestOf(S)).substr(0, 16); }

LinkKeyBasis basis() {
  LinkKeyBasis B;
  B.CompilerIdentity = "blake3:" + toHex(digestOf("clang")) +
                       "\nDebian clang version 22.1.8 (1~deb12u1)\nTarget: "
                       "x86_64-pc-linux-gnu\n";
  B.Fields = {{KeyField::CompilerArg, "-O2"},
              {KeyField::CompilerArg, "-fprofile-sample-use=<file>"},
              {KeyField::ReferencedFile,
               "-fprofile-sample-use=" + toHex(digestOf("profile"))},
              {KeyField::CommonInput, toHex(digestOf("profile"))}};
  B.FileNames = {{2, "prof.txt"}, {3, "prof.txt"}};
  return B;
}

/// A job importing two definitions from util.c and, whole, one module.
JobKeyFields fields(StringRef Source, StringRef ModuleText) {
  JobKeyFields F;
  F.Module = digestOf(ModuleText);
  F.Recipe = ("schema=1\nsource=" + Source +
              "\ncompiler=clang 22\nopt-level=2\nfeatures=+a\x1f+b\n")
                 .str();
  F.Shard = digestOf(("shard of " + Source).str());
  ImportedPart P;
  P.Label = "ltocache:part:x";
  P.Source = "util.c";
  P.Part = digestOf("part");
  P.MayNameLocals = true;
  P.HashSuffix = ".llvm.1234";
  P.Definitions = {{"util_max", digestOf("max")},
                   {"util_sum", digestOf("sum")}};
  F.Parts.push_back(P);
  F.Imports = {toHex(digestOf("whole"))};
  return F;
}

JobOutcome outcome(JobOutcome::Kind K, bool Bypassed = false) {
  JobOutcome O;
  O.What = K;
  O.Bypassed = Bypassed;
  return O;
}

TEST(LinkRecord, StableModuleNames) {
  EXPECT_EQ(stableModuleName("libu.a(util.o at 132).2.1675.o"),
            "libu.a(util.o)");
  EXPECT_EQ(stableModuleName("/b/lib/libx.a(a b.o at 99).17.7A33.o"),
            "/b/lib/libx.a(a b.o)");
  // Anything else is kept as lld names it.
  for (StringRef Same : {"prog_a.o", "dir/util.o", "x.a(m.o)",
                         "x.a(m.o at 12).o", "x.a(m.o at zz).2.1675.o",
                         "x.a(m.o at 12).2.xyz.o", "weird (at 3).1.2.o"})
    EXPECT_EQ(stableModuleName(Same), Same.str());
}

/// The record \p W wrote, read back.
LinkRecord readBack(LinkRecordWriter &W) {
  LinkRecordText T = W.finish();
  auto R = parseLinkRecord(T.Text, "record");
  if (!R) {
    ADD_FAILURE() << toString(R.takeError()) << "\n" << T.Text;
    return LinkRecord();
  }
  EXPECT_EQ(R->Id, T.Id);
  EXPECT_EQ(R->Output, T.Output);
  return std::move(*R);
}

TEST(LinkRecord, WrittenFromKeys) {
  LinkKeyBasis B = basis();
  JobKey A = finishJobKey(B, fields("prog_a.c", "module a"));
  JobKey U = finishJobKey(B, fields("util.c", "module u"));
  LinkRecordWriter W("/out/a.out", B);
  W.addJob("prog_a.o", &A, A.keyFor({0}), {0}, outcome(JobOutcome::Miss));
  W.addJob("libu.a(util.o at 132).2.1675.o", &U, U.Key, {},
           outcome(JobOutcome::Hit, /*Bypassed=*/true));
  W.addJob("nokey.o", nullptr, Digest(), {}, outcome(JobOutcome::Uncached));
  LinkRecord R = readBack(W);

  EXPECT_EQ(R.Output, "/out/a.out");
  EXPECT_EQ(R.KeyRecipe, "dtlto-job/2");
  EXPECT_EQ(R.CompilerExecutable, hex16("clang"));
  EXPECT_EQ(R.CompilerVersion, "Debian clang version 22.1.8 (1~deb12u1)\n"
                               "Target: x86_64-pc-linux-gnu");
  ASSERT_EQ(R.LinkFields.size(), 4u);
  EXPECT_EQ(R.LinkFields[0].Name, "compiler-arg");
  EXPECT_EQ(R.LinkFields[0].Value, "-O2");
  EXPECT_EQ(R.LinkFields[0].File, "");
  EXPECT_EQ(R.LinkFields[2].Name, "referenced-file");
  EXPECT_EQ(R.LinkFields[2].File, "prof.txt");
  EXPECT_EQ(R.LinkFields[3].Name, "common-input");
  EXPECT_EQ(R.LinkFields[3].File, "prof.txt");
  // Recipes and definitions once per link.
  ASSERT_EQ(R.Recipes.size(), 1u);
  EXPECT_EQ(R.Recipes[0],
            "schema=1\ncompiler=clang 22\nopt-level=2\nfeatures=+a\x1f+b\n");
  ASSERT_EQ(R.Definitions.size(), 2u);
  EXPECT_EQ(R.Definitions[0].Source, "util.c");
  EXPECT_EQ(R.Definitions[0].Name, "util_max");
  EXPECT_EQ(R.Definitions[0].Key, hex16("max"));

  ASSERT_EQ(R.Jobs.size(), 3u);
  const LinkRecord::Job &JA = R.Jobs[0];
  EXPECT_EQ(JA.Module, "prog_a.o");
  EXPECT_EQ(JA.Source, "prog_a.c");
  EXPECT_EQ(JA.What, LinkRecord::Outcome::Miss);
  EXPECT_EQ(JA.Key, toHex(A.keyFor({0})).substr(0, 16));
  EXPECT_EQ(JA.Base, toHex(A.Base).substr(0, 16));
  EXPECT_EQ(JA.ModuleDigest, hex16("module a"));
  EXPECT_EQ(JA.Shard, toHex(fields("prog_a.c", "").Shard).substr(0, 16));
  EXPECT_EQ(JA.Recipe, 0);
  EXPECT_TRUE(JA.Fields.empty()); // lld's jobs have no arguments of their own.
  ASSERT_EQ(JA.Parts.size(), 1u);
  EXPECT_EQ(JA.Parts[0].Source, "util.c");
  EXPECT_EQ(JA.Parts[0].Digest, hex16("part"));
  EXPECT_EQ(JA.Parts[0].Definitions, (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(JA.Whole, (std::vector<std::string>{hex16("whole")}));
  EXPECT_EQ(JA.Carried, (std::vector<std::string>{"util.c .llvm.1234"}));

  const LinkRecord::Job &JU = R.Jobs[1];
  EXPECT_EQ(JU.Module, "libu.a(util.o)");
  EXPECT_EQ(JU.Source, "util.c");
  EXPECT_TRUE(JU.Bypassed);
  EXPECT_EQ(JU.Parts[0].Definitions, (std::vector<unsigned>{0, 1}));
  EXPECT_TRUE(JU.Carried.empty());

  EXPECT_FALSE(R.Jobs[2].keyed());
  EXPECT_EQ(R.Jobs[2].What, LinkRecord::Outcome::Uncached);
  // "<UTC time>.<microseconds>-<pid>", the time the record's.
  std::time_t Seconds = R.TimeMicros / 1000000;
  std::tm UTC;
  gmtime_r(&Seconds, &UTC);
  char Time[32], Id[64];
  std::strftime(Time, sizeof(Time), "%Y%m%dT%H%M%S", &UTC);
  std::snprintf(Id, sizeof(Id), "%s.%06lld-%d", Time,
                static_cast<long long>(R.TimeMicros % 1000000),
                static_cast<int>(sys::Process::getProcessId()));
  EXPECT_EQ(R.Id, Id);
  auto Now = std::chrono::system_clock::now().time_since_epoch();
  EXPECT_LE(
      std::abs(
          R.TimeMicros -
          std::chrono::duration_cast<std::chrono::microseconds>(Now).count()),
      60'000'000);
}

TEST(LinkRecord, JobArgumentsAreItsOwnFields) {
  JobKeyFields F = fields("prog_a.c", "m");
  F.Args = {{KeyField::CompilerArg, "-mllvm=-x"}};
  LinkKeyBasis B = basis();
  JobKey K = finishJobKey(B, F);
  LinkRecordWriter W("/o", B);
  W.addJob("a.o", &K, K.Key, {}, outcome(JobOutcome::Hit));
  LinkRecord R = readBack(W);
  ASSERT_EQ(R.Jobs.size(), 1u);
  ASSERT_EQ(R.Jobs[0].Fields.size(), 1u);
  EXPECT_EQ(R.Jobs[0].Fields[0].Name, "compiler-arg");
  EXPECT_EQ(R.Jobs[0].Fields[0].Value, "-mllvm=-x");
  EXPECT_EQ(R.LinkFields.size(), 4u);
}

TEST(LinkRecord, OddTextAndEmptyJobs) {
  LinkKeyBasis B = basis();
  JobKeyFields F = fields("prog \"a\"\\\x01.c", "module a");
  // A source path longer than the key log shows most values, not UTF-8.
  F.Parts[0].Source = std::string(200, 'd') + "/\xff\xfe.c";
  F.Parts[0].Definitions[0].first = "with space";
  F.Recipe += "mllvm=caf\xc3\xa9\n";
  JobKey A = finishJobKey(B, F);
  JobKeyFields Bare;
  Bare.Recipe = "<none>";
  JobKey N = finishJobKey(B, Bare);
  LinkRecordWriter W("/out/a b.out", B);
  W.addJob("prog_a.o", &A, A.Key, {0}, outcome(JobOutcome::RemoteHit, true));
  W.addJob("x.o", nullptr, Digest(), {}, outcome(JobOutcome::Uncached));
  W.addJob("bare.o", &N, N.Key, {}, outcome(JobOutcome::Miss));
  LinkRecord R = readBack(W);
  ASSERT_EQ(R.Jobs.size(), 3u);
  EXPECT_EQ(R.Output, "/out/a b.out");
  EXPECT_EQ(R.Jobs[0].Source, "prog \"a\"\\\x01.c");
  EXPECT_EQ(R.Jobs[0].What, LinkRecord::Outcome::RemoteHit);
  EXPECT_TRUE(R.Jobs[0].Bypassed);
  // Not UTF-8: replaced, never a record that cannot be read.
  EXPECT_EQ(R.Jobs[0].Parts[0].Source,
            std::string(200, 'd') + "/\xef\xbf\xbd\xef\xbf\xbd.c");
  EXPECT_EQ(R.Jobs[0].Parts[0].Definitions, (std::vector<unsigned>{0, 1}));
  EXPECT_CONTAINS(R.Recipes[0], "mllvm=caf\xc3\xa9\n");
  EXPECT_EQ(R.Definitions[0].Name, "with space");
  EXPECT_EQ(R.Definitions[0].Source, R.Jobs[0].Parts[0].Source);
  EXPECT_EQ(R.Jobs[0].Carried, (std::vector<std::string>{
                                   std::string(200, 'd') +
                                   "/\xef\xbf\xbd\xef\xbf\xbd.c .llvm.1234"}));
  EXPECT_EQ(R.LinkFields[2].File, "prof.txt");
  EXPECT_FALSE(R.Jobs[1].keyed());
  EXPECT_TRUE(R.Jobs[2].keyed());
  EXPECT_EQ(R.Jobs[2].Recipe, -1);
  EXPECT_EQ(R.Jobs[2].Source, "");
  EXPECT_TRUE(R.Jobs[2].Parts.empty());
  EXPECT_TRUE(R.Jobs[2].Whole.empty());
}

TEST(LinkRecord, BadRecordsNameTheRecordAndTheField) {
  auto Err = [](StringRef Text) {
    auto R = parseLinkRecord(Text, "v1/links/x/r.json");
    return errorMessage(R);
  };
  EXPECT_CONTAINS(Err("{"), "link record v1/links/x/r.json:");
  EXPECT_CONTAINS(Err("[]"), "not a JSON object");
  EXPECT_CONTAINS(Err("{\"format\": 2}"),
                  "format 2, expected 1 (written by another release");
  std::string Good = R"({"format":1,"id":"i","output":"/o","time_us":1,
    "key_recipe":"dtlto-job/2","compiler":{"executable":"e","version":"v"},
    "link_fields":[],"definitions":[["s","n","k"]],"jobs":[JOB]})";
  auto With = [&](StringRef Job) {
    std::string T = Good;
    T.replace(T.find("JOB"), 3, Job.str());
    return Err(T);
  };
  EXPECT_EQ(With(R"({"module":"a.o","outcome":"hit","key":"k","base":"b",
                 "module_digest":"m","recipe":-1,"shard":"s",
                 "parts":[["s","d",[0]]]})"),
            "");
  EXPECT_CONTAINS(With(R"({"outcome":"hit"})"), "'module' missing");
  EXPECT_CONTAINS(With(R"({"module":"a.o","outcome":"maybe"})"),
                  "unknown outcome 'maybe'");
  EXPECT_CONTAINS(With(R"({"module":"a.o","outcome":"hit","key":"k",
                          "base":"b","module_digest":"m","recipe":3,
                          "shard":"s"})"),
                  "job 'a.o': bad 'recipe'");
  EXPECT_CONTAINS(With(R"({"module":"a.o","outcome":"hit",
                          "parts":[["s","d",[1]]]})"),
                  "job 'a.o': bad definition index");
  EXPECT_CONTAINS(With(R"({"module":"a.o","outcome":"hit",
                          "fields":[["only-a-name"]]})"),
                  "'fields' holds a field that is not [name, value]");
}

LinkRecordText recordOf(StringRef Output, StringRef Id) {
  LinkRecordWriter W(Output, basis());
  LinkRecordText T = W.finish();
  T.Id = Id.str();
  return T;
}

TEST(LinkRecords, KeepsTheNewestPerOutput) {
  TempDir D;
  std::string Root = D.sub("v1");
  ASSERT_FALSE(sys::fs::create_directories(Root + "/tmp"));
  auto FS = cantFail(createFileSystem(""));
  for (int I = 0; I < 6; ++I)
    ASSERT_EQ(
        errorMessage(writeLinkRecord(
            Root, recordOf("/o/a", "2026010" + std::to_string(I)), 4, *FS)),
        "");
  ASSERT_EQ(
      errorMessage(writeLinkRecord(Root, recordOf("/o/b", "20260101"), 4, *FS)),
      "");
  std::vector<LinkRecordFile> A = listLinkRecords(Root, "/o/a");
  ASSERT_EQ(A.size(), 4u);
  EXPECT_EQ(A.front().Id, "20260102");
  EXPECT_EQ(A.back().Id, "20260105");
  auto R = readLinkRecord(A.back().Path);
  ASSERT_TRUE(bool(R)) << toString(R.takeError());
  EXPECT_EQ(R->Output, "/o/a");
  EXPECT_EQ(listLinkRecords(Root, "/o/b").size(), 1u);
  EXPECT_TRUE(listLinkRecords(Root, "/o/c").empty());
  // Every output, oldest first.
  std::vector<LinkRecordFile> All = listLinkRecords(Root);
  ASSERT_EQ(All.size(), 5u);
  EXPECT_EQ(All[0].Id, "20260101");
  EXPECT_EQ(All[1].Id, "20260102");
  // Nothing left behind in v1/tmp.
  EXPECT_TRUE(listDir(Root + "/tmp").empty());
}

TEST(LinkRecords, AFailedWriteLeavesNothing) {
  TempDir D;
  std::string Root = D.sub("v1");
  ASSERT_FALSE(sys::fs::create_directories(Root + "/tmp"));
  for (const char *Fault : {"rename=EXDEV", "write=ENOSPC"}) {
    auto FS = cantFail(createFileSystem(Fault));
    EXPECT_NE(
        errorMessage(writeLinkRecord(Root, recordOf("/o/a", "1"), 4, *FS)), "")
        << Fault;
    EXPECT_TRUE(listLinkRecords(Root).empty()) << Fault;
    EXPECT_TRUE(listDir(Root + "/tmp").empty()) << Fault;
  }
}

TEST(LinkRecords, AbsoluteOutputs) {
  SmallString<256> Cwd;
  ASSERT_FALSE(sys::fs::current_path(Cwd));
  EXPECT_EQ(absoluteOutput("/a/./b/../c"), "/a/c");
  EXPECT_EQ(absoluteOutput("x/../a.out"), (Cwd + "/a.out").str());
}

TEST(LinkRecords, PrunedWhenExpired) {
  TempDir D;
  std::string Root = D.sub("v1");
  ASSERT_FALSE(sys::fs::create_directories(Root + "/tmp"));
  auto FS = cantFail(createFileSystem(""));
  ASSERT_EQ(
      errorMessage(writeLinkRecord(Root, recordOf("/o/old", "1"), 4, *FS)), "");
  ASSERT_EQ(
      errorMessage(writeLinkRecord(Root, recordOf("/o/new", "2"), 4, *FS)), "");
  // The old output was last linked 10 days ago.
  std::string Old = listLinkRecords(Root, "/o/old").front().Path;
  {
    int FD;
    ASSERT_FALSE(sys::fs::openFileForWrite(Old, FD, sys::fs::CD_OpenExisting,
                                           sys::fs::OF_Append));
    ASSERT_FALSE(sys::fs::setLastAccessAndModificationTime(
        FD, std::chrono::system_clock::now() - std::chrono::hours(240)));
    sys::fs::closeFile(FD);
  }
  // A policy that keeps everything but what is older than a week.
  auto Policy = cantFail(parsePolicy("prune_after=168h"));
  auto R = pruneStore(Root, Policy, *FS, /*Force=*/true);
  ASSERT_TRUE(bool(R)) << toString(R.takeError());
  EXPECT_TRUE(listLinkRecords(Root, "/o/old").empty());
  EXPECT_FALSE(sys::fs::exists(sys::path::parent_path(Old)));
  EXPECT_EQ(listLinkRecords(Root, "/o/new").size(), 1u);
}

} // namespace
