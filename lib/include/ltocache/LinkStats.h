//===- LinkStats.h - What happened to the jobs of one link ------*- C++ -*-===//
#ifndef LTOCACHE_LINKSTATS_H
#define LTOCACHE_LINKSTATS_H

#include <cstdint>
#include <string>

namespace ltocache {

/// The outcome of one job, filled by the worker that ran it.
struct JobOutcome {
  enum Kind { Hit, Miss, Uncached } What = Uncached;
  bool Bypassed = false;      ///< Compiled, but the store was not written.
  bool CorruptFound = false;  ///< A bad entry was found and moved aside.
  uint64_t CompileMicros = 0; ///< Spent compiling in this link.
  uint64_t SavedMicros = 0;   ///< What the hit cost when it was compiled.
};

/// Totals for a link, merged from the job outcomes at the end.
struct LinkStats {
  unsigned Jobs = 0, Hits = 0, Misses = 0, Uncached = 0, Bypasses = 0,
           Corrupt = 0;
  uint64_t CompileMicros = 0, SavedMicros = 0;
  std::string Backend; ///< What compiled the misses, if any.

  void add(const JobOutcome &O);
  /// The one line printed per link.
  std::string summaryLine() const;
};

} // namespace ltocache

#endif
