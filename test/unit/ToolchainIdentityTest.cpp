//===- ToolchainIdentityTest.cpp - The probe and its memo -----------------===//

#include "Key/ToolchainIdentity.h"
#include "TestUtil.h"

#include "llvm/Support/Chrono.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;
using namespace ltocache;
using namespace ltocache::test;

namespace {

/// Sets \p Path's modification time an hour back: settled, as a file
/// installed long ago.
void settle(const std::string &Path) {
  int FD = ::open(Path.c_str(), O_RDONLY);
  ASSERT_GE(FD, 0) << Path;
  auto Old = std::chrono::system_clock::now() - std::chrono::hours(1);
  EXPECT_FALSE(sys::fs::setLastAccessAndModificationTime(
      FD, sys::toTimePoint(std::chrono::system_clock::to_time_t(Old))));
  ::close(FD);
}

/// A stand-in for clang: answers the probe as clang does, counting runs.
struct FakeCompiler {
  TempDir T;
  std::string Bin = T.sub("bin");
  std::string Path = Bin + "/clang";
  std::string Runs = T.sub("runs");
  std::string Memo = T.sub("memo");

  FakeCompiler() {
    EXPECT_FALSE(sys::fs::create_directories(Bin));
    writeFile(Path, "#!/bin/sh\necho \"$*\" >> " + Runs +
                        "\necho '### CCC_OVERRIDE_OPTIONS: x' >&2"
                        "\necho 'clang version 99.0.0' >&2"
                        "\necho 'Target: x86_64-unknown-linux-gnu' >&2"
                        "\necho 'InstalledDir: " +
                        Bin +
                        "' >&2"
                        "\n[ -f " +
                        Bin + "/clang.cfg ] && echo 'Configuration file: " +
                        Bin + "/clang.cfg' >&2\nexit 0\n");
    EXPECT_FALSE(sys::fs::setPermissions(
        Path, sys::fs::all_exe | sys::fs::owner_read | sys::fs::owner_write));
    settle(Path);
    settle(Bin);
  }

  std::vector<std::string> args() const {
    return {Path, "-c", "--target=x86_64-unknown-linux-gnu", "-O2"};
  }

  /// How many times it ran.
  size_t runs() const {
    auto B = MemoryBuffer::getFile(Runs);
    return B ? StringRef((*B)->getBuffer()).count('\n') : 0;
  }

  Expected<ToolchainIdentity> identify(const Environment &E,
                                       bool *Ran = nullptr) {
    auto C = resolveCompilerCommand(args(), E);
    if (!C)
      return C.takeError();
    return computeToolchainIdentity(*C, args(), Memo, [&] {
      if (Ran)
        *Ran = true;
    });
  }
};

TEST(ToolchainIdentity, TheProbeSaysWhatRunsAndWhatItReads) {
  FakeCompiler F;
  bool Ran = false;
  auto T = F.identify(Environment(), &Ran);
  ASSERT_TRUE(bool(T)) << errorMessage(T);
  EXPECT_TRUE(Ran);
  EXPECT_EQ(F.runs(), 1u);
  auto D = hashFile(F.Path);
  ASSERT_TRUE(bool(D));
  // What CCC_OVERRIDE_OPTIONS printed is no part of the version.
  EXPECT_EQ(T->Compiler, "blake3:" + toHex(*D) +
                             "\nclang version 99.0.0\nTarget: "
                             "x86_64-unknown-linux-gnu\nInstalledDir: " +
                             F.Bin + "\n");
  EXPECT_EQ(T->InstalledDir, F.Bin);
  EXPECT_TRUE(T->ConfigFiles.empty());
  EXPECT_EQ(T->ConfigSearchDirs, (std::vector<std::string>{"", "", F.Bin}));
  // The probe is lld's command with "-v -###".
  auto Log = MemoryBuffer::getFile(F.Runs);
  ASSERT_TRUE(bool(Log));
  EXPECT_CONTAINS((*Log)->getBuffer().str(), "-O2 -v -### -x ir /dev/null");
}

TEST(ToolchainIdentity, RememberedUntilWhatItDependsOnChanges) {
  FakeCompiler F;
  ASSERT_TRUE(bool(F.identify(Environment())));
  bool Ran = false;
  auto Again = F.identify(Environment(), &Ran);
  ASSERT_TRUE(bool(Again)) << errorMessage(Again);
  EXPECT_FALSE(Ran);
  EXPECT_EQ(F.runs(), 1u);

  // A configuration file appears beside the compiler: the directory
  // changed, the compiler is asked again.
  writeFile(F.Bin + "/clang.cfg", "-O1\n");
  auto WithConfig = F.identify(Environment());
  ASSERT_TRUE(bool(WithConfig)) << errorMessage(WithConfig);
  EXPECT_EQ(F.runs(), 2u);
  EXPECT_EQ(WithConfig->ConfigFiles,
            std::vector<std::string>{F.Bin + "/clang.cfg"});
  // Changed just now: not remembered, in case it changes again within the
  // same timestamp.
  ASSERT_TRUE(bool(F.identify(Environment())));
  EXPECT_EQ(F.runs(), 3u);
  settle(F.Bin);
  ASSERT_TRUE(bool(F.identify(Environment())));
  ASSERT_TRUE(bool(F.identify(Environment())));
  EXPECT_EQ(F.runs(), 4u);

  // What the driver reads from the environment is part of the memo key.
  Environment Home;
  Home.set("HOME", "/elsewhere");
  ASSERT_TRUE(bool(F.identify(Home)));
  EXPECT_EQ(F.runs(), 5u);
  Environment Override;
  Override.set("CCC_OVERRIDE_OPTIONS", "+-O1");
  ASSERT_TRUE(bool(F.identify(Override)));
  EXPECT_EQ(F.runs(), 6u);

  // The compiler itself changed (another stat signature).
  writeFile(F.Path, "#!/bin/sh\nexit 1\n");
  auto Broken = F.identify(Environment());
  EXPECT_CONTAINS(errorMessage(Broken), "-v -### -x ir /dev/null' failed");
}

TEST(ToolchainIdentity, NotAClang) {
  TempDir T;
  std::string Path = T.sub("cc");
  writeFile(Path, "#!/bin/sh\necho 'gcc (Debian) 12' >&2\n");
  ASSERT_FALSE(sys::fs::setPermissions(Path, sys::fs::all_all));
  std::vector<std::string> Args = {Path, "-c", "--target=x", "-O2"};
  auto C = resolveCompilerCommand(Args, Environment());
  ASSERT_TRUE(bool(C)) << errorMessage(C);
  auto Id = computeToolchainIdentity(*C, Args, "");
  EXPECT_CONTAINS(errorMessage(Id), "printed no 'InstalledDir:' line");
}

} // namespace
