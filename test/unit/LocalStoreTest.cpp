#include "ltocache/LocalStore.h"
#include "ltocache/Entry.h"
#include "ltocache/FileSystem.h"

#include "TestUtil.h"

#include "llvm/Support/Chrono.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include "gtest/gtest.h"

#include <cerrno>

using namespace ltocache;
using namespace ltocache::test;

namespace {

const Digest Key1 = hashBytes("key 1");
const Digest Key2 = hashBytes("key 2");

class LocalStoreTest : public ::testing::Test {
protected:
  TempDir Dir{"ltocache-store"};
  RealFileSystem RealFS;

  std::unique_ptr<LocalStore> openStore(FileSystem &FS) {
    auto S = LocalStore::open(Dir.path(), FS);
    if (!S) {
      ADD_FAILURE() << "open: " << toString(S.takeError());
      return nullptr;
    }
    return std::move(*S);
  }

  std::unique_ptr<FileSystem> faulty(llvm::StringRef Spec) {
    auto FS = createFaultInjectingFileSystem(
        Spec, std::make_unique<RealFileSystem>());
    if (!FS) {
      ADD_FAILURE() << Spec.str() << ": " << toString(FS.takeError());
      return nullptr;
    }
    return std::move(*FS);
  }

  std::string v1(llvm::StringRef Sub) const {
    llvm::SmallString<256> P(Dir.path());
    llvm::sys::path::append(P, "v1", Sub);
    return std::string(P);
  }

  std::string readAll(const std::string &Path) {
    auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (!Buf) {
      ADD_FAILURE() << Path << ": " << Buf.getError().message();
      return "";
    }
    return (*Buf)->getBuffer().str();
  }

  /// Every regular file anywhere under v1/entries.
  std::vector<std::string> allEntryFiles() {
    std::vector<std::string> Files;
    std::error_code EC;
    for (llvm::sys::fs::recursive_directory_iterator I(v1("entries"), EC), E;
         I != E && !EC; I.increment(EC))
      if (I->type() == llvm::sys::fs::file_type::regular_file)
        Files.push_back(I->path());
    return Files;
  }
};

TEST_F(LocalStoreTest, OpenCreatesLayout) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  EXPECT_EQ(S->root(), Dir.sub("v1"));
  EXPECT_TRUE(llvm::sys::fs::is_directory(v1("entries")));
  EXPECT_TRUE(llvm::sys::fs::is_directory(v1("tmp")));
  EXPECT_TRUE(llvm::sys::fs::is_directory(v1("corrupt")));
  // Opening an existing store is fine.
  EXPECT_TRUE(openStore(RealFS));
}

TEST_F(LocalStoreTest, EntryPathLayout) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Hex = toHex(Key1);
  llvm::SmallString<256> Expected(v1("entries"));
  llvm::sys::path::append(Expected, Hex.substr(0, 2), Hex);
  EXPECT_EQ(S->entryPath(Key1), std::string(Expected));
  EXPECT_NE(S->entryPath(Key1), S->entryPath(Key2));
}

TEST_F(LocalStoreTest, PublishThenLookupHits) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Payload("\x7f"
                      "ELF object bytes\0\x01",
                      20);
  ASSERT_FALSE(errorMessage(S->publish(Key1, Payload, 987654)).size());

  EXPECT_TRUE(llvm::sys::fs::exists(S->entryPath(Key1)));
  // What is on disk is exactly the encoded entry.
  EXPECT_EQ(readAll(S->entryPath(Key1)), encodeEntry(Key1, Payload, 987654));

  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, Payload);
  EXPECT_EQ(R.Hit->CompileMicros, 987654u);
  ASSERT_TRUE(R.Hit->File);
  EXPECT_EQ(R.Hit->File->contents().size(), EntryHeaderSize + Payload.size());
  EXPECT_EQ(R.Hit->PayloadOffset, EntryHeaderSize);
  EXPECT_TRUE(R.Corruption.empty()) << R.Corruption;
  // Nothing left behind in tmp, nothing moved aside.
  EXPECT_TRUE(listDir(v1("tmp")).empty());
  EXPECT_TRUE(listDir(v1("corrupt")).empty());

  // Another key is still a miss.
  LookupResult R2 = S->lookup(Key2);
  EXPECT_FALSE(R2.Hit.has_value());
  EXPECT_TRUE(R2.Corruption.empty()) << R2.Corruption;
}

TEST_F(LocalStoreTest, HitSurvivesReopen) {
  {
    auto S = openStore(RealFS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, "persisted", 5)).size());
  }
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "persisted");
}

TEST_F(LocalStoreTest, AbsentKeyMissesWithoutCorruption) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_TRUE(R.Corruption.empty()) << R.Corruption;
  EXPECT_TRUE(listDir(v1("corrupt")).empty());
}

TEST_F(LocalStoreTest, CorruptEntryIsMovedAside) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Path = S->entryPath(Key1);
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
  writeFile(Path, "this is not an entry at all, just some garbage bytes....."
                  "................................................. long "
                  "enough to pass the header size check");

  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_CONTAINS(R.Corruption, Path);
  EXPECT_CONTAINS(R.Corruption, "bad magic");
  // Gone from entries/, kept in corrupt/ under a name that starts with the
  // entry's file name.
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
  std::vector<std::string> Aside = listDir(v1("corrupt"));
  ASSERT_EQ(Aside.size(), 1u);
  EXPECT_TRUE(llvm::StringRef(Aside[0]).starts_with(toHex(Key1) + "."))
      << Aside[0];
  EXPECT_EQ(readAll(v1("corrupt") + "/" + Aside[0]).substr(0, 15),
            "this is not an ");

  // Now simply absent: a miss with no corruption.
  LookupResult Again = S->lookup(Key1);
  EXPECT_FALSE(Again.Hit.has_value());
  EXPECT_TRUE(Again.Corruption.empty()) << Again.Corruption;

  // And the key can be stored again.
  ASSERT_FALSE(errorMessage(S->publish(Key1, "fresh", 1)).size());
  LookupResult Fresh = S->lookup(Key1);
  ASSERT_TRUE(Fresh.Hit.has_value());
  EXPECT_EQ(Fresh.Hit->Payload, "fresh");
}

TEST_F(LocalStoreTest, ShortGarbageEntryIsCorruption) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Path = S->entryPath(Key1);
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
  writeFile(Path, "garbage");
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_CONTAINS(R.Corruption, "truncated header");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
  EXPECT_EQ(listDir(v1("corrupt")).size(), 1u);
}

TEST_F(LocalStoreTest, EmptyEntryFileIsCorruption) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Path = S->entryPath(Key1);
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
  writeFile(Path, "");
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_CONTAINS(R.Corruption, "truncated header");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
}

TEST_F(LocalStoreTest, FlippedPayloadByteOnDiskIsCorruption) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "payload bytes", 1)).size());
  std::string Path = S->entryPath(Key1);
  std::string Bytes = readAll(Path);
  Bytes[EntryHeaderSize + 3] ^= 0x04;
  writeFile(Path, Bytes);
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_CONTAINS(R.Corruption, "checksum");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
  EXPECT_EQ(listDir(v1("corrupt")).size(), 1u);
}

TEST_F(LocalStoreTest, MisfiledEntryIsCorruption) {
  // A valid entry for Key1 sitting at Key2's path is never a hit for Key2.
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Path = S->entryPath(Key2);
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
  writeFile(Path, encodeEntry(Key1, "wrong object", 1));
  LookupResult R = S->lookup(Key2);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_CONTAINS(R.Corruption, "another key");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
}

TEST_F(LocalStoreTest, TwoCorruptionsOfOneKeyKeepBothFiles) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Path = S->entryPath(Key1);
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
  writeFile(Path, "first garbage");
  EXPECT_FALSE(S->lookup(Key1).Corruption.empty());
  writeFile(Path, "second garbage");
  EXPECT_FALSE(S->lookup(Key1).Corruption.empty());
  EXPECT_EQ(listDir(v1("corrupt")).size(), 2u);
}

TEST_F(LocalStoreTest, CorruptEntryThatCannotBeMovedIsStillNeverAHit) {
  auto RenameFails = faulty("rename=EACCES");
  ASSERT_TRUE(RenameFails);
  auto S = openStore(*RenameFails);
  ASSERT_TRUE(S);
  std::string Path = S->entryPath(Key1);
  ASSERT_FALSE(
      llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
  writeFile(Path, "garbage");
  for (int I = 0; I < 2; ++I) {
    LookupResult R = S->lookup(Key1);
    EXPECT_FALSE(R.Hit.has_value());
    EXPECT_CONTAINS(R.Corruption, "truncated header");
  }
  // It stays where it is and is reported again next time.
  EXPECT_TRUE(llvm::sys::fs::exists(Path));
  EXPECT_TRUE(listDir(v1("corrupt")).empty());
}

TEST_F(LocalStoreTest, PublishOverwriteKeepsValidEntry) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "first version", 10)).size());
  ASSERT_FALSE(errorMessage(S->publish(Key1, "second version!", 20)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "second version!");
  EXPECT_EQ(R.Hit->CompileMicros, 20u);
  EXPECT_TRUE(R.Corruption.empty());
  EXPECT_EQ(allEntryFiles().size(), 1u);
  EXPECT_TRUE(listDir(v1("tmp")).empty());
}

TEST_F(LocalStoreTest, PublishSameKeyTwiceIdentical) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  for (int I = 0; I < 2; ++I)
    ASSERT_FALSE(errorMessage(S->publish(Key1, "same", 3)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "same");
  EXPECT_EQ(allEntryFiles().size(), 1u);
}

TEST_F(LocalStoreTest, HitRefreshesModificationTime) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "x", 1)).size());
  std::string Path = S->entryPath(Key1);
  // Backdate the entry by a day.
  {
    int FD;
    ASSERT_FALSE(llvm::sys::fs::openFileForWrite(
        Path, FD, llvm::sys::fs::CD_OpenExisting, llvm::sys::fs::OF_Append));
    auto Old = std::chrono::system_clock::now() - std::chrono::hours(24);
    EXPECT_FALSE(llvm::sys::fs::setLastAccessAndModificationTime(
        FD, llvm::sys::toTimePoint(std::chrono::system_clock::to_time_t(Old))));
    llvm::sys::Process::SafelyCloseFileDescriptor(FD);
  }
  llvm::sys::fs::file_status Before;
  ASSERT_FALSE(llvm::sys::fs::status(Path, Before));
  ASSERT_TRUE(S->lookup(Key1).Hit.has_value());
  llvm::sys::fs::file_status After;
  ASSERT_FALSE(llvm::sys::fs::status(Path, After));
  EXPECT_GT(After.getLastModificationTime(),
            Before.getLastModificationTime() + std::chrono::hours(1));
}

TEST_F(LocalStoreTest, HitWithinAMinuteOfLastUseIsNotTouched) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "x", 1)).size());
  std::string Path = S->entryPath(Key1);
  auto SetAge = [&](std::chrono::seconds Age) {
    int FD;
    ASSERT_FALSE(llvm::sys::fs::openFileForWrite(
        Path, FD, llvm::sys::fs::CD_OpenExisting, llvm::sys::fs::OF_Append));
    auto T = std::chrono::system_clock::now() - Age;
    EXPECT_FALSE(llvm::sys::fs::setLastAccessAndModificationTime(
        FD, llvm::sys::toTimePoint(std::chrono::system_clock::to_time_t(T))));
    llvm::sys::Process::SafelyCloseFileDescriptor(FD);
  };
  auto Modified = [&] {
    llvm::sys::fs::file_status St;
    EXPECT_FALSE(llvm::sys::fs::status(Path, St));
    return St.getLastModificationTime();
  };
  // Used 30 s ago: left alone (LRU to the minute).
  SetAge(std::chrono::seconds(30));
  auto Recent = Modified();
  ASSERT_TRUE(S->lookup(Key1).Hit.has_value());
  EXPECT_EQ(Modified(), Recent);
  // Used 2 min ago: refreshed.
  SetAge(std::chrono::seconds(120));
  auto Older = Modified();
  ASSERT_TRUE(S->lookup(Key1).Hit.has_value());
  EXPECT_GT(Modified(), Older + std::chrono::seconds(60));
}

TEST_F(LocalStoreTest, HitWithFailingTouchIsStillAHit) {
  {
    auto S = openStore(RealFS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, "read-only cache", 1)).size());
  }
  auto TouchFails = faulty("touch=EROFS");
  ASSERT_TRUE(TouchFails);
  auto S = openStore(*TouchFails);
  ASSERT_TRUE(S);
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "read-only cache");
  EXPECT_TRUE(R.Corruption.empty());
}

TEST_F(LocalStoreTest, UnreadableEntryIsAMissNotCorruption) {
  {
    auto S = openStore(RealFS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, "payload", 1)).size());
  }
  auto ReadFails = faulty("read=EIO");
  ASSERT_TRUE(ReadFails);
  auto S = openStore(*ReadFails);
  ASSERT_TRUE(S);
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_TRUE(R.Corruption.empty()) << R.Corruption;
  // The entry is left alone.
  EXPECT_TRUE(llvm::sys::fs::exists(S->entryPath(Key1)));
  EXPECT_TRUE(listDir(v1("corrupt")).empty());
}

/// Publishing through a filesystem where \p Spec fails stores nothing and
/// leaves no temporary file.
class PublishFaultTest : public LocalStoreTest,
                         public ::testing::WithParamInterface<const char *> {};

TEST_P(PublishFaultTest, ErrorStoresNothingAndLeavesNoTemporary) {
  auto FS = faulty(GetParam());
  ASSERT_TRUE(FS);
  auto S = openStore(*FS);
  ASSERT_TRUE(S);
  llvm::Error E = S->publish(Key1, "object that must not appear", 77);
  ASSERT_TRUE(static_cast<bool>(E)) << GetParam() << " publish succeeded";
  std::string Msg = toString(std::move(E));
  EXPECT_FALSE(Msg.empty());
  EXPECT_FALSE(llvm::sys::fs::exists(S->entryPath(Key1)));
  EXPECT_TRUE(allEntryFiles().empty());
  std::vector<std::string> Tmp = listDir(v1("tmp"));
  EXPECT_TRUE(Tmp.empty()) << GetParam() << ": left " << Tmp.size()
                           << " temporary file(s), first " << Tmp[0];
  // And a lookup is a plain miss.
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_TRUE(R.Corruption.empty()) << R.Corruption;
}

INSTANTIATE_TEST_SUITE_P(Faults, PublishFaultTest,
                         ::testing::Values("rename=EXDEV", "rename=EACCES",
                                           "rename=EPERM", "rename=ENOSPC",
                                           "rename=EBUSY", "rename=EROFS",
                                           "write=ENOSPC", "write=EIO",
                                           "write=EDQUOT", "fsync=EIO",
                                           "open=EACCES", "open=ENOSPC",
                                           "rename=EXDEV,write=ENOSPC"));

TEST_F(LocalStoreTest, PublishRenameErrorKeepsErrno) {
  auto FS = faulty("rename=EXDEV");
  ASSERT_TRUE(FS);
  auto S = openStore(*FS);
  ASSERT_TRUE(S);
  std::error_code EC = errorCode(S->publish(Key1, "x", 1));
  EXPECT_EQ(EC, std::errc::cross_device_link) << EC.message();
}

TEST_F(LocalStoreTest, PublishWriteErrorKeepsErrno) {
  auto FS = faulty("write=ENOSPC");
  ASSERT_TRUE(FS);
  auto S = openStore(*FS);
  ASSERT_TRUE(S);
  std::error_code EC = errorCode(S->publish(Key1, "x", 1));
  EXPECT_EQ(EC, std::errc::no_space_on_device) << EC.message();
}

TEST_F(LocalStoreTest, FailedPublishKeepsPreviousEntry) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "good old", 1)).size());
  auto FS = faulty("rename=EXDEV");
  ASSERT_TRUE(FS);
  auto Faulty = openStore(*FS);
  ASSERT_TRUE(Faulty);
  EXPECT_TRUE(
      static_cast<bool>(errorCode(Faulty->publish(Key1, "replacement", 2))));
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "good old");
  EXPECT_TRUE(listDir(v1("tmp")).empty());
}

TEST_F(LocalStoreTest, ShortWriteIsCaughtByTheReader) {
  // A write that silently loses data publishes a torn entry; the reader
  // must reject it and move it aside.
  auto FS = faulty("write=short");
  ASSERT_TRUE(FS);
  auto S = openStore(*FS);
  ASSERT_TRUE(S);
  // The short write is silent, so publication "succeeds".
  EXPECT_FALSE(
      errorMessage(S->publish(Key1, "a payload that gets cut in half", 1))
          .size());
  LookupResult R = S->lookup(Key1);
  EXPECT_FALSE(R.Hit.has_value());
  EXPECT_CONTAINS(R.Corruption, "truncated header");
  EXPECT_FALSE(llvm::sys::fs::exists(S->entryPath(Key1)));
  EXPECT_EQ(listDir(v1("corrupt")).size(), 1u);
  EXPECT_TRUE(listDir(v1("tmp")).empty());
}

TEST_F(LocalStoreTest, NonDurablePublishSkipsFsync) {
  // fsync fails: a durable publish is an error, a non-durable one does not
  // sync at all and succeeds.
  auto FS = faulty("fsync=EIO");
  ASSERT_TRUE(FS);
  auto S = openStore(*FS);
  ASSERT_TRUE(S);
  llvm::Error E = S->publish(Key1, "durable", 1, /*Durable=*/true);
  EXPECT_TRUE(static_cast<bool>(E));
  llvm::consumeError(std::move(E));
  EXPECT_FALSE(llvm::sys::fs::exists(S->entryPath(Key1)));

  ASSERT_FALSE(
      errorMessage(S->publish(Key2, "cheap", 1, /*Durable=*/false)).size());
  LookupResult R = S->lookup(Key2);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "cheap");
  EXPECT_TRUE(listDir(v1("tmp")).empty());
}

/// The real filesystem, with cloneTailTo counted and answered by \p Answer
/// (success copies the tail, as a reflink would look to a reader).
class CloneCountingFS : public RealFileSystem {
public:
  explicit CloneCountingFS(int Answer) : Answer(Answer) {}
  int Calls = 0;

  llvm::Expected<std::unique_ptr<ReadableFile>>
  openFile(const llvm::Twine &Path) override {
    auto F = RealFileSystem::openFile(Path);
    if (!F)
      return F.takeError();
    return std::make_unique<File>(std::move(*F), *this);
  }

private:
  class File : public ReadableFile {
  public:
    File(std::unique_ptr<ReadableFile> Base, CloneCountingFS &FS)
        : Base(std::move(Base)), FS(FS) {}
    llvm::StringRef contents() const override { return Base->contents(); }
    const std::string &path() const override { return Base->path(); }
    llvm::sys::TimePoint<> modified() const override {
      return Base->modified();
    }
    llvm::Error cloneTailTo(uint64_t Offset, const llvm::Twine &Dest) override {
      ++FS.Calls;
      if (FS.Answer)
        return llvm::createFileError(
            Dest, std::error_code(FS.Answer, std::generic_category()));
      std::error_code EC;
      llvm::raw_fd_ostream OS(Dest.str(), EC);
      OS << Base->contents().drop_front(Offset);
      return llvm::errorCodeToError(EC);
    }

  private:
    std::unique_ptr<ReadableFile> Base;
    CloneCountingFS &FS;
  };
  int Answer;
};

std::string bigObject() {
  std::string P(ReflinkMinPayload + 4321, '\0');
  for (size_t I = 0; I < P.size(); ++I)
    P[I] = static_cast<char>(I * 31 + I / 4096);
  return P;
}

TEST_F(LocalStoreTest, LargeHitIsReflinkedFromThePayloadOffset) {
  CloneCountingFS FS(/*Answer=*/0);
  auto S = openStore(FS);
  ASSERT_TRUE(S);
  std::string Object = bigObject();
  ASSERT_FALSE(errorMessage(S->publish(Key1, Object, 1)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->PayloadOffset, AlignedEntryHeaderSize);
  std::string Out = Dir.sub("out.o");
  EXPECT_TRUE(S->reflinkHit(*R.Hit, Out));
  EXPECT_EQ(FS.Calls, 1);
  EXPECT_EQ(readAll(Out), Object);
}

TEST_F(LocalStoreTest, SmallHitIsNeverReflinked) {
  CloneCountingFS FS(/*Answer=*/0);
  auto S = openStore(FS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "small object", 1)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_FALSE(S->reflinkHit(*R.Hit, Dir.sub("out.o")));
  EXPECT_EQ(FS.Calls, 0);
}

TEST_F(LocalStoreTest, FilesystemWithoutReflinksIsAskedOnce) {
  for (int Errno : {EOPNOTSUPP, EXDEV, EINVAL}) {
    CloneCountingFS FS(Errno);
    auto S = openStore(FS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, bigObject(), 1)).size());
    for (int I = 0; I < 3; ++I) {
      LookupResult R = S->lookup(Key1);
      ASSERT_TRUE(R.Hit.has_value());
      EXPECT_FALSE(S->reflinkHit(*R.Hit, Dir.sub("out.o")));
    }
    EXPECT_EQ(FS.Calls, 1) << "errno " << Errno;
  }
}

TEST_F(LocalStoreTest, OtherCloneErrorsAreAskedAgain) {
  // EIO may be this entry's alone: the next hit tries again.
  CloneCountingFS FS(EIO);
  auto S = openStore(FS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, bigObject(), 1)).size());
  for (int I = 0; I < 2; ++I) {
    LookupResult R = S->lookup(Key1);
    ASSERT_TRUE(R.Hit.has_value());
    EXPECT_FALSE(S->reflinkHit(*R.Hit, Dir.sub("out.o")));
  }
  EXPECT_EQ(FS.Calls, 2);
}

TEST_F(LocalStoreTest, RealCloneOnThisFilesystemIsCorrectOrDeclined) {
  // Whatever this directory's filesystem is: a reflink gives the exact
  // object, a refusal leaves the caller to copy.
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Object = bigObject();
  ASSERT_FALSE(errorMessage(S->publish(Key1, Object, 1)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  std::string Out = Dir.sub("out.o");
  if (S->reflinkHit(*R.Hit, Out))
    EXPECT_EQ(readAll(Out), Object);
  else
    EXPECT_EQ(readAll(Out), "");
}

TEST_F(LocalStoreTest, AreasAreSeparate) {
  auto Objects = openStore(RealFS);
  ASSERT_TRUE(Objects);
  auto MemoOr = LocalStore::open(Dir.path(), RealFS, "memo");
  ASSERT_TRUE(static_cast<bool>(MemoOr)) << errorMessage(MemoOr);
  std::unique_ptr<LocalStore> Memo = std::move(*MemoOr);
  EXPECT_TRUE(llvm::sys::fs::is_directory(v1("memo")));
  EXPECT_EQ(Memo->root(), Objects->root());

  std::string Hex = toHex(Key1);
  llvm::SmallString<256> Expected(v1("memo"));
  llvm::sys::path::append(Expected, Hex.substr(0, 2), Hex);
  EXPECT_EQ(Memo->entryPath(Key1), std::string(Expected));
  EXPECT_NE(Memo->entryPath(Key1), Objects->entryPath(Key1));

  ASSERT_FALSE(errorMessage(Memo->publish(Key1, "memo value", 0)).size());
  EXPECT_FALSE(Objects->lookup(Key1).Hit.has_value());
  LookupResult R = Memo->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  EXPECT_EQ(R.Hit->Payload, "memo value");
  EXPECT_TRUE(allEntryFiles().empty());

  // A bad memo entry goes to the shared corrupt/ directory.
  writeFile(Memo->entryPath(Key1), "garbage");
  LookupResult Bad = Memo->lookup(Key1);
  EXPECT_FALSE(Bad.Hit.has_value());
  EXPECT_FALSE(Bad.Corruption.empty());
  EXPECT_EQ(listDir(v1("corrupt")).size(), 1u);
}

TEST_F(LocalStoreTest, OpenFailsWhenMkdirFails) {
  auto FS = faulty("mkdir=EACCES");
  ASSERT_TRUE(FS);
  TempDir Other{"ltocache-store-mkdir"};
  std::string Dir = Other.sub("cache");
  auto S = LocalStore::open(Dir, *FS);
  ASSERT_FALSE(static_cast<bool>(S));
  llvm::Error E = S.takeError();
  std::string Msg = toString(std::move(E));
  EXPECT_CONTAINS(Msg, Dir);
  EXPECT_CONTAINS(Msg, "ermission denied");
  EXPECT_FALSE(llvm::sys::fs::exists(Dir));
}

/// Fails createDirectories after the first \p Allowed calls; everything else
/// goes to the real filesystem.
class MkdirFailsLater : public RealFileSystem {
public:
  explicit MkdirFailsLater(unsigned Allowed) : Allowed(Allowed) {}
  llvm::Error createDirectories(const llvm::Twine &Path) override {
    if (Allowed == 0)
      return llvm::createFileError(
          Path, std::error_code(EACCES, std::generic_category()));
    --Allowed;
    return RealFileSystem::createDirectories(Path);
  }

private:
  unsigned Allowed;
};

TEST_F(LocalStoreTest, PublishFailsWhenShardDirectoryCannotBeCreated) {
  MkdirFailsLater FS(3); // entries, tmp, corrupt.
  auto S = openStore(FS);
  ASSERT_TRUE(S);
  llvm::Error E = S->publish(Key1, "x", 1);
  EXPECT_TRUE(static_cast<bool>(E));
  llvm::consumeError(std::move(E));
  EXPECT_FALSE(llvm::sys::fs::exists(S->entryPath(Key1)));
  EXPECT_TRUE(listDir(v1("tmp")).empty());
}

} // namespace
