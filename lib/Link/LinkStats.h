//===- LinkStats.h - What happened to the jobs of one link ------*- C++ -*-===//
#ifndef LTOCACHE_LINK_LINKSTATS_H
#define LTOCACHE_LINK_LINKSTATS_H

#include <cstdint>
#include <string>

namespace ltocache {

/// The outcome of one job, filled by whoever settled it.
struct JobOutcome {
  enum Kind {
    Hit,       ///< From the local store.
    RemoteHit, ///< From the remote store.
    Miss,      ///< Compiled in this link.
    Uncached   ///< Compiled, no key.
  } What = Uncached;
  /// What the remote said, for jobs that were looked up there.
  enum RemoteKind {
    NotAsked,
    Found,     ///< A valid entry (used, or it lost the race).
    NotFound,  ///< 404.
    Error,     ///< Failed, or served an entry that did not verify.
    TimedOut,  ///< No answer within the request timeout or the budget.
    Abandoned, ///< Still unanswered when the link no longer needed it.
    Untrusted, ///< An entry without a trusted signature (trusted keys set).
  } Remote = NotAsked;
  bool Bypassed = false;     ///< Compiled, but the store was not written.
  bool CorruptFound = false; ///< A bad entry was found and moved aside.
  bool Linked = false;       ///< A hit put in place as a hard link, no copy.
  bool Reflinked = false;    ///< A hit put in place by sharing blocks, no copy.
  bool RemoteWon = false;    ///< The remote answered while compiling.
  bool LocalWon = false;     ///< Compiled while the lookup was pending.
  bool CompileCancelled = false; ///< A compile was stopped or abandoned.
  bool Uploaded = false, UploadFailed = false;
  bool Mismatch = false;       ///< Determinism check: remote != local.
  bool Verified = false;       ///< A hit also compiled, and compared.
  bool VerifyMismatch = false; ///< ...and the fresh object differed.
  uint64_t CompileMicros = 0;  ///< Spent compiling in this link.
  uint64_t SavedMicros = 0;    ///< What the hit cost when it was compiled.
};

/// Totals for a link, merged from the job outcomes at the end.
struct LinkStats {
  unsigned Jobs = 0, Hits = 0, Misses = 0, Uncached = 0, Bypasses = 0,
           Corrupt = 0, Linked = 0, Reflinked = 0;
  /// FromRemote: jobs whose object came from the remote; RemoteHits: jobs
  /// the remote had a valid entry for (used or not).
  unsigned FromRemote = 0, RemoteAsked = 0, RemoteHits = 0, RemoteMisses = 0,
           RemoteErrors = 0, RemoteTimeouts = 0, RemoteUntrusted = 0,
           RemoteWins = 0, LocalWins = 0, Cancelled = 0, Uploads = 0,
           UploadFailures = 0, Mismatches = 0;
  /// Hits compiled again and compared (--verify-hits), and how many of
  /// those differed from the cached object.
  unsigned Verified = 0, VerifyMismatches = 0;
  /// Key inputs (the compiler's identity, jobs' memos) the remote had, and
  /// those this link computed and shared with it (Key/SharedKeyInputs.h).
  unsigned KeyInputsFromRemote = 0, KeyInputUploads = 0,
           KeyInputUploadFailures = 0;
  uint64_t CompileMicros = 0, SavedMicros = 0;
  std::string Backend; ///< What compiled the misses, if any.
  /// Set when uploads were not attempted, and why.
  std::string UploadsSkipped;

  void add(const JobOutcome &O);
  /// The one line printed per link.
  std::string summaryLine() const;
};

} // namespace ltocache

#endif
