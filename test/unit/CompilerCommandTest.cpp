//===- CompilerCommandTest.cpp - What lld's command runs ------------------===//

#include "Key/CompilerCommand.h"
#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"

using namespace llvm;
using namespace ltocache;
using namespace ltocache::test;

namespace {

/// A directory of stand-in programs: executable scripts that do nothing.
class Programs {
public:
  std::string add(StringRef Dir, StringRef Name) {
    std::string D = T.sub(Dir);
    EXPECT_FALSE(sys::fs::create_directories(D));
    std::string P = D + "/" + Name.str();
    writeFile(P, "#!/bin/sh\n");
    EXPECT_FALSE(sys::fs::setPermissions(
        P, sys::fs::all_exe | sys::fs::owner_read | sys::fs::owner_write));
    return P;
  }
  /// \p Dir/\p Name, a symbolic link to \p Target.
  std::string link(StringRef Dir, StringRef Name, StringRef Target) {
    std::string D = T.sub(Dir);
    EXPECT_FALSE(sys::fs::create_directories(D));
    std::string P = D + "/" + Name.str();
    EXPECT_FALSE(sys::fs::create_link(Target, P));
    return P;
  }
  std::string dir(StringRef Dir) { return T.sub(Dir); }

private:
  TempDir T;
};

/// lld's own arguments, after the compiler and its prepend arguments.
std::vector<std::string> withLldArgs(std::vector<std::string> Prefix) {
  for (const char *A : {"-c", "--target=x86_64-pc-linux-gnu", "-O2"})
    Prefix.push_back(A);
  return Prefix;
}

Environment pathOnly(StringRef Path) {
  Environment E;
  E.set("PATH", Path);
  return E;
}

TEST(CompilerCommand, LldArgumentsStartAtTheCBeforeTheTarget) {
  EXPECT_EQ(lldArgumentsStart(withLldArgs({"clang"})), 1u);
  // A prepend argument "-c" is the launcher's, not lld's.
  EXPECT_EQ(lldArgumentsStart(withLldArgs({"env", "clang", "-c"})), 3u);
  // Not lld's layout: everything after the program is the compiler's.
  EXPECT_EQ(lldArgumentsStart({"clang", "-O2", "-c"}), 1u);
}

TEST(CompilerCommand, ACompilerIsFoundOnThePathItIsRunWith) {
  Programs P;
  std::string Clang = P.add("b", "clang");
  P.add("a", "other");
  auto C = resolveCompilerCommand(withLldArgs({"clang"}),
                                  pathOnly(P.dir("a") + ":" + P.dir("b")));
  ASSERT_TRUE(bool(C)) << errorMessage(C);
  EXPECT_EQ(C->Compiler.Path, Clang);
  EXPECT_EQ(C->Compiler.Word, "clang");
  EXPECT_TRUE(C->Launchers.empty());
  EXPECT_EQ(C->Args, withLldArgs({}));
  EXPECT_EQ(C->NotUnderstood, "");

  auto Missing =
      resolveCompilerCommand(withLldArgs({"clang"}), pathOnly(P.dir("a")));
  EXPECT_CONTAINS(errorMessage(Missing), "'clang' not found on PATH");
}

TEST(CompilerCommand, EnvRunsTheCompilerInTheEnvironmentItMakes) {
  Programs P;
  std::string Env = P.add("bin", "env");
  P.add("first", "clang");
  std::string Second = P.add("second", "clang");
  Environment Before = pathOnly(P.dir("first"));
  Before.set("CCC_OVERRIDE_OPTIONS", "+-O0");
  Before.set("KEPT", "1");
  auto C = resolveCompilerCommand(
      withLldArgs({Env, "-u", "CCC_OVERRIDE_OPTIONS", "--unset=NONE", "FOO=bar",
                   "PATH=" + P.dir("second"), "clang", "--config=x.cfg"}),
      Before);
  ASSERT_TRUE(bool(C)) << errorMessage(C);
  ASSERT_EQ(C->Launchers.size(), 1u);
  EXPECT_EQ(C->Launchers[0].first, LauncherKind::Env);
  EXPECT_EQ(C->Launchers[0].second.Path, Env);
  // Found on the PATH env set, not the one it was given.
  EXPECT_EQ(C->Compiler.Path, Second);
  EXPECT_EQ(C->Compiler.Word, "clang");
  EXPECT_EQ(C->Args, withLldArgs({"--config=x.cfg"}));
  EXPECT_FALSE(C->Env.get("CCC_OVERRIDE_OPTIONS"));
  EXPECT_EQ(C->Env.get("FOO").value_or(""), "bar");
  EXPECT_EQ(C->Env.get("KEPT").value_or(""), "1");
  EXPECT_EQ(C->NotUnderstood, "");
  EXPECT_EQ(C->MayRunElsewhere, "");

  // -i: nothing but the assignments.
  auto I = resolveCompilerCommand(
      withLldArgs({Env, "-i", "PATH=" + P.dir("second"), "clang"}), Before);
  ASSERT_TRUE(bool(I)) << errorMessage(I);
  EXPECT_EQ(I->Env.entries(),
            std::vector<std::string>{"PATH=" + P.dir("second")});
  EXPECT_EQ(I->Compiler.Path, Second);
}

TEST(CompilerCommand, AnEnvOptionNotUnderstoodLeavesEnvAsTheCompiler) {
  Programs P;
  std::string Env = P.add("bin", "env");
  std::string Clang = P.add("tools", "clang");
  auto C = resolveCompilerCommand(withLldArgs({Env, "-C", "/tmp", "clang"}),
                                  pathOnly(P.dir("tools")));
  ASSERT_TRUE(bool(C)) << errorMessage(C);
  EXPECT_TRUE(C->Launchers.empty());
  EXPECT_EQ(C->Compiler.Path, Env);
  EXPECT_CONTAINS(C->NotUnderstood, "env option '-C'");
  // What it may run is still identified.
  ASSERT_EQ(C->Named.size(), 1u);
  EXPECT_EQ(C->Named[0].Path, Clang);
}

TEST(CompilerCommand, CcacheFindsTheCompilerPastItsOwnLinks) {
  Programs P;
  std::string Ccache = P.add("bin", "ccache");
  std::string Link = P.link("masq", "clang", Ccache);
  std::string Real = P.add("llvm", "clang");
  Environment E = pathOnly(P.dir("masq") + ":" + P.dir("llvm"));

  // Named as the launcher.
  auto Direct = resolveCompilerCommand(withLldArgs({Ccache, "clang"}), E);
  ASSERT_TRUE(bool(Direct)) << errorMessage(Direct);
  ASSERT_EQ(Direct->Launchers.size(), 1u);
  EXPECT_EQ(Direct->Launchers[0].first, LauncherKind::Ccache);
  EXPECT_EQ(Direct->Compiler.Path, Real);
  EXPECT_EQ(Direct->Args, withLldArgs({}));

  // Masquerading as clang, first on PATH.
  auto Masq = resolveCompilerCommand(withLldArgs({"clang"}), E);
  ASSERT_TRUE(bool(Masq)) << errorMessage(Masq);
  ASSERT_EQ(Masq->Launchers.size(), 1u);
  EXPECT_EQ(Masq->Launchers[0].first, LauncherKind::Ccache);
  EXPECT_EQ(Masq->Launchers[0].second.Path, Link);
  EXPECT_EQ(Masq->Compiler.Path, Real);
  EXPECT_EQ(Masq->Compiler.Word, "clang");
  EXPECT_EQ(Masq->MayRunElsewhere, "");

  // Its own settings: another compiler, another program in front of it.
  std::string Other = P.add("other", "clang-22");
  E.set("CCACHE_COMPILER", Other);
  E.set("CCACHE_PREFIX", "distcc");
  auto Set = resolveCompilerCommand(withLldArgs({Ccache, "clang"}), E);
  ASSERT_TRUE(bool(Set)) << errorMessage(Set);
  EXPECT_EQ(Set->Compiler.Path, Other);
  EXPECT_CONTAINS(Set->MayRunElsewhere, "CCACHE_PREFIX 'distcc'");
}

TEST(CompilerCommand, DistccMayCompileElsewhere) {
  Programs P;
  std::string Distcc = P.add("bin", "distcc");
  std::string Real = P.add("llvm", "clang");
  auto C = resolveCompilerCommand(withLldArgs({Distcc, "clang"}),
                                  pathOnly(P.dir("llvm")));
  ASSERT_TRUE(bool(C)) << errorMessage(C);
  EXPECT_EQ(C->Compiler.Path, Real);
  EXPECT_CONTAINS(C->MayRunElsewhere, "distcc may compile on another machine");
}

TEST(CompilerCommand, AnUnknownProgramNamesWhatItMayRun) {
  Programs P;
  std::string Wrap = P.add("bin", "sandbox");
  std::string Clang = P.add("llvm", "clang");
  auto C = resolveCompilerCommand(
      withLldArgs({Wrap, "--quiet", "clang", "x.c"}), pathOnly(P.dir("llvm")));
  ASSERT_TRUE(bool(C)) << errorMessage(C);
  EXPECT_EQ(C->Compiler.Path, Wrap);
  EXPECT_EQ(C->Args, withLldArgs({"--quiet", "clang", "x.c"}));
  ASSERT_EQ(C->Named.size(), 1u);
  EXPECT_EQ(C->Named[0].Word, "clang");
  EXPECT_EQ(C->Named[0].Path, Clang);
  EXPECT_CONTAINS(C->NotUnderstood, "may run programs named");

  // A compiler with prepend arguments of its own runs nothing else.
  auto Own = resolveCompilerCommand(withLldArgs({Clang, "--config=x.cfg"}),
                                    pathOnly(P.dir("llvm")));
  ASSERT_TRUE(bool(Own)) << errorMessage(Own);
  EXPECT_EQ(Own->NotUnderstood, "");
  EXPECT_TRUE(Own->Named.empty());
}

} // namespace
