//===- FileDigests.cpp - Input digests, once per link ---------------------===//

#include "Key/FileDigests.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/SmallString.h"

#include <sys/stat.h>

using namespace llvm;

namespace ltocache {

DigestMemo::~DigestMemo() = default;

FileSignature FileSignature::of(const struct stat &St) {
  FileSignature S;
  S.Device = St.st_dev;
  S.Inode = St.st_ino;
  S.Size = St.st_size;
  S.ModifiedNanos =
      int64_t(St.st_mtim.tv_sec) * 1000000000 + St.st_mtim.tv_nsec;
  S.ChangedNanos = int64_t(St.st_ctim.tv_sec) * 1000000000 + St.st_ctim.tv_nsec;
  return S;
}

bool FileDigests::settled(const FileSignature &S) const {
  int64_t Limit = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      (Start - std::chrono::seconds(2)).time_since_epoch())
                      .count();
  return S.ChangedNanos < Limit && S.ModifiedNanos < Limit;
}

Expected<Digest> FileDigests::compute(StringRef Path) {
  if (!Memo)
    return hashFile(Path);
  SmallString<256> P(Path);
  struct stat St;
  if (::stat(P.c_str(), &St) == 0 && S_ISREG(St.st_mode)) {
    FileSignature S = FileSignature::of(St);
    if (settled(S))
      if (std::optional<Digest> D = Memo->find(Path, S))
        return *D;
  }
  // The signature of the bytes hashed is the one taken from the open file
  // before reading: a write after it changes the change time.
  struct stat Read;
  auto Buf = readWholeFile(Path, nullptr, nullptr, nullptr, &Read);
  if (!Buf)
    return Buf.takeError();
  Digest D = hashBytes((*Buf)->getBuffer());
  FileSignature S = FileSignature::of(Read);
  if (settled(S))
    Memo->record(Path, S, D);
  return D;
}

Expected<Digest> FileDigests::get(StringRef Path) {
  {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Known.find(Path);
    if (It != Known.end())
      return It->second;
  }
  auto D = compute(Path);
  if (!D)
    return D.takeError();
  remember(Path, *D);
  return *D;
}

void FileDigests::remember(StringRef Path, const Digest &D) {
  std::lock_guard<std::mutex> G(Lock);
  Known.try_emplace(Path, D);
}

} // namespace ltocache
