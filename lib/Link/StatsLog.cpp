//===- StatsLog.cpp - Counters kept across links in a store ---------------===//

#include "Link/StatsLog.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <unistd.h>

using namespace llvm;

namespace ltocache {

static std::string logPath(StringRef Root) {
  SmallString<256> P(Root);
  sys::path::append(P, "stats.log");
  return std::string(P);
}

static void append(StringRef Root, json::Object Record) {
  std::string Line;
  raw_string_ostream OS(Line);
  OS << json::Value(std::move(Record)) << "\n";
  int FD;
  if (sys::fs::openFileForWrite(logPath(Root), FD, sys::fs::CD_OpenAlways,
                                sys::fs::OF_Append))
    return;
  // One write() of a short line: O_APPEND keeps concurrent lines whole.
  (void)!::write(FD, Line.data(), Line.size());
  sys::Process::SafelyCloseFileDescriptor(FD);
}

static void addPrune(json::Object &O, const PruneResult &P) {
  O["prunes"] = 1;
  O["pruned_entries"] = static_cast<int64_t>(P.Removed);
  O["pruned_bytes"] = static_cast<int64_t>(P.RemovedBytes);
}

void recordLink(StringRef Root, const LinkStats &L, const PruneResult &P) {
  json::Object O{{"links", 1},
                 {"jobs", L.Jobs},
                 {"hits", L.Hits},
                 {"misses", L.Misses},
                 {"uncached", L.Uncached},
                 {"bypasses", L.Bypasses},
                 {"corrupt", L.Corrupt},
                 {"compile_us", static_cast<int64_t>(L.CompileMicros)},
                 {"saved_us", static_cast<int64_t>(L.SavedMicros)}};
  // Remote counters only when a remote was asked: most lines stay short.
  if (L.RemoteAsked) {
    O["from_remote"] = L.FromRemote;
    O["remote_hits"] = L.RemoteHits;
    O["remote_misses"] = L.RemoteMisses;
    O["remote_errors"] = L.RemoteErrors;
    O["remote_timeouts"] = L.RemoteTimeouts;
    O["remote_untrusted"] = L.RemoteUntrusted;
    O["remote_wins"] = L.RemoteWins;
    O["local_wins"] = L.LocalWins;
    O["cancelled"] = L.Cancelled;
    O["uploads"] = L.Uploads;
    O["upload_failures"] = L.UploadFailures;
    O["mismatches"] = L.Mismatches;
  }
  if (L.KeyInputsFromRemote || L.KeyInputUploads || L.KeyInputUploadFailures) {
    O["key_inputs_from_remote"] = L.KeyInputsFromRemote;
    O["key_input_uploads"] = L.KeyInputUploads;
    O["key_input_upload_failures"] = L.KeyInputUploadFailures;
  }
  if (L.Verified) {
    O["verified"] = L.Verified;
    O["verify_mismatches"] = L.VerifyMismatches;
  }
  if (P.Ran)
    addPrune(O, P);
  append(Root, std::move(O));
}

void recordPrune(StringRef Root, const PruneResult &P) {
  json::Object O;
  addPrune(O, P);
  append(Root, std::move(O));
}

StoreCounters readCounters(StringRef Root) {
  StoreCounters C;
  auto Buf = MemoryBuffer::getFile(logPath(Root));
  if (!Buf)
    return C;
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef Line : Lines) {
    auto V = json::parse(Line);
    if (!V) {
      consumeError(V.takeError());
      continue;
    }
    const json::Object *O = V->getAsObject();
    if (!O)
      continue;
    auto Get = [&](StringRef Key) -> uint64_t {
      std::optional<int64_t> I = O->getInteger(Key);
      return I && *I > 0 ? static_cast<uint64_t>(*I) : 0;
    };
    C.Links += Get("links");
    C.Jobs += Get("jobs");
    C.Hits += Get("hits");
    C.Misses += Get("misses");
    C.Uncached += Get("uncached");
    C.Bypasses += Get("bypasses");
    C.Corrupt += Get("corrupt");
    C.Prunes += Get("prunes");
    C.PrunedEntries += Get("pruned_entries");
    C.PrunedBytes += Get("pruned_bytes");
    C.CompileMicros += Get("compile_us");
    C.FromRemote += Get("from_remote");
    C.RemoteHits += Get("remote_hits");
    C.RemoteMisses += Get("remote_misses");
    C.RemoteErrors += Get("remote_errors");
    C.RemoteTimeouts += Get("remote_timeouts");
    C.RemoteUntrusted += Get("remote_untrusted");
    C.RemoteWins += Get("remote_wins");
    C.LocalWins += Get("local_wins");
    C.Cancelled += Get("cancelled");
    C.Uploads += Get("uploads");
    C.UploadFailures += Get("upload_failures");
    C.Mismatches += Get("mismatches");
    C.KeyInputsFromRemote += Get("key_inputs_from_remote");
    C.KeyInputUploads += Get("key_input_uploads");
    C.KeyInputUploadFailures += Get("key_input_upload_failures");
    C.Verified += Get("verified");
    C.VerifyMismatches += Get("verify_mismatches");
    C.SavedMicros += Get("saved_us");
  }
  return C;
}

} // namespace ltocache
