//===- FileDigests.h - Input digests, once per link -------------*- C++ -*-===//
//
// Every input of a link is hashed once per link. Across links a digest is
// remembered by the file's identity (FileSignature: device, inode, size,
// modification and change times), as git's index and ccache's direct mode
// do, so a warm link reads no module. The change time cannot be set by a
// user and moves with every write, but only as often as the kernel's coarse
// clock ticks: a file changed less than two seconds before the link is not
// remembered (a write in the same tick could leave its signature as it
// was), and is hashed again next time.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_FILEDIGESTS_H
#define LTOCACHE_KEY_FILEDIGESTS_H

#include "Key/CacheKey.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/Error.h"

#include <mutex>
#include <optional>

struct stat;

namespace ltocache {

/// What identifies one version of a file's contents.
struct FileSignature {
  uint64_t Device = 0, Inode = 0, Size = 0;
  int64_t ModifiedNanos = 0, ChangedNanos = 0;

  static FileSignature of(const struct stat &St);
  bool operator==(const FileSignature &O) const {
    return Device == O.Device && Inode == O.Inode && Size == O.Size &&
           ModifiedNanos == O.ModifiedNanos && ChangedNanos == O.ChangedNanos;
  }
};

/// Digests remembered across links, by path and signature (the seam a
/// store implements: Store/DigestTable.h). Thread-safe.
class DigestMemo {
public:
  virtual ~DigestMemo();
  virtual std::optional<Digest> find(llvm::StringRef Path,
                                     const FileSignature &S) = 0;
  virtual void record(llvm::StringRef Path, const FileSignature &S,
                      const Digest &D) = 0;
};

/// Digests of input files, each file read and hashed once per link.
/// Thread-safe.
class FileDigests {
public:
  /// Remember digests across links in \p Memo (may be null); \p LinkStart
  /// is when the link began, against which a file's change is settled.
  void useMemo(DigestMemo *M, llvm::sys::TimePoint<> LinkStart) {
    Memo = M;
    Start = LinkStart;
  }

  llvm::Expected<Digest> get(llvm::StringRef Path);
  void remember(llvm::StringRef Path, const Digest &D);

private:
  llvm::Expected<Digest> compute(llvm::StringRef Path);
  bool settled(const FileSignature &S) const;

  DigestMemo *Memo = nullptr;
  llvm::sys::TimePoint<> Start;
  std::mutex Lock;
  llvm::StringMap<Digest> Known;
};

} // namespace ltocache

#endif
