#include "Support/FileSystem.h"

#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"

#include "gtest/gtest.h"

#include <chrono>

using namespace ltocache;
using namespace ltocache::test;

namespace {

llvm::Expected<std::unique_ptr<FileSystem>> make(llvm::StringRef Spec) {
  return createFaultInjectingFileSystem(Spec,
                                        std::make_unique<RealFileSystem>());
}

std::unique_ptr<FileSystem> mustMake(llvm::StringRef Spec) {
  auto FS = make(Spec);
  if (!FS) {
    ADD_FAILURE() << Spec.str() << ": " << toString(FS.takeError());
    return nullptr;
  }
  return std::move(*FS);
}

std::string parseError(llvm::StringRef Spec) {
  auto FS = make(Spec);
  if (FS) {
    ADD_FAILURE() << "spec '" << Spec.str() << "' was accepted";
    return "";
  }
  return toString(FS.takeError());
}

std::string readAll(FileSystem &FS, const std::string &Path) {
  auto File = FS.openFile(Path);
  if (!File) {
    ADD_FAILURE() << toString(File.takeError());
    return "";
  }
  return (*File)->contents().str();
}

/// Creates a file named after \p Model through \p FS and writes \p Data;
/// returns its path.
llvm::Expected<std::string>
writeNewFile(FileSystem &FS, const llvm::Twine &Model, llvm::StringRef Data) {
  auto File = FS.createUniqueFile(Model);
  if (!File)
    return File.takeError();
  if (llvm::Error E = (*File)->write(Data))
    return std::move(E);
  if (llvm::Error E = (*File)->close())
    return std::move(E);
  return (*File)->path();
}

TEST(FaultInjectingFileSystem, LinkFaultsAndPassesThrough) {
  TempDir Dir;
  auto FS = mustMake("link=EPERM");
  ASSERT_TRUE(FS);
  auto File = FS->createUniqueFile(Dir.sub("t-%%%%%%"));
  ASSERT_TRUE(static_cast<bool>(File)) << errorMessage(File);
  ASSERT_FALSE(errorMessage((*File)->write("linked")).size());
  EXPECT_EQ(errorCode((*File)->linkTo(Dir.sub("w.o"))),
            std::errc::operation_not_permitted);
  EXPECT_FALSE(llvm::sys::fs::exists(Dir.sub("w.o")));
  auto Real = createFileSystem("");
  ASSERT_TRUE(static_cast<bool>(Real));
  auto Open = (*Real)->openFile((*File)->path());
  ASSERT_TRUE(static_cast<bool>(Open)) << errorMessage(Open);
  ASSERT_FALSE(errorMessage((*Open)->linkTo(Dir.sub("r.o"))).size());
  EXPECT_TRUE(llvm::sys::fs::equivalent((*File)->path(), Dir.sub("r.o")));
}

TEST(FaultSpec, AcceptsValidSpecs) {
  for (const char *Spec :
       {"", "rename=EXDEV", "rename=EXDEV,write=ENOSPC",
        " rename=EXDEV , write=ENOSPC ", "mkdir=EACCES", "open=EPERM",
        "fsync=EIO", "remove=EBUSY", "read=EROFS", "touch=EDQUOT",
        "read=ENOENT", "rename=EXDEV@0.5", "rename=EXDEV@0", "rename=EXDEV@1",
        "write=short", "delay:rename=5", "delay:read=0,read=EIO", ",,"}) {
    auto FS = make(Spec);
    EXPECT_TRUE(static_cast<bool>(FS))
        << "'" << Spec << "': " << (FS ? "" : toString(FS.takeError()));
  }
}

TEST(FaultSpec, RejectsUnknownOperation) {
  std::string Msg = parseError("rename=EXDEV,frobnicate=ENOSPC");
  EXPECT_CONTAINS(Msg, "unknown operation 'frobnicate'");
  EXPECT_CONTAINS(Msg, "rename=EXDEV,frobnicate=ENOSPC");
  EXPECT_CONTAINS(parseError("delay:chmod=5"), "unknown operation 'chmod'");
  EXPECT_CONTAINS(parseError("=EIO"), "unknown operation ''");
}

TEST(FaultSpec, RejectsUnknownErrno) {
  std::string Msg = parseError("write=ENOSPC,rename=EWHATEVER");
  EXPECT_CONTAINS(Msg, "unknown errno 'EWHATEVER'");
  EXPECT_CONTAINS(Msg, "EXDEV");
  // Numbers and lower case are not errno names.
  EXPECT_CONTAINS(parseError("rename=18"), "unknown errno '18'");
  EXPECT_CONTAINS(parseError("rename=exdev"), "unknown errno 'exdev'");
  EXPECT_CONTAINS(parseError("rename"), "unknown errno ''");
}

TEST(FaultSpec, RejectsBadProbabilityDelayAndShort) {
  EXPECT_CONTAINS(parseError("rename=EXDEV@1.5"), "probability '1.5'");
  EXPECT_CONTAINS(parseError("rename=EXDEV@-0.1"), "probability '-0.1'");
  EXPECT_CONTAINS(parseError("rename=EXDEV@often"), "probability 'often'");
  EXPECT_CONTAINS(parseError("rename=EXDEV@"), "probability ''");
  EXPECT_CONTAINS(parseError("rename=EXDEV@nan"), "probability 'nan'");
  EXPECT_CONTAINS(parseError("delay:read=soon"), "delay 'soon'");
  EXPECT_CONTAINS(parseError("read=short"), "only write can be short");
}

TEST(FaultInjectingFileSystem, NamedOpFailsWithItsErrno) {
  TempDir Dir;
  auto FS = mustMake("rename=EXDEV,write=ENOSPC");
  ASSERT_TRUE(FS);
  std::string A = Dir.sub("a"), B = Dir.sub("b");
  writeFile(A, "content");

  std::error_code EC = errorCode(FS->rename(A, B));
  EXPECT_EQ(EC, std::errc::cross_device_link) << EC.message();
  // Nothing happened underneath.
  EXPECT_TRUE(llvm::sys::fs::exists(A));
  EXPECT_FALSE(llvm::sys::fs::exists(B));

  auto File = FS->createUniqueFile(Dir.sub("w-%%%%"));
  ASSERT_TRUE(static_cast<bool>(File)) << errorMessage(File);
  EC = errorCode((*File)->write("data"));
  EXPECT_EQ(EC, std::errc::no_space_on_device) << EC.message();
  EXPECT_FALSE(errorMessage((*File)->close()).size());
}

TEST(FaultInjectingFileSystem, ErrorNamesThePath) {
  TempDir Dir;
  auto FS = mustMake("read=EACCES");
  ASSERT_TRUE(FS);
  std::string P = Dir.sub("some-file");
  writeFile(P, "x");
  auto File = FS->openFile(P);
  ASSERT_FALSE(static_cast<bool>(File));
  std::string Msg = toString(File.takeError());
  EXPECT_CONTAINS(Msg, "some-file");
  EXPECT_CONTAINS(Msg, "ermission denied");
}

TEST(FaultInjectingFileSystem, UnnamedOpsPassThrough) {
  TempDir Dir;
  // Only rename is faulty: everything else must work as on the real FS.
  auto FS = mustMake("rename=EXDEV");
  ASSERT_TRUE(FS);

  std::string Sub = Dir.sub("x/y/z");
  EXPECT_FALSE(errorMessage(FS->createDirectories(Sub)).size());
  EXPECT_TRUE(llvm::sys::fs::is_directory(Sub));

  auto Written = writeNewFile(*FS, Sub + "/f-%%%%%%", "hello world");
  ASSERT_TRUE(static_cast<bool>(Written)) << errorMessage(Written);
  EXPECT_TRUE(llvm::StringRef(*Written).starts_with(Sub + "/f-"));
  EXPECT_EQ(readAll(*FS, *Written), "hello world");

  // touch: backdate, then touch brings the time to now.
  {
    int FD;
    ASSERT_FALSE(llvm::sys::fs::openFileForWrite(*Written, FD,
                                                 llvm::sys::fs::CD_OpenExisting,
                                                 llvm::sys::fs::OF_Append));
    EXPECT_FALSE(llvm::sys::fs::setLastAccessAndModificationTime(
        FD, llvm::sys::TimePoint<>()));
    llvm::sys::Process::SafelyCloseFileDescriptor(FD);
  }
  EXPECT_FALSE(errorMessage(FS->touch(*Written)).size());
  llvm::sys::fs::file_status St;
  ASSERT_FALSE(llvm::sys::fs::status(*Written, St));
  EXPECT_GT(St.getLastModificationTime(),
            std::chrono::system_clock::now() - std::chrono::hours(1));

  EXPECT_FALSE(errorMessage(FS->remove(*Written)).size());
  EXPECT_FALSE(llvm::sys::fs::exists(*Written));

  // Real errors still come through unchanged.
  auto Missing = FS->openFile(Dir.sub("missing"));
  ASSERT_FALSE(static_cast<bool>(Missing));
  EXPECT_EQ(llvm::errorToErrorCode(Missing.takeError()),
            std::errc::no_such_file_or_directory);
}

TEST(FaultInjectingFileSystem, ZeroProbabilityNeverFails) {
  TempDir Dir;
  auto FS = mustMake("rename=EXDEV@0");
  ASSERT_TRUE(FS);
  std::string A = Dir.sub("a"), B = Dir.sub("b");
  for (int I = 0; I < 20; ++I) {
    writeFile(A, "x");
    ASSERT_FALSE(errorMessage(FS->rename(A, B)).size()) << "attempt " << I;
  }
}

TEST(FaultInjectingFileSystem, OpenFailureCreatesNothing) {
  TempDir Dir;
  auto FS = mustMake("open=EACCES");
  ASSERT_TRUE(FS);
  auto File = FS->createUniqueFile(Dir.sub("t-%%%%%%"));
  ASSERT_FALSE(static_cast<bool>(File));
  EXPECT_EQ(llvm::errorToErrorCode(File.takeError()),
            std::errc::permission_denied);
  EXPECT_TRUE(listDir(Dir.path()).empty());
}

TEST(FaultInjectingFileSystem, ShortWriteKeepsFirstHalf) {
  TempDir Dir;
  auto FS = mustMake("write=short");
  ASSERT_TRUE(FS);
  auto Written = writeNewFile(*FS, Dir.sub("t-%%%%%%"), "0123456789");
  ASSERT_TRUE(static_cast<bool>(Written)) << errorMessage(Written);
  EXPECT_EQ(readAll(*FS, *Written), "01234");
}

TEST(FaultInjectingFileSystem, DelayStalls) {
  TempDir Dir;
  auto FS = mustMake("delay:mkdir=30");
  ASSERT_TRUE(FS);
  auto Start = std::chrono::steady_clock::now();
  EXPECT_FALSE(errorMessage(FS->createDirectories(Dir.sub("d"))).size());
  EXPECT_GE(std::chrono::steady_clock::now() - Start,
            std::chrono::milliseconds(30));
  EXPECT_TRUE(llvm::sys::fs::is_directory(Dir.sub("d")));
}

TEST(CreateFileSystem, EmptySpecIsRealAndBadSpecIsError) {
  TempDir Dir;
  auto Real = createFileSystem("");
  ASSERT_TRUE(static_cast<bool>(Real)) << errorMessage(Real);
  std::string A = Dir.sub("a");
  writeFile(A, "x");
  EXPECT_FALSE(errorMessage((*Real)->rename(A, Dir.sub("b"))).size());

  auto Faulty = createFileSystem("rename=EXDEV");
  ASSERT_TRUE(static_cast<bool>(Faulty)) << errorMessage(Faulty);
  EXPECT_EQ(errorCode((*Faulty)->rename(Dir.sub("b"), A)),
            std::errc::cross_device_link);

  auto Bad = createFileSystem("bogus=EIO");
  ASSERT_FALSE(static_cast<bool>(Bad));
  EXPECT_CONTAINS(toString(Bad.takeError()), "unknown operation 'bogus'");
}

} // namespace
