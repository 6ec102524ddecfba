//===- DriverFilesTest.cpp - Arguments clang's driver reads from files ----===//

#include "Key/DriverFiles.h"
#include "Key/DriverEnvironment.h"
#include "TestUtil.h"

using namespace llvm;
using namespace ltocache;
using namespace ltocache::test;

namespace {

std::vector<std::string> names(const DriverFileArgs &A) {
  std::vector<std::string> Out;
  for (const auto &[Path, D] : A.Files)
    Out.push_back(sys::path::filename(Path).str());
  return Out;
}

TEST(DriverFiles, AConfigFilePullsInFilesBesideItAndInTheSearchDirs) {
  TempDir T;
  ASSERT_FALSE(sys::fs::create_directories(T.sub("cfg")));
  ASSERT_FALSE(sys::fs::create_directories(T.sub("user")));
  writeFile(T.sub("cfg/clang.cfg"),
            "# a comment\n-O1 @inc.cfg\n-fprofile-sample-use=<CFGDIR>/p.prof\n"
            "--config=shared.cfg\n");
  writeFile(T.sub("cfg/inc.cfg"), "-fno-unroll-loops\n");
  writeFile(T.sub("user/shared.cfg"), "-mrelax-all\n");
  auto A = readDriverConfigFile(T.sub("cfg/clang.cfg"),
                                {T.sub("user"), "", T.sub("cfg")});
  ASSERT_TRUE(bool(A)) << errorMessage(A);
  EXPECT_EQ(A->Args,
            (std::vector<std::string>{
                "-O1", "-fno-unroll-loops",
                "-fprofile-sample-use=" + T.sub("cfg/p.prof"), "-mrelax-all"}));
  EXPECT_EQ(names(*A),
            (std::vector<std::string>{"clang.cfg", "inc.cfg", "shared.cfg"}));
  // The digest is the content's.
  EXPECT_EQ(A->Files[1].second, hashBytes("-fno-unroll-loops\n"));

  // A file it names that is not there: an error, as clang's.
  writeFile(T.sub("cfg/broken.cfg"), "@missing.cfg\n");
  auto B = readDriverConfigFile(T.sub("cfg/broken.cfg"), {});
  EXPECT_CONTAINS(errorMessage(B), "missing.cfg");
}

TEST(DriverFiles, ResponseFilesAreExpandedWhereTheyExist) {
  TempDir T;
  writeFile(T.sub("opts.rsp"), "-O1 \"-DA=b c\" @" + T.sub("more.rsp") + "\n");
  writeFile(T.sub("more.rsp"), "-mrelax-all\n");
  auto A = expandDriverResponseFiles(
      {"-c", "@" + T.sub("opts.rsp"), "@" + T.sub("absent.rsp")},
      /*CLMode=*/false);
  ASSERT_TRUE(bool(A)) << errorMessage(A);
  // An @file that does not exist stays an argument, as in clang.
  EXPECT_EQ(A->Args,
            (std::vector<std::string>{"-c", "-O1", "-DA=b c", "-mrelax-all",
                                      "@" + T.sub("absent.rsp")}));
  EXPECT_EQ(names(*A), (std::vector<std::string>{"opts.rsp", "more.rsp"}));

  auto None = expandDriverResponseFiles({"-c", "-O2"}, false);
  ASSERT_TRUE(bool(None)) << errorMessage(None);
  EXPECT_EQ(None->Args, (std::vector<std::string>{"-c", "-O2"}));
  EXPECT_TRUE(None->Files.empty());
}

TEST(DriverEnvironment, OnlyTheDriversVariablesSetAtAll) {
  Environment E;
  E.set("PATH", "/bin");
  E.set("CCC_OVERRIDE_OPTIONS", "+-O0");
  E.set("SDKROOT", ""); // Set, if empty: the compiler sees it.
  E.set("HOME", "/home/x");
  EXPECT_EQ(
      driverEnvironment(E),
      (std::vector<std::string>{"CCC_OVERRIDE_OPTIONS=+-O0", "SDKROOT="}));
  // Sorted by name, so the key does not depend on the environment's order.
  std::vector<StringRef> Names(driverEnvironmentVariables().begin(),
                               driverEnvironmentVariables().end());
  EXPECT_TRUE(llvm::is_sorted(Names));
}

} // namespace
