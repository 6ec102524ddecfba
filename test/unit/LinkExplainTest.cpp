#include "Link/LinkExplain.h"

#include "TestUtil.h"

#include "llvm/Support/FormatVariadic.h"

#include "gtest/gtest.h"

using namespace llvm;
using namespace ltocache;

namespace {

using Outcome = LinkRecord::Outcome;

/// A link of util.c and prog.c (prog.c imports util_max and util_sum from
/// util.c, and shared.c's module whole); every field is set so that a test
/// changes one.
LinkRecord link() {
  LinkRecord R;
  R.Id = "1";
  R.Output = "/o/a.out";
  R.KeyRecipe = "dtlto-job/2";
  R.CompilerExecutable = "c1";
  R.CompilerVersion = "Debian clang version 22.1.8 (1~deb12u1)\nTarget: x";
  R.LinkFields = {{"compiler-arg", "-c", ""},
                  {"compiler-arg", "-O2", ""},
                  {"compiler-arg", "-fpic", ""},
                  {"environment", "SDKROOT=/sdk", ""},
                  {"launcher", "ccache=blake3:aa", ""},
                  {"compiler-library", "libLLVM.so.22.1=build-id:11", ""},
                  {"config-file", "clang.cfg=aa", ""},
                  {"referenced-file", "-fprofile-sample-use=p1", "prof.txt"},
                  {"common-input", "p1", "prof.txt"}};
  R.Recipes = {"schema=1\nopt-level=2\nfeatures=+a\x1f+b\n"};
  R.Definitions = {{"util.c", "util_max", "k1"}, {"util.c", "util_sum", "k2"}};
  LinkRecord::Job Util;
  Util.Module = "libu.a(util.o)";
  Util.Source = "util.c";
  Util.What = Outcome::Hit;
  Util.Key = "ku";
  Util.Base = "bu";
  Util.ModuleDigest = "mu";
  Util.Recipe = 0;
  Util.Shard = "su";
  LinkRecord::Job Prog;
  Prog.Module = "prog.o";
  Prog.Source = "prog.c";
  Prog.What = Outcome::Hit;
  Prog.Key = "kp";
  Prog.Base = "bp";
  Prog.ModuleDigest = "mp";
  Prog.Recipe = 0;
  Prog.Shard = "sp";
  Prog.Parts = {{"util.c", "pu", {0, 1}}};
  Prog.Whole = {"ms"};
  Prog.Carried = {"util.c .llvm.11"};
  LinkRecord::Job Shared;
  Shared.Module = "shared.o";
  Shared.Source = "shared.c";
  Shared.What = Outcome::Hit;
  Shared.Key = "ks";
  Shared.Base = "bs";
  Shared.ModuleDigest = "ms";
  Shared.Recipe = 0;
  Shared.Shard = "ss";
  R.Jobs = {Util, Prog, Shared};
  return R;
}

LinkRecord::Job &job(LinkRecord &R, StringRef Source) {
  for (LinkRecord::Job &J : R.Jobs)
    if (J.Source == Source)
      return J;
  ADD_FAILURE() << "no job " << Source.str();
  return R.Jobs.front();
}

/// \p J missed in \p After with another key (and base).
void missed(LinkRecord &After, StringRef Source, bool SameBase = false) {
  LinkRecord::Job &J = job(After, Source);
  J.What = Outcome::Miss;
  J.Key += "'";
  if (!SameBase)
    J.Base += "'";
}

const JobExplanation &explained(const Explanation &E, StringRef Name) {
  for (const JobExplanation &J : E.Jobs)
    if (J.Name == Name)
      return J;
  ADD_FAILURE() << "no job " << Name.str();
  return E.Jobs.front();
}

std::vector<std::string> texts(ArrayRef<Change> Changes) {
  std::vector<std::string> Out;
  for (const Change &C : Changes)
    Out.push_back(C.Text);
  return Out;
}

using Texts = std::vector<std::string>;

TEST(LinkExplain, NothingChanged) {
  Explanation E = explainLinks(link(), link());
  EXPECT_TRUE(E.ForEveryJob.empty());
  EXPECT_TRUE(E.Gone.empty());
  ASSERT_EQ(E.Jobs.size(), 3u);
  for (const JobExplanation &J : E.Jobs) {
    EXPECT_FALSE(J.missed());
    EXPECT_TRUE(J.Changes.empty());
  }
  EXPECT_EQ(E.After.Hits, 3u);
  EXPECT_EQ(explanationText(E),
            "before: link 1 of /o/a.out: 3 jobs, 3 hits, 0 misses\n"
            "after:  link 1 of /o/a.out: 3 jobs, 3 hits, 0 misses\n");
}

TEST(LinkExplain, ModuleChanged) {
  LinkRecord B = link();
  missed(B, "util.c");
  job(B, "util.c").ModuleDigest = "mu2";
  Explanation E = explainLinks(link(), B);
  const JobExplanation &U = explained(E, "util.c");
  EXPECT_EQ(texts(U.Changes), Texts{"module util.c changed"});
  EXPECT_EQ(U.Changes[0].Kind, "module");
  EXPECT_FALSE(U.SharedChanges);
  EXPECT_EQ(explanationText(E),
            "before: link 1 of /o/a.out: 3 jobs, 3 hits, 0 misses\n"
            "after:  link 1 of /o/a.out: 3 jobs, 2 hits, 1 miss\n"
            "util.c (libu.a(util.o)): miss\n"
            "  module util.c changed\n");
}

TEST(LinkExplain, ModuleCompiledWithOtherSettings) {
  LinkRecord B = link();
  missed(B, "util.c");
  job(B, "util.c").ModuleDigest = "mu2";
  job(B, "util.c").Recipe = 1;
  B.Recipes.push_back("schema=1\nopt-level=3\nfeatures=+a\nmllvm=-x\n");
  Explanation E = explainLinks(link(), B);
  EXPECT_EQ(texts(explained(E, "util.c").Changes),
            Texts{"module util.c changed (compiled with other settings: "
                  "opt-level 2 → 3, features +a +b → +a, mllvm none → -x)"});
}

TEST(LinkExplain, ImportsChanged) {
  LinkRecord B = link();
  missed(B, "prog.c");
  B.Definitions.push_back({"util.c", "util_max", "k1'"});
  B.Definitions.push_back({"util.c", "util_min", "k3"});
  job(B, "prog.c").Parts = {{"util.c", "pu2", {2, 3}}};
  job(B, "prog.c").Shard = "sp2"; // Names the part, so it changes with it.
  Explanation E = explainLinks(link(), B);
  const JobExplanation &P = explained(E, "prog.c");
  EXPECT_EQ(texts(P.Changes),
            (Texts{"imports changed: util_max from util.c",
                   "imports changed: now also util_min from util.c",
                   "imports changed: no longer util_sum from util.c"}));
  EXPECT_EQ(P.Changes[0].Kind, "imports");
}

TEST(LinkExplain, DefinitionsByReadableNames) {
  LinkRecord A = link(), B = link();
  missed(B, "prog.c");
  auto Mangled = [](LinkRecord &R, StringRef Key) {
    R.Definitions = {
        {"util.c",
         "_ZN7leveldb11PutVarint32EPNSt7__cxx1112basic_stringIcSt11char_"
         "traitsIcESaIcEEEj",
         Key.str()},
        {"util.c", "_ZN7leveldb11PutVarint32EPcj", Key.str()},
        {"util.c", "helper.llvm.1234", Key.str()}};
    job(R, "prog.c").Parts = {{"util.c", Key.str(), {0, 1, 2}}};
  };
  Mangled(A, "k");
  Mangled(B, "k'");
  EXPECT_EQ(texts(explained(explainLinks(A, B), "prog.c").Changes),
            Texts{"imports changed: helper and leveldb::PutVarint32 from "
                  "util.c"});
}

TEST(LinkExplain, ImportsFromAnotherModule) {
  LinkRecord A = link(), B = link();
  missed(B, "prog.c");
  job(B, "prog.c").Parts = {{"other.c", "po", {}}};
  B.Definitions = {{"other.c", "f", "k"}};
  job(B, "prog.c").Parts[0].Definitions = {0};
  EXPECT_EQ(texts(explained(explainLinks(A, B), "prog.c").Changes),
            (Texts{"imports changed: now f from other.c",
                   "imports changed: nothing from util.c now"}));
}

TEST(LinkExplain, ImportContextChanged) {
  LinkRecord B = link();
  missed(B, "prog.c");
  job(B, "prog.c").Parts[0].Digest = "pu2";
  EXPECT_EQ(texts(explained(explainLinks(link(), B), "prog.c").Changes),
            Texts{"imports changed: what every importer takes from util.c "
                  "changed (its module flags, named metadata, data layout "
                  "or inline assembly)"});
}

TEST(LinkExplain, ManyNamesAreCut) {
  LinkRecord A = link(), B = link();
  missed(B, "prog.c");
  std::vector<unsigned> DA, DB;
  for (unsigned I = 0; I < 9; ++I) {
    std::string Name = "f" + std::to_string(I);
    A.Definitions.push_back({"util.c", Name, "k"});
    B.Definitions.push_back({"util.c", Name, "k'"});
    DA.push_back(A.Definitions.size() - 1);
    DB.push_back(B.Definitions.size() - 1);
  }
  job(A, "prog.c").Parts[0].Definitions = DA;
  job(B, "prog.c").Parts[0] = {"util.c", "pu2", DB};
  EXPECT_EQ(texts(explained(explainLinks(A, B), "prog.c").Changes),
            Texts{"imports changed: f0, f1, f2, f3, f4, f5 and 3 more from "
                  "util.c"});
}

TEST(LinkExplain, WholeImportedModule) {
  LinkRecord B = link();
  missed(B, "prog.c");
  job(B, "shared.c").ModuleDigest = "ms2";
  missed(B, "shared.c");
  job(B, "prog.c").Whole = {"ms2"};
  Explanation E = explainLinks(link(), B);
  EXPECT_EQ(texts(explained(E, "prog.c").Changes),
            Texts{"imported module shared.c changed"});
  EXPECT_EQ(explained(E, "prog.c").Changes[0].Kind, "imported-module");

  LinkRecord C = link();
  missed(C, "prog.c");
  job(C, "prog.c").Whole = {"mu", "zz"};
  EXPECT_EQ(texts(explained(explainLinks(link(), C), "prog.c").Changes),
            (Texts{"imports changed: now the whole module util.c",
                   "imports changed: no longer the whole module shared.c",
                   "an imported module changed (not one of the link's "
                   "jobs)"}));
}

TEST(LinkExplain, OnlyTheThinLinkChanged) {
  LinkRecord B = link();
  missed(B, "util.c");
  job(B, "util.c").Shard = "su2";
  Explanation E = explainLinks(link(), B);
  const JobExplanation &U = explained(E, "util.c");
  EXPECT_EQ(texts(U.Changes),
            Texts{"what the thin link decided for this module changed "
                  "(imports, internalization, attributes)"});
  EXPECT_EQ(U.Changes[0].Kind, "thin-link");
  // Not said when the module changed (the shard carries its hash).
  job(B, "util.c").ModuleDigest = "mu2";
  EXPECT_EQ(texts(explained(explainLinks(link(), B), "util.c").Changes),
            Texts{"module util.c changed"});
}

TEST(LinkExplain, CarriedModuleHash) {
  LinkRecord B = link();
  missed(B, "prog.c", /*SameBase=*/true);
  job(B, "prog.c").Carried = {"util.c .llvm.22"};
  Explanation E = explainLinks(link(), B);
  const JobExplanation &P = explained(E, "prog.c");
  EXPECT_EQ(texts(P.Changes),
            Texts{"module util.c changed: this object names one of its local "
                  "symbols, whose promoted name carries that module's hash"});
  EXPECT_EQ(P.Changes[0].From, ".llvm.11");
  EXPECT_EQ(P.Changes[0].To, ".llvm.22");
  EXPECT_EQ(P.Changes[0].Kind, "carried-hash");
  job(B, "prog.c").Carried = {};
  EXPECT_EQ(texts(explained(explainLinks(link(), B), "prog.c").Changes),
            Texts{"this object names no local symbol of module util.c now "
                  "(whose promoted names carry that module's hash)"});
}

TEST(LinkExplain, SameKeyEntryGone) {
  LinkRecord A = link(), B = link();
  job(B, "util.c").What = Outcome::Miss;
  EXPECT_EQ(texts(explained(explainLinks(A, B), "util.c").Changes),
            Texts{"same key as in the earlier link: its entry was no longer "
                  "in the local cache (pruned, cleared or found corrupt)"});
  job(A, "util.c").Bypassed = true;
  EXPECT_EQ(texts(explained(explainLinks(A, B), "util.c").Changes),
            Texts{"same key as in the earlier link, which could not store "
                  "its object"});
}

TEST(LinkExplain, NewGoneAndUncachedJobs) {
  LinkRecord A = link(), B = link();
  LinkRecord::Job New = job(B, "util.c");
  New.Module = "strings.o";
  New.Source = "strings.c";
  New.What = Outcome::Miss;
  B.Jobs.push_back(New);
  B.Jobs.erase(B.Jobs.begin() + 2); // shared.c
  LinkRecord::Job &P = job(B, "prog.c");
  LinkRecord::Job Unkeyed;
  Unkeyed.Module = P.Module;
  Unkeyed.Source = P.Source;
  Unkeyed.What = Outcome::Uncached;
  P = Unkeyed;
  Explanation E = explainLinks(A, B);
  EXPECT_EQ(texts(explained(E, "strings.c").Changes),
            Texts{"new job: not in the earlier link"});
  EXPECT_EQ(explained(E, "strings.c").Changes[0].Kind, "new-job");
  EXPECT_EQ(texts(explained(E, "prog.c").Changes),
            Texts{"not keyed in this link: compiled uncached (the link "
                  "warned why)"});
  EXPECT_EQ(E.Gone, Texts{"shared.c"});
  EXPECT_EQ(E.After.Uncached, 1u);
  EXPECT_CONTAINS(explanationText(E), "not in this link: shared.c\n");
  EXPECT_CONTAINS(explanationText(E),
                  "after:  link 1 of /o/a.out: 3 jobs, 1 hit, 1 miss, 1 "
                  "uncached\n");
}

TEST(LinkExplain, MatchedBySourceWhenTheModuleMoved) {
  LinkRecord B = link();
  job(B, "util.c").Module = "build2/util.o";
  missed(B, "util.c");
  job(B, "util.c").ModuleDigest = "mu2";
  Explanation E = explainLinks(link(), B);
  EXPECT_EQ(texts(explained(E, "util.c").Changes),
            Texts{"module util.c changed"});
  EXPECT_TRUE(E.Gone.empty());
}

TEST(LinkExplain, MatchedByModuleWhenTheSourceMoved) {
  LinkRecord B = link();
  job(B, "util.c").Source = "src/util.c";
  missed(B, "src/util.c");
  job(B, "src/util.c").ModuleDigest = "mu2";
  EXPECT_EQ(texts(explained(explainLinks(link(), B), "src/util.c").Changes),
            Texts{"module src/util.c changed"});
}

TEST(LinkExplain, OneSourceTwice) {
  // util.c compiled twice, into two objects: each matched by its module.
  LinkRecord A = link();
  LinkRecord::Job Twin = job(A, "util.c");
  Twin.Module = "util-debug.o";
  Twin.Key = "kd";
  Twin.ModuleDigest = "md";
  A.Jobs.push_back(Twin);
  LinkRecord B = A;
  B.Jobs.back().What = Outcome::Miss;
  B.Jobs.back().Key = "kd2";
  B.Jobs.back().Base = "bd2";
  B.Jobs.back().ModuleDigest = "md2";
  std::reverse(B.Jobs.begin(), B.Jobs.end());
  Explanation E = explainLinks(A, B);
  EXPECT_EQ(texts(explained(E, "util.c (util-debug.o)").Changes),
            Texts{"module util.c changed"});
  EXPECT_FALSE(explained(E, "util.c (libu.a(util.o))").missed());
  EXPECT_CONTAINS(explanationText(E), "\nutil.c (util-debug.o): miss\n");
}

TEST(LinkExplain, SharedChanges) {
  LinkRecord B = link();
  B.LinkFields[1].Value = "-O3";
  B.LinkFields.push_back({"compiler-arg", "-g", ""});
  for (LinkRecord::Job &J : B.Jobs) {
    J.What = Outcome::Miss;
    J.Key += "'";
    J.Base += "'";
  }
  job(B, "util.c").ModuleDigest = "mu2";
  Explanation E = explainLinks(link(), B);
  EXPECT_EQ(texts(E.ForEveryJob),
            (Texts{"argument -O2 → -O3", "argument -g added"}));
  EXPECT_EQ(E.ForEveryJob[0].Kind, "argument");
  EXPECT_EQ(E.ForEveryJob[0].From, "-O2");
  EXPECT_EQ(E.ForEveryJob[0].To, "-O3");
  EXPECT_TRUE(explained(E, "prog.c").SharedChanges);
  EXPECT_TRUE(explained(E, "prog.c").Changes.empty());
  EXPECT_EQ(explanationText(E),
            "before: link 1 of /o/a.out: 3 jobs, 3 hits, 0 misses\n"
            "after:  link 1 of /o/a.out: 3 jobs, 0 hits, 3 misses\n"
            "changed for every job:\n"
            "  argument -O2 → -O3\n"
            "  argument -g added\n"
            "2 misses through these changes alone: prog.c and shared.c\n"
            "util.c (libu.a(util.o)): miss\n"
            "  module util.c changed\n"
            "  and the changes for every job (above)\n");
}

std::vector<std::string> sharedChanges(void (*Edit)(LinkRecord &)) {
  LinkRecord B = link();
  Edit(B);
  return texts(explainLinks(link(), B).ForEveryJob);
}

TEST(LinkExplain, EachSharedField) {
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.CompilerExecutable = "c2";
              B.CompilerVersion =
                  "Debian clang version 22.1.9 (1~deb12u1)\nTarget: x";
            }),
            Texts{"compiler changed (22.1.8 → 22.1.9)"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) { B.CompilerExecutable = "c2"; }),
            Texts{"compiler changed (another executable, version 22.1.8 both "
                  "times)"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.CompilerVersion = "Ubuntu clang version 22.1.8\nTarget: x";
            }),
            Texts{"compiler changed (Debian clang version 22.1.8 (1~deb12u1) "
                  "→ Ubuntu clang version 22.1.8)"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) { B.KeyRecipe = "dtlto-job/3"; }),
            Texts{"ltocache keys jobs another way (key recipe dtlto-job/2 → "
                  "dtlto-job/3)"});
  EXPECT_EQ(
      sharedChanges([](LinkRecord &B) {
        B.LinkFields[3].Value = "SDKROOT=/sdk2";
        B.LinkFields.push_back({"environment", "CCC_OVERRIDE_OPTIONS=+-g", ""});
      }),
      (Texts{"environment variable SDKROOT changed ('/sdk' → '/sdk2')",
             "environment variable CCC_OVERRIDE_OPTIONS set ('+-g')"}));
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields.erase(B.LinkFields.begin() + 3);
            }),
            Texts{"environment variable SDKROOT unset (was '/sdk')"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields[4].Value = "ccache=blake3:bb";
            }),
            Texts{"launcher ccache changed"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields[5].Value = "libLLVM.so.22.1=build-id:12";
              B.LinkFields.push_back({"compiler-library", "libz.so.1=x", ""});
            }),
            (Texts{"compiler library libLLVM.so.22.1 changed",
                   "compiler library libz.so.1 added"}));
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields.erase(B.LinkFields.begin() + 6);
            }),
            Texts{"configuration file clang.cfg removed"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields.push_back({"response-file", "args.rsp=aa", ""});
              B.LinkFields.push_back({"config-arg", "-O3", ""});
            }),
            (Texts{"response file args.rsp added",
                   "configuration option -O3 added"}));
  // The profile's content: one change, whichever fields it is in.
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields[7].Value = "-fprofile-sample-use=p2";
              B.LinkFields[8].Value = "p2";
            }),
            Texts{"file prof.txt changed"});
  // Its name is not keyed: another name, same content, no change.
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields[7].File = B.LinkFields[8].File = "other.txt";
            }),
            Texts{});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields.push_back({"host-cpu", "znver3,+avx2", ""});
            }),
            Texts{"host CPU changed (none → znver3)"});
  EXPECT_EQ(sharedChanges([](LinkRecord &B) {
              B.LinkFields[1].Value = "-O3";
              B.LinkFields.erase(B.LinkFields.begin() + 2);
            }),
            (Texts{"argument -O2 → -O3", "argument -fpic removed"}));
}

TEST(LinkExplain, AJobsOwnArguments) {
  LinkRecord A = link(), B = link();
  job(A, "util.c").Fields = {{"compiler-arg", "-mllvm=-a", ""}};
  job(B, "util.c").Fields = {{"compiler-arg", "-mllvm=-b", ""}};
  missed(B, "util.c");
  EXPECT_EQ(texts(explained(explainLinks(A, B), "util.c").Changes),
            Texts{"argument -mllvm=-a → -mllvm=-b"});
}

TEST(LinkExplain, JSON) {
  LinkRecord B = link();
  B.Id = "2";
  missed(B, "util.c");
  job(B, "util.c").ModuleDigest = "mu2";
  job(B, "util.c").What = Outcome::RemoteHit;
  B.LinkFields[1].Value = "-O3";
  std::string Text =
      formatv("{0}", explanationJSON(explainLinks(link(), B))).str();
  std::string Before = R"("before":{"from_remote":0,"hits":3,"id":"1",)";
  std::string After = R"("after":{"from_remote":1,"hits":2,"id":"2",)";
  std::string Shared = R"("changed_for_every_job":[{"from":"-O2",)"
                       R"("kind":"argument","text":"argument -O2 → -O3",)"
                       R"("to":"-O3"}])";
  std::string Util = R"({"changed_for_every_job":true,"changes":[{"kind":)"
                     R"("module","text":"module util.c changed"}],"module":)"
                     R"x("libu.a(util.o)","name":"util.c","outcome":)x"
                     R"("remote hit","source":"util.c"})";
  std::string Prog = R"({"module":"prog.o","name":"prog.c","outcome":)"
                     R"("hit","source":"prog.c"})";
  for (const std::string &Part : {Before, After, Shared, Util, Prog})
    EXPECT_CONTAINS(Text, Part);
}

} // namespace
