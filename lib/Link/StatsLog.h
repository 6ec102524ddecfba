//===- StatsLog.h - Counters kept across links in a store -------*- C++ -*-===//
//
// v1/stats.log holds one JSON line per link (and per explicit prune),
// appended with a single write, so concurrent links never interleave
// within a line. Readers sum the lines; a malformed line is skipped.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_STATSLOG_H
#define LTOCACHE_LINK_STATSLOG_H

#include "Link/LinkStats.h"
#include "Store/Pruner.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace ltocache {

struct StoreCounters {
  uint64_t Links = 0, Jobs = 0, Hits = 0, Misses = 0, Uncached = 0,
           Bypasses = 0, Corrupt = 0, Prunes = 0, PrunedEntries = 0,
           PrunedBytes = 0, CompileMicros = 0, SavedMicros = 0;
  uint64_t FromRemote = 0, RemoteHits = 0, RemoteMisses = 0, RemoteErrors = 0,
           RemoteTimeouts = 0, RemoteUntrusted = 0, RemoteWins = 0,
           LocalWins = 0, Cancelled = 0, Uploads = 0, UploadFailures = 0,
           Mismatches = 0;
  uint64_t Verified = 0, VerifyMismatches = 0;
  uint64_t KeyInputsFromRemote = 0, KeyInputUploads = 0,
           KeyInputUploadFailures = 0;
};

/// Appends one link's counters (and its prune, if it ran) to the log under
/// \p Root (the store's "v1" directory). Best effort: failures are ignored,
/// statistics never fail a link.
void recordLink(llvm::StringRef Root, const LinkStats &Link,
                const PruneResult &Prune);
/// Appends an explicit prune (`ltocache prune`).
void recordPrune(llvm::StringRef Root, const PruneResult &Prune);

/// Sums the log under \p Root.
StoreCounters readCounters(llvm::StringRef Root);

} // namespace ltocache

#endif
