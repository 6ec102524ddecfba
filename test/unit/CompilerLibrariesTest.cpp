//===- CompilerLibrariesTest.cpp - The compiler's own shared libraries ----===//

#include "Key/CompilerLibraries.h"
#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"

using namespace llvm;
using namespace ltocache;
using namespace ltocache::test;

namespace {

/// Debian's clang: a small program with its code in libclang-cpp and
/// libLLVM, found through DT_RUNPATH $ORIGIN/../lib.
const std::string Clang = LTOCACHE_LLVM_TOOLS_DIR "/clang";

std::vector<std::string> names(const CompilerLibraries &L) {
  std::vector<std::string> Out;
  for (const CompilerLibrary &Lib : L.Libraries)
    Out.push_back(Lib.Name);
  return Out;
}

TEST(CompilerLibraries, TheCompilersOwnNotTheSystems) {
  auto L = findCompilerLibraries(Clang, Environment());
  ASSERT_TRUE(bool(L)) << errorMessage(L);
  std::vector<std::string> N = names(*L);
  ASSERT_EQ(N.size(), 2u);
  EXPECT_TRUE(StringRef(N[0]).starts_with("libclang-cpp.so"));
  EXPECT_TRUE(StringRef(N[1]).starts_with("libLLVM.so"));
  ASSERT_FALSE(L->Searched.empty());
  EXPECT_TRUE(
      sys::fs::equivalent(L->Searched[0], LTOCACHE_LLVM_TOOLS_DIR "/../lib"));

  // LD_LIBRARY_PATH comes before DT_RUNPATH.
  TempDir T;
  std::string Fake = T.sub(N[1]);
  writeFile(Fake, "not a library");
  Environment E;
  E.set("LD_LIBRARY_PATH", T.path());
  auto Moved = findCompilerLibraries(Clang, E);
  ASSERT_TRUE(bool(Moved)) << errorMessage(Moved);
  ASSERT_EQ(Moved->Libraries.size(), 2u);
  EXPECT_EQ(Moved->Libraries[1].Path, Fake);
  EXPECT_EQ(Moved->Searched[0], T.path());
}

TEST(CompilerLibraries, NoneForAScript) {
  TempDir T;
  writeFile(T.sub("wrapper.sh"), "#!/bin/sh\nexec clang \"$@\"\n");
  auto L = findCompilerLibraries(T.sub("wrapper.sh"), Environment());
  ASSERT_TRUE(bool(L)) << errorMessage(L);
  EXPECT_TRUE(L->Libraries.empty());
}

TEST(CompilerLibraries, IdentifiedByBuildIdElseContent) {
  auto L = findCompilerLibraries(Clang, Environment());
  ASSERT_TRUE(bool(L) && !L->Libraries.empty()) << errorMessage(L);
  auto Id = libraryIdentity(L->Libraries.back().Path);
  ASSERT_TRUE(bool(Id)) << errorMessage(Id);
  EXPECT_TRUE(StringRef(*Id).starts_with("build-id:")) << *Id;
  EXPECT_GT(Id->size(), strlen("build-id:") + 16);

  TempDir T;
  writeFile(T.sub("plain"), "bytes");
  auto Plain = libraryIdentity(T.sub("plain"));
  ASSERT_TRUE(bool(Plain)) << errorMessage(Plain);
  EXPECT_EQ(*Plain, "blake3:" + toHex(hashBytes("bytes")));
}

} // namespace
