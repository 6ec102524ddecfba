//===- FileSystem.h - The filesystem seam under the cache stores -*- C++
//-*-===//
//
// Stores touch the filesystem only through this interface, so tests can
// swap in the fault-injecting implementation and make any step fail with
// any errno, write short, or stall.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_SUPPORT_FILESYSTEM_H
#define LTOCACHE_SUPPORT_FILESYSTEM_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace ltocache {

/// A new file being written. Destroying it closes it (without syncing).
class WritableFile {
public:
  virtual ~WritableFile();
  virtual llvm::Error write(llvm::StringRef Data) = 0;
  /// Flushes the data to stable storage.
  virtual llvm::Error sync() = 0;
  virtual llvm::Error close() = 0;
  virtual const std::string &path() const = 0;
  /// Gives this file (while open) the extra name \p Dest, replacing
  /// whatever was there: a hard link, as ReadableFile::linkTo.
  virtual llvm::Error linkTo(const llvm::Twine &Dest) = 0;
};

/// A file opened for reading, its whole content read. It stays open, so
/// what was verified is what gets shared.
class ReadableFile {
public:
  virtual ~ReadableFile();
  virtual llvm::StringRef contents() const = 0;
  virtual const std::string &path() const = 0;
  /// When the file was last modified (as the file was opened).
  virtual llvm::sys::TimePoint<> modified() const = 0;
  /// Whether the file belongs to this process's effective user: only then
  /// can the user remove a hard link to it from a sticky directory.
  virtual bool ownedByCaller() const = 0;
  /// Creates \p Dest anew (whatever was there is unlinked) and makes it
  /// hold this file's bytes from \p Offset to the end by sharing their
  /// blocks (a reflink): no data is copied, and either file can change
  /// later without touching the other. \p Offset must be a multiple of the
  /// filesystem's block size. Fails where the filesystem cannot share
  /// blocks (ext4, another filesystem than this file's); \p Dest is then
  /// left empty.
  virtual llvm::Error cloneTailTo(uint64_t Offset, const llvm::Twine &Dest) = 0;
  /// Gives this very file (the inode opened, even if its name has since
  /// been replaced) the new name \p Dest, replacing whatever was there: a
  /// hard link, no inode created, no data copied. Fails across
  /// filesystems, where links are refused (protected_hardlinks on another
  /// user's file) and when the file was removed meanwhile.
  virtual llvm::Error linkTo(const llvm::Twine &Dest) = 0;
};

class FileSystem {
public:
  virtual ~FileSystem();

  virtual llvm::Error createDirectories(const llvm::Twine &Path) = 0;
  /// Creates a new file named after \p Model ('%' becomes random hex).
  virtual llvm::Expected<std::unique_ptr<WritableFile>>
  createUniqueFile(const llvm::Twine &Model) = 0;
  /// Atomically replaces \p To with \p From (same filesystem).
  virtual llvm::Error rename(const llvm::Twine &From,
                             const llvm::Twine &To) = 0;
  virtual llvm::Error remove(const llvm::Twine &Path) = 0;
  virtual llvm::Expected<std::unique_ptr<ReadableFile>>
  openFile(const llvm::Twine &Path) = 0;
  /// Sets the modification time to now (marks an entry recently used).
  virtual llvm::Error touch(const llvm::Twine &Path) = 0;
};

/// The real filesystem.
class RealFileSystem : public FileSystem {
public:
  llvm::Error createDirectories(const llvm::Twine &Path) override;
  llvm::Expected<std::unique_ptr<WritableFile>>
  createUniqueFile(const llvm::Twine &Model) override;
  llvm::Error rename(const llvm::Twine &From, const llvm::Twine &To) override;
  llvm::Error remove(const llvm::Twine &Path) override;
  llvm::Expected<std::unique_ptr<ReadableFile>>
  openFile(const llvm::Twine &Path) override;
  llvm::Error touch(const llvm::Twine &Path) override;
};

/// Makes chosen operations misbehave, for tests. \p Spec is a
/// comma-separated list of:
///   op=ERRNO       op fails with ERRNO (EACCES, EPERM, EXDEV, ENOSPC, EBUSY,
///                  EIO, EROFS, EDQUOT, ENOENT, EOPNOTSUPP, EINVAL, EMLINK)
///   op=ERRNO@P     ... with probability P (0..1)
///   write=short    writes only the first half of the data, reports success
///   delay:op=MS    sleeps MS milliseconds before op
/// with op one of mkdir, open (creating a file), write, fsync, rename,
/// remove, read (openFile), touch, clone (cloneTailTo), link (linkTo).
/// Operations not named pass through.
llvm::Expected<std::unique_ptr<FileSystem>>
createFaultInjectingFileSystem(llvm::StringRef Spec,
                               std::unique_ptr<FileSystem> Base);

/// Calls \p Visit for every regular file below \p Dir (recursively). A
/// missing directory has no files; files that vanish while walking (a
/// concurrent pruner) are skipped. Read-only, so outside the fault seam.
std::error_code walkRegularFiles(
    const llvm::Twine &Dir,
    llvm::function_ref<void(llvm::StringRef Path,
                            const llvm::sys::fs::file_status &Status)>
        Visit);

/// The filesystem the configuration asks for: real, or fault-injecting when
/// \p FaultSpec is non-empty.
llvm::Expected<std::unique_ptr<FileSystem>>
createFileSystem(llvm::StringRef FaultSpec);

} // namespace ltocache

#endif
