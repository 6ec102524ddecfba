#include "Store/LocalStore.h"
#include "Store/Entry.h"
#include "Support/FileSystem.h"

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
  EXPECT_EQ(R.Hit->File->contents().size(), Payload.size() + EntryTrailerSize);
  EXPECT_EQ(R.Hit->PayloadOffset, 0u);
  EXPECT_TRUE(R.Hit->ObjectFirst);
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
  EXPECT_CONTAINS(R.Corruption, "truncated");
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
  EXPECT_CONTAINS(R.Corruption, "truncated");
  EXPECT_FALSE(llvm::sys::fs::exists(Path));
}

TEST_F(LocalStoreTest, FlippedPayloadByteOnDiskIsCorruption) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "payload bytes", 1)).size());
  std::string Path = S->entryPath(Key1);
  std::string Bytes = readAll(Path);
  Bytes[3] ^= 0x04;
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
    EXPECT_CONTAINS(R.Corruption, "truncated");
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
  EXPECT_CONTAINS(R.Corruption, "truncated");
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

/// The real filesystem, with linkTo and cloneTailTo counted and answered
/// by \p LinkAnswer and \p CloneAnswer (0: done for real; a clone copies
/// the tail, as a reflink would look to a reader).
class PlacementCountingFS : public RealFileSystem {
public:
  PlacementCountingFS(int LinkAnswer, int CloneAnswer)
      : LinkAnswer(LinkAnswer), CloneAnswer(CloneAnswer) {}
  int Links = 0, Clones = 0;
  uint64_t LastCloneOffset = UINT64_MAX;
  /// Whether entries read belong to this user (as another member of a
  /// group sharing the cache would publish them).
  bool EntriesOwned = true;

  llvm::Expected<std::unique_ptr<ReadableFile>>
  openFile(const llvm::Twine &Path) override {
    auto F = RealFileSystem::openFile(Path);
    if (!F)
      return F.takeError();
    return std::make_unique<File>(std::move(*F), *this);
  }

private:
  static llvm::Error fail(const llvm::Twine &Dest, int Errno) {
    return llvm::createFileError(
        Dest, std::error_code(Errno, std::generic_category()));
  }
  class File : public ReadableFile {
  public:
    File(std::unique_ptr<ReadableFile> Base, PlacementCountingFS &FS)
        : Base(std::move(Base)), FS(FS) {}
    llvm::StringRef contents() const override { return Base->contents(); }
    const std::string &path() const override { return Base->path(); }
    llvm::sys::TimePoint<> modified() const override {
      return Base->modified();
    }
    bool ownedByCaller() const override { return FS.EntriesOwned; }
    llvm::Error cloneTailTo(uint64_t Offset, const llvm::Twine &Dest) override {
      ++FS.Clones;
      FS.LastCloneOffset = Offset;
      if (FS.CloneAnswer)
        return fail(Dest, FS.CloneAnswer);
      std::error_code EC;
      llvm::raw_fd_ostream OS(Dest.str(), EC);
      OS << Base->contents().drop_front(Offset);
      return llvm::errorCodeToError(EC);
    }
    llvm::Error linkTo(const llvm::Twine &Dest) override {
      ++FS.Links;
      if (FS.LinkAnswer)
        return fail(Dest, FS.LinkAnswer);
      return Base->linkTo(Dest);
    }

  private:
    std::unique_ptr<ReadableFile> Base;
    PlacementCountingFS &FS;
  };
  int LinkAnswer, CloneAnswer;
};

std::string sampleObject() {
  std::string P(70000, '\0');
  for (size_t I = 0; I < P.size(); ++I)
    P[I] = static_cast<char>(I * 31 + I / 4096);
  return P;
}

using Placement = LocalStore::Placement;

TEST_F(LocalStoreTest, HitIsHardLinkedToTheEntryItself) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Object = sampleObject();
  ASSERT_FALSE(errorMessage(S->publish(Key1, Object, 1)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  std::string Out = Dir.sub("out.o");
  ASSERT_EQ(S->placeHit(*R.Hit, Out), Placement::Linked);
  EXPECT_TRUE(llvm::sys::fs::equivalent(Out, S->entryPath(Key1)));
  // The output starts with the object; what follows is the trailer.
  std::string Linked = readAll(Out);
  EXPECT_EQ(llvm::StringRef(Linked).take_front(Object.size()), Object);
  EXPECT_EQ(Linked.size(), Object.size() + EntryTrailerSize);
}

TEST_F(LocalStoreTest, OnlyTheVerifiedFileIsEverPlaced) {
  // Between verification and placement the entry is replaced (another
  // link publishing the same key) or removed (a pruner). The output is
  // never the file now at the entry's name: the verified file (removed,
  // it can no longer be linked; where blocks are shared, its blocks), or
  // nothing, and the caller copies the verified payload.
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  for (bool Replace : {true, false}) {
    ASSERT_FALSE(errorMessage(S->publish(Key1, "first object", 1)).size());
    LookupResult R = S->lookup(Key1);
    ASSERT_TRUE(R.Hit.has_value());
    if (Replace)
      ASSERT_FALSE(errorMessage(S->publish(Key1, "second object", 2)).size());
    else
      ASSERT_FALSE(llvm::sys::fs::remove(S->entryPath(Key1)));
    std::string Out = Dir.sub(Replace ? "replaced.o" : "removed.o");
    Placement P = S->placeHit(*R.Hit, Out);
    EXPECT_NE(P, Placement::Linked);
    if (P == Placement::Reflinked)
      EXPECT_EQ(readAll(Out), encodeEntry(Key1, "first object", 1));
  }
}

TEST_F(LocalStoreTest, LinkReplacesAStaleOutput) {
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, "object one", 1)).size());
  ASSERT_FALSE(errorMessage(S->publish(Key2, "object two", 1)).size());
  std::string Out = Dir.sub("out.o");
  // Left by a link that died: a hard link to another entry.
  LookupResult R2 = S->lookup(Key2);
  ASSERT_EQ(S->placeHit(*R2.Hit, Out), Placement::Linked);
  LookupResult R1 = S->lookup(Key1);
  ASSERT_EQ(S->placeHit(*R1.Hit, Out), Placement::Linked);
  EXPECT_EQ(readAll(Out), encodeEntry(Key1, "object one", 1));
  EXPECT_EQ(readAll(S->entryPath(Key2)), encodeEntry(Key2, "object two", 1));
}

TEST_F(LocalStoreTest, AnotherUsersEntryIsNotLinkedIntoAStickyDirectory) {
  // There the linking user could not remove the link (the inode is the
  // publisher's): it gets a reflink or a copy, its own file. Elsewhere the
  // link is removable by whoever may write the directory.
  for (bool Owned : {true, false}) {
    PlacementCountingFS FS(/*LinkAnswer=*/0, /*CloneAnswer=*/EOPNOTSUPP);
    FS.EntriesOwned = Owned;
    auto S = openStore(FS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, sampleObject(), 1)).size());
    std::string Sticky = Dir.sub(Owned ? "sticky-own" : "sticky");
    std::string Plain = Dir.sub(Owned ? "plain-own" : "plain");
    for (const std::string &D : {Sticky, Plain})
      ASSERT_FALSE(llvm::sys::fs::create_directory(D));
    ASSERT_FALSE(llvm::sys::fs::setPermissions(
        Sticky, llvm::sys::fs::all_all | llvm::sys::fs::sticky_bit));
    LookupResult R = S->lookup(Key1);
    ASSERT_TRUE(R.Hit.has_value());
    EXPECT_EQ(S->placeHit(*R.Hit, Sticky + "/a.o"),
              Owned ? Placement::Linked : Placement::NotPlaced);
    EXPECT_EQ(S->placeHit(*R.Hit, Plain + "/a.o"), Placement::Linked);
    EXPECT_EQ(FS.Links, Owned ? 2 : 1);
  }
}

TEST_F(LocalStoreTest, FilesystemWithoutLinksIsAskedOnceThenReflinked) {
  for (int Errno : {EXDEV, EOPNOTSUPP}) {
    PlacementCountingFS FS(Errno, /*CloneAnswer=*/0);
    auto S = openStore(FS);
    ASSERT_TRUE(S);
    std::string Object = sampleObject();
    ASSERT_FALSE(errorMessage(S->publish(Key1, Object, 1)).size());
    for (int I = 0; I < 3; ++I) {
      LookupResult R = S->lookup(Key1);
      ASSERT_TRUE(R.Hit.has_value());
      std::string Out = Dir.sub("out" + llvm::Twine(I));
      EXPECT_EQ(S->placeHit(*R.Hit, Out), Placement::Reflinked);
      EXPECT_EQ(readAll(Out), encodeEntry(Key1, Object, 1));
    }
    EXPECT_EQ(FS.Links, 1) << "errno " << Errno;
    EXPECT_EQ(FS.Clones, 3);
    EXPECT_EQ(FS.LastCloneOffset, 0u);
  }
}

TEST_F(LocalStoreTest, LinkRefusedForOneFileIsAskedAgain) {
  // Another user's entry (protected_hardlinks), too many links, an entry
  // removed meanwhile: the next hit may link.
  for (int Errno : {EPERM, EACCES, EMLINK, ENOENT}) {
    PlacementCountingFS FS(Errno, /*CloneAnswer=*/EOPNOTSUPP);
    auto S = openStore(FS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, "small object", 1)).size());
    for (int I = 0; I < 2; ++I) {
      LookupResult R = S->lookup(Key1);
      ASSERT_TRUE(R.Hit.has_value());
      EXPECT_EQ(S->placeHit(*R.Hit, Dir.sub("out.o")), Placement::NotPlaced);
    }
    EXPECT_EQ(FS.Links, 2) << "errno " << Errno;
    EXPECT_EQ(FS.Clones, 1) << "errno " << Errno;
  }
}

TEST_F(LocalStoreTest, FilesystemWithoutReflinksIsAskedOnce) {
  for (int Errno : {EOPNOTSUPP, EXDEV, EINVAL}) {
    PlacementCountingFS FS(EXDEV, Errno);
    auto S = openStore(FS);
    ASSERT_TRUE(S);
    ASSERT_FALSE(errorMessage(S->publish(Key1, sampleObject(), 1)).size());
    for (int I = 0; I < 3; ++I) {
      LookupResult R = S->lookup(Key1);
      ASSERT_TRUE(R.Hit.has_value());
      EXPECT_EQ(S->placeHit(*R.Hit, Dir.sub("out.o")), Placement::NotPlaced);
    }
    EXPECT_EQ(FS.Clones, 1) << "errno " << Errno;
  }
}

TEST_F(LocalStoreTest, OtherCloneErrorsAreAskedAgain) {
  // EIO may be this entry's alone: the next hit tries again.
  PlacementCountingFS FS(EXDEV, EIO);
  auto S = openStore(FS);
  ASSERT_TRUE(S);
  ASSERT_FALSE(errorMessage(S->publish(Key1, sampleObject(), 1)).size());
  for (int I = 0; I < 2; ++I) {
    LookupResult R = S->lookup(Key1);
    ASSERT_TRUE(R.Hit.has_value());
    EXPECT_EQ(S->placeHit(*R.Hit, Dir.sub("out.o")), Placement::NotPlaced);
  }
  EXPECT_EQ(FS.Clones, 2);
}

TEST_F(LocalStoreTest, OlderFormatsAreNeverLinkedAndFormat2IsReflinked) {
  // A header-first entry is not an object: never linked. Format 2's
  // payload is on a block (reflinked from 4096); format 1's is not.
  std::string Object = sampleObject();
  for (uint32_t Version : {1u, 2u}) {
    PlacementCountingFS FS(0, 0);
    auto S = openStore(FS);
    ASSERT_TRUE(S);
    std::string Path = S->entryPath(Key1);
    ASSERT_FALSE(
        llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)));
    writeFile(Path, headerFirstEntry(Key1, Object, 9, Version));
    LookupResult R = S->lookup(Key1);
    ASSERT_TRUE(R.Hit.has_value()) << R.Corruption;
    EXPECT_EQ(R.Hit->Payload, Object);
    std::string Out = Dir.sub("out.o");
    EXPECT_EQ(S->placeHit(*R.Hit, Out),
              Version == 2 ? Placement::Reflinked : Placement::NotPlaced);
    EXPECT_EQ(FS.Links, 0);
    EXPECT_EQ(FS.Clones, Version == 2 ? 1 : 0);
    if (Version == 2)
      EXPECT_EQ(readAll(Out), Object);
  }
}

TEST_F(LocalStoreTest, RealPlacementOnThisFilesystemIsCorrectOrDeclined) {
  // Whatever this directory's filesystem is: a reflink gives the entry's
  // bytes, a refusal leaves the output empty for the caller to copy into.
  auto S = openStore(RealFS);
  ASSERT_TRUE(S);
  std::string Object = sampleObject();
  ASSERT_FALSE(errorMessage(S->publish(Key1, Object, 1)).size());
  LookupResult R = S->lookup(Key1);
  ASSERT_TRUE(R.Hit.has_value());
  std::string Out = Dir.sub("out.o");
  if (llvm::Error E = R.Hit->File->cloneTailTo(0, Out)) {
    llvm::consumeError(std::move(E));
    EXPECT_EQ(readAll(Out), "");
  } else {
    EXPECT_EQ(readAll(Out), encodeEntry(Key1, Object, 1));
  }
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
