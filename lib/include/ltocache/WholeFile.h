//===- WholeFile.h - Reading and writing a whole small file -----*- C++ -*-===//
//
// A link reads and writes many small files (modules, shards, entries, job
// outputs), from several threads at once. These use plain read(2) and
// write(2): a mapping per file would cost a munmap that interrupts every
// other thread of the process (TLB shootdown), and LLVM's streams block
// signals around every close.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_WHOLEFILE_H
#define LTOCACHE_WHOLEFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace ltocache {

/// The whole file at \p Path, read into memory.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readWholeFile(const llvm::Twine &Path);

/// \p Size bytes of the open file \p FD from its start, into a buffer
/// named \p Name (fewer if the file shrank meanwhile).
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readOpenFile(int FD, uint64_t Size, llvm::StringRef Name);

/// Creates (or truncates) \p Path and writes \p Data.
llvm::Error writeWholeFile(const llvm::Twine &Path, llvm::StringRef Data);

} // namespace ltocache

#endif
