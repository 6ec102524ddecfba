//===- LinkTrace.h - A link's timeline as Chrome trace events ---*- C++ -*-===//
//
// --trace=<file> records what one link did and when: its phases; per job
// its key, local lookup, compile, remote lookup, race outcome and
// publication; the uploads. Spans are complete events ("X") on one track
// per thread (each worker is a thread), lookups and uploads that overlap on
// one thread are async spans ("b"/"e"), and the link's counters are
// metadata ("otherData"). The file is the Trace Event Format's JSON object:
// it opens in Perfetto UI and chrome://tracing.
//
// Off by default, and then free: every hook takes a LinkTrace pointer that
// is null, and a TraceSpan over a null trace reads no clock and allocates
// nothing.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_LINKTRACE_H
#define LTOCACHE_LINK_LINKTRACE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace ltocache {

struct LinkStats;

class LinkTrace {
public:
  using Clock = std::chrono::steady_clock;

  /// \p Zero is time 0 of the trace (the program's start).
  explicit LinkTrace(Clock::time_point Zero = Clock::now());

  /// Names the calling thread's track (the first name given wins).
  void nameThread(llvm::StringRef Name);
  /// A span on the calling thread's track.
  void span(llvm::StringRef Name, llvm::StringRef Category,
            Clock::time_point Start, Clock::time_point End,
            llvm::json::Object Args = {});
  /// A span that may overlap others of the calling thread (a remote lookup
  /// among many in flight); \p Id tells it from the others.
  void asyncSpan(llvm::StringRef Name, llvm::StringRef Category, uint64_t Id,
                 Clock::time_point Start, Clock::time_point End,
                 llvm::json::Object Args = {});
  /// A moment on the calling thread's track.
  void instant(llvm::StringRef Name, llvm::StringRef Category,
               llvm::json::Object Args = {});
  /// Metadata of the whole link (shown beside the timeline).
  void setMetadata(llvm::StringRef Key, llvm::json::Value Value);
  /// The link's counters and summary line, as metadata.
  void setCounters(const LinkStats &Stats);

  /// Writes the trace to \p Path (through a temporary, renamed into place).
  llvm::Error write(llvm::StringRef Path) const;

  /// Where a link of \p LinkerOutput writes its trace, given the setting's
  /// \p Value: the file named, or, for a directory (an existing one, or a
  /// value ending in '/'), "<dir>/<output file name>.<pid>.trace.json", so
  /// that the links of a whole build keep a trace each.
  static std::string pathFor(llvm::StringRef Value,
                             llvm::StringRef LinkerOutput);

private:
  int64_t micros(Clock::time_point T) const;
  void add(llvm::json::Object Event);

  Clock::time_point Zero;
  int Pid;
  mutable std::mutex Lock;
  std::vector<llvm::json::Value> Events;
  std::vector<int> NamedThreads;
  llvm::json::Object Metadata;
};

/// Names the calling thread's track, if there is a trace.
inline void traceThread(LinkTrace *Trace, llvm::StringRef Name) {
  if (Trace)
    Trace->nameThread(Name);
}

/// A span of the calling thread from construction to end() or destruction,
/// recorded if \p Trace is not null; with a null trace it does nothing.
class TraceSpan {
public:
  TraceSpan(LinkTrace *Trace, llvm::StringRef Name, llvm::StringRef Category)
      : Trace(Trace), Name(Name), Category(Category) {
    if (Trace)
      Start = LinkTrace::Clock::now();
  }
  TraceSpan(const TraceSpan &) = delete;
  TraceSpan &operator=(const TraceSpan &) = delete;
  ~TraceSpan() { end(); }

  /// Whether the span is recorded: compute arguments only then.
  explicit operator bool() const { return Trace; }
  void arg(llvm::StringRef Key, llvm::json::Value Value) {
    if (Trace)
      Args[Key] = std::move(Value);
  }
  void end() {
    if (!Trace)
      return;
    Trace->span(Name, Category, Start, LinkTrace::Clock::now(),
                std::move(Args));
    Trace = nullptr;
  }

private:
  LinkTrace *Trace;
  llvm::StringRef Name, Category;
  LinkTrace::Clock::time_point Start;
  llvm::json::Object Args;
};

} // namespace ltocache

#endif
