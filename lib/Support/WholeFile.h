//===- WholeFile.h - Reading and writing a whole small file -----*- C++ -*-===//
//
// A link reads and writes many small files (modules, shards, entries, job
// outputs), from several threads at once. These use plain read(2) and
// write(2): a mapping per file would cost a munmap that interrupts every
// other thread of the process (TLB shootdown), and LLVM's streams block
// signals around every close.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_SUPPORT_WHOLEFILE_H
#define LTOCACHE_SUPPORT_WHOLEFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

struct stat;

namespace ltocache {

/// The whole file at \p Path, read into memory. With \p KeepFD the file
/// stays open and its descriptor is returned there (the caller closes it);
/// \p Modified, if given, receives its modification time, \p Owner its
/// owner's user ID, and \p Status all of the open file's status, taken
/// before it was read.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readWholeFile(const llvm::Twine &Path, int *KeepFD = nullptr,
              llvm::sys::TimePoint<> *Modified = nullptr,
              unsigned *Owner = nullptr, struct stat *Status = nullptr);

/// Creates \p Path as a new file for writing; the caller closes the
/// descriptor. A file already there is unlinked, never truncated: it may be
/// a hard link to a cache entry (a hit put in place by an earlier link that
/// died before removing it), and writing through it would damage the entry.
llvm::Expected<int> createReplacing(const llvm::Twine &Path);

/// Creates \p Path as a new file (createReplacing) and writes \p Data.
llvm::Error writeWholeFile(const llvm::Twine &Path, llvm::StringRef Data);

} // namespace ltocache

#endif
