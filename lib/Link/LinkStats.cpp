//===- LinkStats.cpp - What happened to the jobs of one link --------------===//

#include "Link/LinkStats.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {

void LinkStats::add(const JobOutcome &O) {
  ++Jobs;
  switch (O.What) {
  case JobOutcome::Hit:
    ++Hits;
    break;
  case JobOutcome::RemoteHit:
    ++FromRemote;
    break;
  case JobOutcome::Miss:
    ++Misses;
    break;
  case JobOutcome::Uncached:
    ++Uncached;
    break;
  }
  switch (O.Remote) {
  case JobOutcome::NotAsked:
    break;
  case JobOutcome::Found:
    ++RemoteAsked;
    ++RemoteHits;
    break;
  case JobOutcome::Abandoned:
    ++RemoteAsked;
    break;
  case JobOutcome::NotFound:
    ++RemoteAsked;
    ++RemoteMisses;
    break;
  case JobOutcome::Error:
    ++RemoteAsked;
    ++RemoteErrors;
    break;
  case JobOutcome::TimedOut:
    ++RemoteAsked;
    ++RemoteTimeouts;
    break;
  case JobOutcome::Untrusted:
    ++RemoteAsked;
    ++RemoteUntrusted;
    break;
  }
  Bypasses += O.Bypassed;
  Corrupt += O.CorruptFound;
  Linked += O.Linked;
  Reflinked += O.Reflinked;
  RemoteWins += O.RemoteWon;
  LocalWins += O.LocalWon;
  Cancelled += O.CompileCancelled;
  Uploads += O.Uploaded;
  UploadFailures += O.UploadFailed;
  Mismatches += O.Mismatch;
  Verified += O.Verified;
  VerifyMismatches += O.VerifyMismatch;
  CompileMicros += O.CompileMicros;
  SavedMicros += O.SavedMicros;
}

std::string LinkStats::summaryLine() const {
  std::string S;
  raw_string_ostream OS(S);
  OS << "ltocache: " << Jobs << " jobs, " << Hits << " hits, " << Misses
     << " misses, " << Bypasses << " bypasses";
  if (FromRemote)
    OS << ", " << FromRemote << " from remote";
  if (Uncached)
    OS << ", " << Uncached << " uncached";
  if (Corrupt)
    OS << ", " << Corrupt << " corrupt";
  if (Linked)
    OS << ", " << Linked << " linked";
  if (Reflinked)
    OS << ", " << Reflinked << " reflinked";
  if (Verified) {
    OS << ", " << Verified << " verified";
    if (VerifyMismatches)
      OS << " (" << VerifyMismatches << " differed)";
  }
  OS << "; compiled " << format("%.2f", CompileMicros / 1e6) << "s, saved "
     << format("%.2f", SavedMicros / 1e6) << "s";
  if (CompileMicros && !Backend.empty() && Backend != "none")
    OS << " (" << Backend << ")";
  if (RemoteAsked) {
    OS << "; remote: " << RemoteHits << " hits, " << RemoteMisses << " misses, "
       << RemoteErrors << " errors, " << RemoteTimeouts << " timeouts";
    if (RemoteUntrusted)
      OS << ", " << RemoteUntrusted << " untrusted";
    OS << "; races: " << RemoteWins << " remote wins, " << LocalWins
       << " local wins, " << Cancelled << " cancelled; " << Uploads
       << " uploads";
    if (UploadFailures)
      OS << ", " << UploadFailures << " upload failures";
    if (!UploadsSkipped.empty())
      OS << " (" << UploadsSkipped << ")";
    if (Mismatches)
      OS << "; " << Mismatches << " determinism mismatches";
  }
  return S;
}

} // namespace ltocache
