#include "Support/WholeFile.h"

#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <unistd.h>

using namespace ltocache;
using namespace ltocache::test;

namespace {

std::string contents(const std::string &Path) {
  auto Buf = readWholeFile(Path);
  if (!Buf) {
    ADD_FAILURE() << errorMessage(Buf.takeError());
    return "";
  }
  return (*Buf)->getBuffer().str();
}

TEST(WholeFile, WriteCreatesAndReplaces) {
  TempDir Dir;
  std::string P = Dir.sub("out.o");
  ASSERT_FALSE(errorMessage(writeWholeFile(P, "a longer first object")).size());
  EXPECT_EQ(contents(P), "a longer first object");
  ASSERT_FALSE(errorMessage(writeWholeFile(P, "second")).size());
  EXPECT_EQ(contents(P), "second");
}

TEST(WholeFile, WriteNeverWritesThroughAnotherNameOfTheFile) {
  // A job's output left behind as a hard link to a cache entry (a link
  // that died after a hit): a miss writing that output must not change the
  // entry.
  TempDir Dir;
  std::string Entry = Dir.sub("entry"), Out = Dir.sub("out.o");
  writeFile(Entry, "the cached object");
  ASSERT_EQ(::link(Entry.c_str(), Out.c_str()), 0);
  ASSERT_FALSE(errorMessage(writeWholeFile(Out, "fresh")).size());
  EXPECT_EQ(contents(Out), "fresh");
  EXPECT_EQ(contents(Entry), "the cached object");
  EXPECT_FALSE(llvm::sys::fs::equivalent(Entry, Out));
}

TEST(WholeFile, WriteIntoAMissingDirectoryIsAnError) {
  TempDir Dir;
  llvm::Error E = writeWholeFile(Dir.sub("no/such/dir/out.o"), "x");
  EXPECT_CONTAINS(errorMessage(std::move(E)), "out.o");
}

} // namespace
