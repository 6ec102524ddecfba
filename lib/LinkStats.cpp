//===- LinkStats.cpp - What happened to the jobs of one link --------------===//

#include "ltocache/LinkStats.h"

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
  case JobOutcome::Miss:
    ++Misses;
    break;
  case JobOutcome::Uncached:
    ++Uncached;
    break;
  }
  Bypasses += O.Bypassed;
  Corrupt += O.CorruptFound;
  CompileMicros += O.CompileMicros;
  SavedMicros += O.SavedMicros;
}

std::string LinkStats::summaryLine() const {
  std::string S;
  raw_string_ostream OS(S);
  OS << "ltocache: " << Jobs << " jobs, " << Hits << " hits, " << Misses
     << " misses, " << Bypasses << " bypasses";
  if (Uncached)
    OS << ", " << Uncached << " uncached";
  if (Corrupt)
    OS << ", " << Corrupt << " corrupt";
  OS << "; compiled " << format("%.2f", CompileMicros / 1e6) << "s, saved "
     << format("%.2f", SavedMicros / 1e6) << "s";
  if (CompileMicros && !Backend.empty() && Backend != "none")
    OS << " (" << Backend << ")";
  return S;
}

} // namespace ltocache
