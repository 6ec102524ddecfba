//===- WholeFile.cpp - Reading and writing a whole small file -------------===//

#include "Support/WholeFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/Error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace ltocache {

Expected<std::unique_ptr<MemoryBuffer>> readOpenFile(int FD, uint64_t Size,
                                                     StringRef Name) {
  auto Buf = WritableMemoryBuffer::getNewUninitMemBuffer(Size, Name);
  if (!Buf)
    return createFileError(Name,
                           std::make_error_code(std::errc::not_enough_memory));
  char *P = Buf->getBufferStart();
  uint64_t Done = 0;
  while (Done < Size) {
    ssize_t N = sys::RetryAfterSignal(-1, ::pread, FD, P + Done, Size - Done,
                                      static_cast<off_t>(Done));
    if (N < 0)
      return createFileError(Name, errnoAsErrorCode());
    if (N == 0) // Shrank while being read: what was there is what we got.
      return MemoryBuffer::getMemBufferCopy(StringRef(P, Done), Name);
    Done += N;
  }
  return std::unique_ptr<MemoryBuffer>(std::move(Buf));
}

Expected<std::unique_ptr<MemoryBuffer>>
readWholeFile(const Twine &Path, int *KeepFD, sys::TimePoint<> *Modified,
              unsigned *Owner, struct stat *Status) {
  SmallString<256> P;
  StringRef PathStr = Path.toNullTerminatedStringRef(P);
  int FD =
      sys::RetryAfterSignal(-1, ::open, PathStr.data(), O_RDONLY | O_CLOEXEC);
  if (FD < 0)
    return createFileError(Path, errnoAsErrorCode());
  struct stat St;
  if (::fstat(FD, &St) != 0) {
    Error E = createFileError(Path, errnoAsErrorCode());
    ::close(FD);
    return std::move(E);
  }
  auto Buf = readOpenFile(FD, St.st_size, PathStr);
  if (Buf && KeepFD)
    *KeepFD = FD;
  else
    ::close(FD);
  if (Buf && Modified)
    *Modified = sys::toTimePoint(St.st_mtim.tv_sec, St.st_mtim.tv_nsec);
  if (Buf && Owner)
    *Owner = St.st_uid;
  if (Buf && Status)
    *Status = St;
  return Buf;
}

Expected<int> createReplacing(const Twine &Path) {
  SmallString<256> P;
  const char *Name = Path.toNullTerminatedStringRef(P).data();
  // O_EXCL, so the common case (no file there) costs one call.
  for (int Attempt = 0;; ++Attempt) {
    int FD = sys::RetryAfterSignal(
        -1, ::open, Name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (FD >= 0)
      return FD;
    if (errno != EEXIST || Attempt == 2 ||
        (::unlink(Name) != 0 && errno != ENOENT))
      return createFileError(Path, errnoAsErrorCode());
  }
}

Error writeWholeFile(const Twine &Path, StringRef Data) {
  Expected<int> Opened = createReplacing(Path);
  if (!Opened)
    return Opened.takeError();
  int FD = *Opened;
  std::error_code EC;
  while (!Data.empty()) {
    ssize_t N =
        sys::RetryAfterSignal(-1, ::write, FD, Data.data(), Data.size());
    if (N < 0) {
      EC = errnoAsErrorCode();
      break;
    }
    Data = Data.drop_front(N);
  }
  if (::close(FD) != 0 && !EC)
    EC = errnoAsErrorCode();
  if (EC)
    return createFileError(Path, EC);
  return Error::success();
}

} // namespace ltocache
