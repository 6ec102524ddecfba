#include "MemoizingFileSystem.h"

#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <thread>
#include <vector>

using namespace ltocache;
using namespace ltocache::test;

namespace {

void touchFile(const std::string &Path) {
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  ASSERT_FALSE(EC) << Path;
}

std::vector<std::string> list(llvm::vfs::FileSystem &FS, llvm::StringRef Dir) {
  std::vector<std::string> Names;
  std::error_code EC;
  for (llvm::vfs::directory_iterator I = FS.dir_begin(Dir, EC), End;
       !EC && I != End; I.increment(EC))
    Names.push_back(llvm::sys::path::filename(I->path()).str());
  std::sort(Names.begin(), Names.end());
  return Names;
}

TEST(MemoizingFileSystem, StatusIsRememberedWithItsAnswer) {
  TempDir Dir("ltocache-memofs");
  auto FS = createMemoizingFileSystem(llvm::vfs::getRealFileSystem());
  std::string Present = Dir.sub("present"), Later = Dir.sub("later");
  touchFile(Present);
  EXPECT_TRUE(FS->exists(Present));
  EXPECT_FALSE(FS->exists(Later));
  // The real filesystem changes; the memo's answers do not.
  touchFile(Later);
  ASSERT_FALSE(llvm::sys::fs::remove(Present));
  EXPECT_TRUE(FS->exists(Present));
  EXPECT_FALSE(FS->exists(Later));
  // A fresh memo sees the change.
  auto Fresh = createMemoizingFileSystem(llvm::vfs::getRealFileSystem());
  EXPECT_FALSE(Fresh->exists(Present));
  EXPECT_TRUE(Fresh->exists(Later));
}

TEST(MemoizingFileSystem, ListingsAreRememberedAndComplete) {
  TempDir Dir("ltocache-memofs");
  for (const char *N : {"a", "b", "c"})
    touchFile(Dir.sub(N));
  auto FS = createMemoizingFileSystem(llvm::vfs::getRealFileSystem());
  std::vector<std::string> Want = {"a", "b", "c"};
  EXPECT_EQ(list(*FS, Dir.path()), Want);
  touchFile(Dir.sub("d"));
  EXPECT_EQ(list(*FS, Dir.path()), Want); // From memory, twice over.
  EXPECT_EQ(list(*FS, Dir.path()), Want);
  EXPECT_EQ(list(*llvm::vfs::getRealFileSystem(), Dir.path()).size(), 4u);
}

TEST(MemoizingFileSystem, MissingDirectoryKeepsItsError) {
  TempDir Dir("ltocache-memofs");
  auto FS = createMemoizingFileSystem(llvm::vfs::getRealFileSystem());
  for (int I = 0; I < 2; ++I) {
    std::error_code EC;
    llvm::vfs::directory_iterator It = FS->dir_begin(Dir.sub("none"), EC);
    EXPECT_TRUE(bool(EC));
    EXPECT_EQ(It, llvm::vfs::directory_iterator());
  }
  std::error_code EC;
  ASSERT_FALSE(llvm::sys::fs::create_directory(Dir.sub("empty")));
  llvm::vfs::directory_iterator It = FS->dir_begin(Dir.sub("empty"), EC);
  EXPECT_FALSE(bool(EC));
  EXPECT_EQ(It, llvm::vfs::directory_iterator());
}

TEST(MemoizingFileSystem, ThreadsShareOneMemo) {
  // Many threads asking at once all get the same, right answers.
  TempDir Dir("ltocache-memofs");
  for (int I = 0; I < 20; ++I)
    touchFile(Dir.sub("f" + std::to_string(I)));
  auto FS = createMemoizingFileSystem(llvm::vfs::getRealFileSystem());
  std::vector<std::thread> Threads;
  std::vector<int> Bad(8, 0);
  for (int T = 0; T < 8; ++T)
    Threads.emplace_back([&, T] {
      for (int Round = 0; Round < 200; ++Round) {
        if (list(*FS, Dir.path()).size() != 20)
          ++Bad[T];
        if (!FS->exists(Dir.sub("f" + std::to_string(Round % 20))) ||
            FS->exists(Dir.sub("g" + std::to_string(Round % 20))))
          ++Bad[T];
      }
    });
  for (std::thread &T : Threads)
    T.join();
  for (int T = 0; T < 8; ++T)
    EXPECT_EQ(Bad[T], 0) << "thread " << T;
}

} // namespace
