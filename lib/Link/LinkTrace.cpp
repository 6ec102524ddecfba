//===- LinkTrace.cpp - A link's timeline as Chrome trace events -----------===//

#include "Link/LinkTrace.h"
#include "Link/LinkStats.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>

using namespace llvm;

namespace ltocache {

LinkTrace::LinkTrace(Clock::time_point Zero)
    : Zero(Zero), Pid(static_cast<int>(sys::Process::getProcessId())) {}

int64_t LinkTrace::micros(Clock::time_point T) const {
  return std::chrono::duration_cast<std::chrono::microseconds>(T - Zero)
      .count();
}

void LinkTrace::add(json::Object Event) {
  Event["pid"] = Pid;
  Event["tid"] = static_cast<int64_t>(::gettid());
  std::lock_guard<std::mutex> G(Lock);
  Events.push_back(std::move(Event));
}

void LinkTrace::nameThread(StringRef Name) {
  int Tid = ::gettid();
  int64_t Order;
  {
    std::lock_guard<std::mutex> G(Lock);
    if (is_contained(NamedThreads, Tid))
      return;
    NamedThreads.push_back(Tid);
    Order = NamedThreads.size();
  }
  // Tracks in the order threads were named: main, then the phases' threads.
  add(json::Object{{"name", "thread_name"},
                   {"ph", "M"},
                   {"args", json::Object{{"name", Name}}}});
  add(json::Object{{"name", "thread_sort_index"},
                   {"ph", "M"},
                   {"args", json::Object{{"sort_index", Order}}}});
}

void LinkTrace::span(StringRef Name, StringRef Category,
                     Clock::time_point Start, Clock::time_point End,
                     json::Object Args) {
  int64_t Ts = micros(Start);
  add(json::Object{{"name", Name},
                   {"cat", Category},
                   {"ph", "X"},
                   {"ts", Ts},
                   {"dur", std::max<int64_t>(0, micros(End) - Ts)},
                   {"args", std::move(Args)}});
}

void LinkTrace::asyncSpan(StringRef Name, StringRef Category, uint64_t Id,
                          Clock::time_point Start, Clock::time_point End,
                          json::Object Args) {
  std::string Hex = "0x" + utohexstr(Id);
  add(json::Object{{"name", Name},
                   {"cat", Category},
                   {"ph", "b"},
                   {"id", Hex},
                   {"ts", micros(Start)},
                   {"args", std::move(Args)}});
  add(json::Object{{"name", Name},
                   {"cat", Category},
                   {"ph", "e"},
                   {"id", Hex},
                   {"ts", micros(End)}});
}

void LinkTrace::instant(StringRef Name, StringRef Category, json::Object Args) {
  add(json::Object{{"name", Name},
                   {"cat", Category},
                   {"ph", "i"},
                   {"s", "t"},
                   {"ts", micros(Clock::now())},
                   {"args", std::move(Args)}});
}

void LinkTrace::setMetadata(StringRef Key, json::Value Value) {
  std::lock_guard<std::mutex> G(Lock);
  Metadata[Key] = std::move(Value);
}

void LinkTrace::setCounters(const LinkStats &S) {
  json::Object C{{"jobs", S.Jobs},
                 {"hits", S.Hits},
                 {"misses", S.Misses},
                 {"uncached", S.Uncached},
                 {"bypasses", S.Bypasses},
                 {"corrupt", S.Corrupt},
                 {"linked", S.Linked},
                 {"reflinked", S.Reflinked},
                 {"from_remote", S.FromRemote},
                 {"remote_asked", S.RemoteAsked},
                 {"remote_hits", S.RemoteHits},
                 {"remote_misses", S.RemoteMisses},
                 {"remote_errors", S.RemoteErrors},
                 {"remote_timeouts", S.RemoteTimeouts},
                 {"remote_wins", S.RemoteWins},
                 {"local_wins", S.LocalWins},
                 {"cancelled", S.Cancelled},
                 {"uploads", S.Uploads},
                 {"upload_failures", S.UploadFailures},
                 {"mismatches", S.Mismatches},
                 {"key_inputs_from_remote", S.KeyInputsFromRemote},
                 {"key_input_uploads", S.KeyInputUploads},
                 {"key_input_upload_failures", S.KeyInputUploadFailures},
                 {"compile_us", static_cast<int64_t>(S.CompileMicros)},
                 {"saved_us", static_cast<int64_t>(S.SavedMicros)}};
  setMetadata("counters", std::move(C));
  setMetadata("summary", S.summaryLine());
  if (!S.Backend.empty())
    setMetadata("backend", S.Backend);
}

Error LinkTrace::write(StringRef Path) const {
  std::string Out;
  {
    std::lock_guard<std::mutex> G(Lock);
    raw_string_ostream OS(Out);
    json::OStream J(OS);
    J.object([&] {
      J.attribute("displayTimeUnit", "ms");
      J.attributeArray("traceEvents", [&] {
        for (const json::Value &E : Events)
          J.value(E);
      });
      J.attribute("otherData", json::Object(Metadata));
    });
  }
  Out += "\n";
  // Whole or not at all: a viewer never reads half a trace.
  if (StringRef Dir = sys::path::parent_path(Path); !Dir.empty())
    if (std::error_code EC = sys::fs::create_directories(Dir))
      return createFileError(Dir, EC);
  std::string Temp =
      (Path + ".tmp-" + Twine(sys::Process::getProcessId())).str();
  if (Error E = writeWholeFile(Temp, Out))
    return E;
  if (std::error_code EC = sys::fs::rename(Temp, Path)) {
    sys::fs::remove(Temp);
    return createFileError(Path, EC);
  }
  return Error::success();
}

std::string LinkTrace::pathFor(StringRef Value, StringRef LinkerOutput) {
  if (!Value.ends_with("/") && !sys::fs::is_directory(Value))
    return Value.str();
  StringRef Name = sys::path::filename(LinkerOutput);
  SmallString<256> P(Value);
  sys::path::append(P, (Name.empty() ? StringRef("link") : Name) + "." +
                           Twine(sys::Process::getProcessId()) + ".trace.json");
  return std::string(P);
}

} // namespace ltocache
