//===- Pruner.h - Keeps a local store within its policy ---------*- C++ -*-===//
//
// Policy strings are lld's --thinlto-cache-policy grammar (prune_interval,
// prune_after, cache_size, cache_size_bytes, cache_size_files), parsed by
// LLVM's own parseCachePruningPolicy. Entries are removed least recently
// used first (a hit refreshes an entry's modification time).
//
// Safe while other processes read, write and prune: entries are never
// changed in place, only created by rename and removed by unlink, so a
// reader holds either the whole old file or gets a miss; a candidate whose
// modification time changed since the scan is left alone.
//
// Memos of key inputs follow the objects; link records (v1/links/, for
// `ltocache explain`) go when they expire.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_STORE_PRUNER_H
#define LTOCACHE_STORE_PRUNER_H

#include "Support/FileSystem.h"

#include "llvm/Support/CachePruning.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace ltocache {

/// lld's defaults: every 20 minutes, entries unused for a week, at most 75%
/// of the free space.
constexpr llvm::StringLiteral DefaultPolicy =
    "prune_interval=20m:prune_after=168h:cache_size=75%";

llvm::Expected<llvm::CachePruningPolicy> parsePolicy(llvm::StringRef Policy);

struct PruneResult {
  bool Ran = false;     ///< False when the interval had not elapsed.
  uint64_t Scanned = 0; ///< Entries (and kept corrupt files) seen.
  uint64_t Removed = 0; ///< Entries removed.
  uint64_t RemovedBytes = 0;
  uint64_t KeptFiles = 0, KeptBytes = 0;
  uint64_t StaleTemporaries = 0; ///< Temporary files of dead writers removed.
};

/// Prunes the store rooted at \p Root (the "v1" directory) if the policy's
/// interval has elapsed since the last prune, or always when \p Force.
llvm::Expected<PruneResult> pruneStore(llvm::StringRef Root,
                                       const llvm::CachePruningPolicy &Policy,
                                       FileSystem &FS, bool Force);

/// True if the temporary file \p Name (in v1/tmp), last modified at
/// \p Modified, belongs to no live writer: its writer ran on this host and
/// is gone, or it is older than \p MaxAge (a writer on another host).
bool isStaleTemporary(llvm::StringRef Name,
                      std::chrono::system_clock::time_point Modified,
                      std::chrono::system_clock::time_point Now,
                      std::chrono::seconds MaxAge = std::chrono::hours(1));

/// The prefix of this process's temporary file names: "<host>-<pid>-".
std::string temporaryPrefix();

} // namespace ltocache

#endif
