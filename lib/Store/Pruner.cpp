//===- Pruner.cpp - Keeps a local store within its policy -----------------===//

#include "Store/Pruner.h"
#include "Key/CacheKey.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <set>
#include <unistd.h>

using namespace llvm;
using namespace std::chrono;

namespace ltocache {

Expected<CachePruningPolicy> parsePolicy(StringRef Policy) {
  auto P = parseCachePruningPolicy(Policy);
  if (!P)
    return createStringError("invalid cache policy '%s': %s",
                             Policy.str().c_str(),
                             toString(P.takeError()).c_str());
  return *P;
}

/// 8 hex digits of SHA-256 of the host name: a fixed-width token with no
/// '-' in it, whatever the host is called.
static std::string hostTag() {
  char Name[256] = {0};
  gethostname(Name, sizeof(Name) - 1);
  return llvm::toHex(SHA256::hash(arrayRefFromStringRef(StringRef(Name))),
                     /*LowerCase=*/true)
      .substr(0, 8);
}

std::string temporaryPrefix() {
  static const std::string Host = hostTag();
  return Host + "-" + std::to_string(sys::Process::getProcessId()) + "-";
}

bool isStaleTemporary(StringRef Name, system_clock::time_point Modified,
                      system_clock::time_point Now, seconds MaxAge) {
  if (Now - Modified > MaxAge)
    return true;
  // "<host>-<pid>-...": on this host, a writer that no longer exists.
  SmallVector<StringRef, 3> Parts;
  Name.split(Parts, '-', 2);
  static const std::string Host = hostTag();
  unsigned long Pid;
  if (Parts.size() < 3 || Parts[0] != Host || Parts[1].getAsInteger(10, Pid))
    return false;
  return ::kill(static_cast<pid_t>(Pid), 0) != 0 && errno == ESRCH;
}

namespace {
struct Candidate {
  std::string Path;
  system_clock::time_point Modified;
  uint64_t Size;
};

void scan(StringRef Dir, std::vector<Candidate> &Out) {
  // A directory that cannot be walked is simply not pruned this time.
  (void)walkRegularFiles(
      Dir, [&](StringRef Path, const sys::fs::file_status &St) {
        Out.push_back({Path.str(), St.getLastModificationTime(), St.getSize()});
      });
}

/// Removes \p C unless it changed since it was scanned (a hit refreshed it,
/// or a writer replaced it): pruning must not undo fresh work.
bool removeIfUnchanged(const Candidate &C, FileSystem &FS) {
  sys::fs::file_status St;
  if (sys::fs::status(C.Path, St) || St.getLastModificationTime() != C.Modified)
    return false;
  if (Error E = FS.remove(C.Path)) {
    consumeError(std::move(E));
    return false;
  }
  return true;
}
} // namespace

Expected<PruneResult> pruneStore(StringRef Root,
                                 const CachePruningPolicy &Policy,
                                 FileSystem &FS, bool Force) {
  PruneResult R;
  if (!Force && !Policy.Interval)
    return R;
  auto Now = system_clock::now();
  SmallString<256> Stamp(Root);
  sys::path::append(Stamp, "prune.stamp");
  if (!Force) {
    sys::fs::file_status St;
    if (!sys::fs::status(Stamp, St) &&
        Now - St.getLastModificationTime() < *Policy.Interval)
      return R;
  }
  // Claim this interval first so that concurrent links do not all prune.
  {
    int FD;
    if (!sys::fs::openFileForWrite(Stamp, FD, sys::fs::CD_OpenAlways)) {
      sys::fs::setLastAccessAndModificationTime(
          FD, sys::toTimePoint(time(nullptr)));
      sys::Process::SafelyCloseFileDescriptor(FD);
    }
  }
  R.Ran = true;

  SmallString<256> Tmp(Root);
  sys::path::append(Tmp, "tmp");
  std::vector<Candidate> Temps;
  scan(Tmp, Temps);
  for (const Candidate &C : Temps)
    if (isStaleTemporary(sys::path::filename(C.Path), C.Modified, Now) &&
        removeIfUnchanged(C, FS))
      ++R.StaleTemporaries;

  // The policy's limits are about objects (and kept corrupt files); memos
  // of key inputs are derived data and follow them (see below).
  std::vector<Candidate> Entries, Memos;
  for (StringRef Sub : {"entries", "corrupt"}) {
    SmallString<256> Dir(Root);
    sys::path::append(Dir, Sub);
    scan(Dir, Entries);
  }
  SmallString<256> MemoDir(Root);
  sys::path::append(MemoDir, "memo");
  scan(MemoDir, Memos);
  R.Scanned = Entries.size();
  // Least recently used first.
  auto Older = [](const Candidate &A, const Candidate &B) {
    return A.Modified < B.Modified;
  };
  llvm::sort(Entries, Older);

  uint64_t TotalBytes = 0;
  for (const Candidate &C : Entries)
    TotalBytes += C.Size;
  uint64_t ByteLimit = UINT64_MAX;
  if (Policy.MaxSizePercentageOfAvailableSpace > 0 &&
      Policy.MaxSizePercentageOfAvailableSpace < 100) {
    auto Space = sys::fs::disk_space(Root);
    if (Space)
      ByteLimit = (Space->available + TotalBytes) *
                  Policy.MaxSizePercentageOfAvailableSpace / 100;
  }
  if (Policy.MaxSizeBytes)
    ByteLimit = std::min<uint64_t>(ByteLimit, Policy.MaxSizeBytes);
  uint64_t FileLimit = Policy.MaxSizeFiles ? Policy.MaxSizeFiles : UINT64_MAX;

  auto IsExpired = [&](const Candidate &C) {
    return Policy.Expiration.count() > 0 &&
           Now - C.Modified > Policy.Expiration;
  };
  uint64_t KeptFiles = Entries.size(), KeptBytes = TotalBytes;
  std::optional<system_clock::time_point> OldestKept;
  for (const Candidate &C : Entries) {
    if (!IsExpired(C) && KeptBytes <= ByteLimit && KeptFiles <= FileLimit) {
      OldestKept = C.Modified; // Oldest first: everything after this stays.
      break;
    }
    if (!removeIfUnchanged(C, FS))
      continue;
    ++R.Removed;
    R.RemovedBytes += C.Size;
    --KeptFiles;
    KeptBytes -= C.Size;
  }
  // A memo goes when it expires, or when it is older than every object
  // kept: it then belongs to work that is no longer cached. With a grace of
  // an hour, because a link writes its memos while keying, before it
  // publishes the objects they belong to (and memos are not refreshed on
  // use: one that goes is computed again at the cost of a little parsing).
  constexpr auto MemoGrace = std::chrono::hours(1);
  for (const Candidate &C : Memos)
    if (IsExpired(C) || !OldestKept || C.Modified + MemoGrace < *OldestKept)
      removeIfUnchanged(C, FS);
  // Link records (`ltocache explain`): each linker output keeps only its
  // last few; those of an output not linked within prune_after go, with
  // its directory (removed only if empty).
  SmallString<256> Links(Root);
  sys::path::append(Links, "links");
  std::vector<Candidate> Records;
  scan(Links, Records);
  std::set<std::string> RecordDirs;
  for (const Candidate &C : Records)
    if (IsExpired(C) && removeIfUnchanged(C, FS))
      RecordDirs.insert(sys::path::parent_path(C.Path).str());
  for (const std::string &Dir : RecordDirs)
    consumeError(FS.remove(Dir));
  // Input digest tables (DigestTable.h): those of an output not linked
  // within prune_after.
  SmallString<256> DigestDir(Root);
  sys::path::append(DigestDir, "digests");
  std::vector<Candidate> Tables;
  scan(DigestDir, Tables);
  for (const Candidate &C : Tables)
    if (IsExpired(C))
      removeIfUnchanged(C, FS);
  R.KeptFiles = KeptFiles;
  R.KeptBytes = KeptBytes;
  return R;
}

} // namespace ltocache
