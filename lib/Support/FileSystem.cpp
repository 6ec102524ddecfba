//===- FileSystem.cpp - The real filesystem -------------------------------===//

#include "Support/FileSystem.h"
#include "Support/WholeFile.h"

#include "llvm/Support/Chrono.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace ltocache {

WritableFile::~WritableFile() = default;
ReadableFile::~ReadableFile() = default;
FileSystem::~FileSystem() = default;

/// Links the open file \p FD as \p Dest through /proc: the very inode that
/// is open, even if its name has since been replaced (link(2) by name
/// could pick up another file). A file with no name left cannot be linked.
static Error linkOpenFile(int FD, const Twine &Dest) {
  std::string Self = "/proc/self/fd/" + std::to_string(FD);
  SmallString<256> D;
  const char *Name = Dest.toNullTerminatedStringRef(D).data();
  for (int Attempt = 0;; ++Attempt) {
    if (::linkat(AT_FDCWD, Self.c_str(), AT_FDCWD, Name, AT_SYMLINK_FOLLOW) ==
        0)
      return Error::success();
    if (errno != EEXIST || Attempt == 2 ||
        (::unlink(Name) != 0 && errno != ENOENT))
      return createFileError(Dest, errnoAsErrorCode());
  }
}

namespace {
class RealWritableFile : public WritableFile {
public:
  RealWritableFile(int FD, std::string Path) : FD(FD), Path(std::move(Path)) {}
  ~RealWritableFile() override {
    if (FD >= 0)
      ::close(FD);
  }
  Error write(StringRef Data) override {
    while (!Data.empty()) {
      ssize_t N =
          sys::RetryAfterSignal(-1, ::write, FD, Data.data(), Data.size());
      if (N < 0)
        return createFileError(Path, errnoAsErrorCode());
      Data = Data.drop_front(N);
    }
    return Error::success();
  }
  Error sync() override {
    if (::fsync(FD) != 0)
      return createFileError(Path, errnoAsErrorCode());
    return Error::success();
  }
  Error close() override {
    int Result = ::close(FD);
    FD = -1;
    if (Result != 0)
      return createFileError(Path, errnoAsErrorCode());
    return Error::success();
  }
  const std::string &path() const override { return Path; }
  Error linkTo(const Twine &Dest) override { return linkOpenFile(FD, Dest); }

private:
  int FD;
  std::string Path;
};
} // namespace

namespace {
class RealReadableFile : public ReadableFile {
public:
  RealReadableFile(int FD, std::string Path, std::unique_ptr<MemoryBuffer> Buf,
                   sys::TimePoint<> Modified, bool Owned)
      : FD(FD), Path(std::move(Path)), Buf(std::move(Buf)), Modified(Modified),
        Owned(Owned) {}
  ~RealReadableFile() override { ::close(FD); }
  StringRef contents() const override { return Buf->getBuffer(); }
  const std::string &path() const override { return Path; }
  sys::TimePoint<> modified() const override { return Modified; }
  bool ownedByCaller() const override { return Owned; }
  Error cloneTailTo(uint64_t Offset, const Twine &Dest) override {
    Expected<int> Opened = createReplacing(Dest);
    if (!Opened)
      return Opened.takeError();
    int Out = *Opened;
    // Length 0: up to the end of this file, which need not be block-aligned.
    struct file_clone_range Range = {};
    Range.src_fd = FD;
    Range.src_offset = Offset;
    Range.src_length = 0;
    Range.dest_offset = 0;
    std::error_code EC;
    if (::ioctl(Out, FICLONERANGE, &Range) != 0)
      EC = errnoAsErrorCode();
    if (::close(Out) != 0 && !EC)
      EC = errnoAsErrorCode();
    if (EC)
      return createFileError(Dest, EC);
    return Error::success();
  }
  Error linkTo(const Twine &Dest) override { return linkOpenFile(FD, Dest); }

private:
  int FD;
  std::string Path;
  std::unique_ptr<MemoryBuffer> Buf;
  sys::TimePoint<> Modified;
  bool Owned;
};
} // namespace

Error RealFileSystem::createDirectories(const Twine &Path) {
  if (std::error_code EC = sys::fs::create_directories(Path))
    return createFileError(Path, EC);
  return Error::success();
}

Expected<std::unique_ptr<WritableFile>>
RealFileSystem::createUniqueFile(const Twine &Model) {
  int FD;
  SmallString<256> Path;
  if (std::error_code EC = sys::fs::createUniqueFile(Model, FD, Path))
    return createFileError(Model, EC);
  return std::make_unique<RealWritableFile>(FD, std::string(Path));
}

Error RealFileSystem::rename(const Twine &From, const Twine &To) {
  if (std::error_code EC = sys::fs::rename(From, To))
    return createFileError(To, EC);
  return Error::success();
}

Error RealFileSystem::remove(const Twine &Path) {
  if (std::error_code EC = sys::fs::remove(Path))
    return createFileError(Path, EC);
  return Error::success();
}

Expected<std::unique_ptr<ReadableFile>>
RealFileSystem::openFile(const Twine &Path) {
  // Asked on every hit; a process's effective user does not change.
  static const unsigned EffectiveUser = ::geteuid();
  int FD;
  sys::TimePoint<> Modified;
  unsigned Owner;
  auto Buf = readWholeFile(Path, &FD, &Modified, &Owner);
  if (!Buf)
    return Buf.takeError();
  return std::make_unique<RealReadableFile>(FD, Path.str(), std::move(*Buf),
                                            Modified, Owner == EffectiveUser);
}

Error RealFileSystem::touch(const Twine &Path) {
  SmallString<256> P;
  if (::utimensat(AT_FDCWD, Path.toNullTerminatedStringRef(P).data(), nullptr,
                  0) != 0)
    return createFileError(Path, errnoAsErrorCode());
  return Error::success();
}

std::error_code walkRegularFiles(
    const Twine &Dir,
    function_ref<void(StringRef, const sys::fs::file_status &)> Visit) {
  std::error_code EC;
  sys::fs::recursive_directory_iterator It(Dir, EC), End;
  if (EC == std::errc::no_such_file_or_directory)
    return std::error_code();
  for (; It != End && !EC; It.increment(EC)) {
    sys::fs::file_status St;
    if (sys::fs::status(It->path(), St) || !sys::fs::is_regular_file(St))
      continue;
    Visit(It->path(), St);
  }
  return EC;
}

Expected<std::unique_ptr<FileSystem>> createFileSystem(StringRef FaultSpec) {
  std::unique_ptr<FileSystem> Real = std::make_unique<RealFileSystem>();
  if (FaultSpec.empty())
    return std::move(Real);
  return createFaultInjectingFileSystem(FaultSpec, std::move(Real));
}

} // namespace ltocache
