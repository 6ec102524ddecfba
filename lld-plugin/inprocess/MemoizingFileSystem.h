//===- MemoizingFileSystem.h - The driver's remembered lookups -*- C++ -*-===//
//
// clang's driver probes ~150 paths per job (GCC installations, multilib
// directories, resource directories) to build a cc1 command. Within one
// link the answers cannot change in a way that matters, and a link runs
// the driver once per job, on several threads: this filesystem answers
// status queries and directory listings from memory after the first time.
// Files are still opened and read for real.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_MEMOIZINGFILESYSTEM_H
#define LTOCACHE_MEMOIZINGFILESYSTEM_H

#include "llvm/ADT/IntrusiveRefCntPtr.h"
#include "llvm/Support/VirtualFileSystem.h"

namespace ltocache {

/// A thread-safe view of \p Base whose status() and dir_begin() results are
/// remembered for the life of the object.
llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>
createMemoizingFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> Base);

} // namespace ltocache

#endif
