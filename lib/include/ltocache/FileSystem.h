//===- FileSystem.h - The filesystem seam under the cache stores -*- C++
//-*-===//
//
// Stores touch the filesystem only through this interface, so tests can
// swap in FaultInjectingFileSystem and make any step fail with any errno.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_FILESYSTEM_H
#define LTOCACHE_FILESYSTEM_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>

namespace ltocache {

class FileSystem {
public:
  virtual ~FileSystem();

  virtual llvm::Error createDirectories(const llvm::Twine &Path) = 0;
  /// Creates a new file next to \p Model ("%" replaced by random hex),
  /// writes \p Data and closes it. Returns the path written.
  virtual llvm::Expected<std::string> writeUniqueFile(const llvm::Twine &Model,
                                                      llvm::StringRef Data) = 0;
  /// Atomically replaces \p To with \p From (same filesystem).
  virtual llvm::Error rename(const llvm::Twine &From,
                             const llvm::Twine &To) = 0;
  virtual llvm::Error remove(const llvm::Twine &Path) = 0;
  virtual llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  readFile(const llvm::Twine &Path) = 0;
};

/// The real filesystem.
class RealFileSystem : public FileSystem {
public:
  llvm::Error createDirectories(const llvm::Twine &Path) override;
  llvm::Expected<std::string> writeUniqueFile(const llvm::Twine &Model,
                                              llvm::StringRef Data) override;
  llvm::Error rename(const llvm::Twine &From, const llvm::Twine &To) override;
  llvm::Error remove(const llvm::Twine &Path) override;
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  readFile(const llvm::Twine &Path) override;
};

/// Makes chosen operations fail, for tests. \p Spec is a comma-separated
/// list of `op=ERRNO` with op one of mkdir, write, rename, remove, read
/// (e.g. "rename=EXDEV,write=ENOSPC"). Operations not named pass through.
llvm::Expected<std::unique_ptr<FileSystem>>
createFaultInjectingFileSystem(llvm::StringRef Spec,
                               std::unique_ptr<FileSystem> Base);

/// The filesystem the configuration asks for: real, or fault-injecting when
/// \p FaultSpec is non-empty.
llvm::Expected<std::unique_ptr<FileSystem>>
createFileSystem(llvm::StringRef FaultSpec);

} // namespace ltocache

#endif
