#include "Store/DigestTable.h"
#include "Key/FileDigests.h"
#include "Support/FileSystem.h"

#include "TestUtil.h"

#include <fcntl.h>
#include <sys/stat.h>

using namespace ltocache;
using namespace ltocache::test;
using namespace std::chrono;

namespace {

/// A link started \p Ahead from now: with 10 s every file written by the
/// test counts as settled, with 0 none does.
std::unique_ptr<FileDigests> digestsAt(DigestMemo *M, seconds Ahead) {
  auto F = std::make_unique<FileDigests>();
  F->useMemo(M, system_clock::now() + Ahead);
  return F;
}

Digest digestOf(FileDigests &F, const std::string &Path) {
  auto D = F.get(Path);
  EXPECT_TRUE(bool(D)) << toString(D.takeError());
  return D ? *D : Digest();
}

std::unique_ptr<FileSystem> realFS() { return cantFail(createFileSystem("")); }

struct DigestTableTest : ::testing::Test {
  TempDir Dir;
  std::unique_ptr<FileSystem> FS = realFS();
  std::string Root = Dir.sub("v1");
  std::string Input = Dir.sub("m.o");
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::create_directories(Root + "/tmp"));
    writeFile(Input, "module one");
  }
  std::unique_ptr<DigestTable> load(llvm::StringRef Cwd = "/work") {
    return DigestTable::load(Root, "/out/prog", Cwd, *FS);
  }
};

TEST_F(DigestTableTest, RemembersSettledFilesAcrossLinks) {
  {
    auto T = load();
    auto F = digestsAt(T.get(), seconds(10));
    EXPECT_EQ(digestOf(*F, Input), hashBytes("module one"));
    ASSERT_FALSE(bool(T->save()));
  }
  // The next link finds it by its signature (even a chmod would change
  // that: the change time moves).
  struct stat St;
  ASSERT_EQ(::stat(Input.c_str(), &St), 0);
  auto T = load();
  EXPECT_EQ(T->find(Input, FileSignature::of(St)), hashBytes("module one"));
  ASSERT_EQ(::chmod(Input.c_str(), 0600), 0);
  ASSERT_EQ(::stat(Input.c_str(), &St), 0);
  EXPECT_FALSE(T->find(Input, FileSignature::of(St)));
}

TEST_F(DigestTableTest, ARewriteWithTheSameSizeAndTimeIsHashedAgain) {
  auto T = load();
  {
    auto F = digestsAt(T.get(), seconds(10));
    EXPECT_EQ(digestOf(*F, Input), hashBytes("module one"));
  }
  struct stat Before;
  ASSERT_EQ(::stat(Input.c_str(), &Before), 0);
  // Same size, modification time put back: only the change time moves.
  writeFile(Input, "module two");
  struct timespec Times[2] = {Before.st_atim, Before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, Input.c_str(), Times, 0), 0);
  auto F = digestsAt(T.get(), seconds(10));
  EXPECT_EQ(digestOf(*F, Input), hashBytes("module two"));
}

TEST_F(DigestTableTest, UnsettledFilesAreNotRemembered) {
  auto T = load();
  auto F = digestsAt(T.get(), seconds(0));
  EXPECT_EQ(digestOf(*F, Input), hashBytes("module one"));
  ASSERT_FALSE(bool(T->save()));
  EXPECT_FALSE(llvm::sys::fs::exists(T->path()));
}

TEST_F(DigestTableTest, ADamagedOrForeignTableIsIgnored) {
  {
    auto T = load();
    auto F = digestsAt(T.get(), seconds(10));
    digestOf(*F, Input);
    ASSERT_FALSE(bool(T->save()));
  }
  struct stat St;
  ASSERT_EQ(::stat(Input.c_str(), &St), 0);
  FileSignature S = FileSignature::of(St);
  // Another working directory: relative paths would mean other files.
  EXPECT_FALSE(load("/elsewhere")->find(Input, S));
  // One digit of the digest changed: the checksum no longer holds.
  auto Text = cantFail(errorOrToExpected(
      llvm::MemoryBuffer::getFile(digestTablePath(Root, "/out/prog"))));
  std::string Bad = Text->getBuffer().str();
  size_t At = Bad.find(toHex(hashBytes("module one")));
  ASSERT_NE(At, std::string::npos);
  Bad[At] = Bad[At] == '0' ? '1' : '0';
  writeFile(digestTablePath(Root, "/out/prog"), Bad);
  EXPECT_FALSE(load()->find(Input, S));
}

TEST_F(DigestTableTest, KeepsOnlyThisLinksInputsAndWritesOnlyOnChange) {
  std::string Other = Dir.sub("n.o");
  writeFile(Other, "module n");
  {
    auto T = load();
    auto F = digestsAt(T.get(), seconds(10));
    digestOf(*F, Input);
    digestOf(*F, Other);
    ASSERT_FALSE(bool(T->save()));
  }
  struct stat St;
  ASSERT_EQ(::stat(digestTablePath(Root, "/out/prog").c_str(), &St), 0);
  {
    // The same inputs, all found: nothing is written.
    auto T = load();
    auto F = digestsAt(T.get(), seconds(10));
    digestOf(*F, Input);
    digestOf(*F, Other);
    ASSERT_FALSE(bool(T->save()));
    struct stat After;
    ASSERT_EQ(::stat(T->path().c_str(), &After), 0);
    EXPECT_EQ(After.st_ino, St.st_ino);
  }
  {
    // One input fewer: the table is rewritten without it.
    auto T = load();
    auto F = digestsAt(T.get(), seconds(10));
    digestOf(*F, Input);
    ASSERT_FALSE(bool(T->save()));
  }
  struct stat OtherSt;
  ASSERT_EQ(::stat(Other.c_str(), &OtherSt), 0);
  EXPECT_FALSE(load()->find(Other, FileSignature::of(OtherSt)));
}

} // namespace
