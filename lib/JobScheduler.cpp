//===- JobScheduler.cpp - Runs a link's jobs through the cache ------------===//

#include "ltocache/JobScheduler.h"

#include "llvm/Support/Chrono.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace llvm;

namespace ltocache {

namespace {
enum WarningKind : unsigned {
  NoKey = 1 << 0,
  Corrupt = 1 << 1,
  PublishFailed = 1 << 2,
};

uint64_t microsSince(std::chrono::steady_clock::time_point Start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now() - Start)
      .count();
}

Error writeOutput(StringRef Path, StringRef Data) {
  std::error_code EC;
  raw_fd_ostream OS(Path, EC, sys::fs::OF_None);
  if (EC)
    return createFileError(Path, EC);
  OS << Data;
  OS.close();
  if (OS.has_error()) {
    EC = OS.error();
    OS.clear_error();
    return createFileError(Path, EC);
  }
  return Error::success();
}
} // namespace

void JobScheduler::warnOnce(unsigned Kind, const Twine &Message) {
  std::lock_guard<std::mutex> G(WarnLock);
  if (WarnedKinds & Kind)
    return;
  WarnedKinds |= Kind;
  WithColor::warning(errs(), "ltocache") << Message << "\n";
}

bool JobScheduler::lookupJob(size_t I) {
  const BackendJob &Job = Jobs[I];
  JobOutcome &O = Outcomes[I];
  if (!Store || !Basis)
    return false;
  auto K = computeJobKey(*Basis, Job, Files, Memo);
  if (!K) {
    warnOnce(NoKey, "cannot key job for '" + Job.Module +
                        "', compiling it uncached: " + toString(K.takeError()));
    return false;
  }
  Keys[I] = std::move(*K);
  LookupResult L = Store->lookup(Keys[I]->Key);
  if (!L.Corruption.empty()) {
    O.CorruptFound = true;
    warnOnce(Corrupt, "corrupt cache entry moved aside: " + L.Corruption);
  }
  if (!L.Hit)
    return false;
  if (Error E = writeOutput(Job.Output, L.Hit->Payload)) {
    Failures[I] = std::move(E);
    return true; // Not a miss either: the link fails.
  }
  O.What = JobOutcome::Hit;
  O.SavedMicros = L.Hit->CompileMicros;
  return true;
}

void JobScheduler::publishJob(size_t I) {
  JobOutcome &O = Outcomes[I];
  if (!Keys[I])
    return; // Uncached.
  O.What = JobOutcome::Miss;
  const BackendJob &Job = Jobs[I];
  auto Object = MemoryBuffer::getFile(Job.Output, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  Error Published = Object ? Store->publish(Keys[I]->Key,
                                            (*Object)->getBuffer(),
                                            O.CompileMicros)
                           : createFileError(Job.Output, Object.getError());
  if (Published) {
    O.Bypassed = true;
    warnOnce(PublishFailed,
             "could not store results in the cache, using fresh objects: " +
                 toString(std::move(Published)));
  }
}

Expected<LinkStats> JobScheduler::run() {
  Outcomes.assign(Jobs.size(), JobOutcome());
  Keys.assign(Jobs.size(), std::nullopt);
  Failures.clear();
  for (size_t I = 0; I < Jobs.size(); ++I)
    Failures.push_back(Error::success());
  DefaultThreadPool Pool(hardware_concurrency(Options.Workers));

  // Phase 1: every job's key and local lookup; hits are published at once.
  std::vector<char> Missed(Jobs.size(), 0);
  for (size_t I = 0; I < Jobs.size(); ++I)
    Pool.async([&, I] {
      Missed[I] = !lookupJob(I);
      if (Missed[I])
        Backend.prepare();
    });
  Pool.wait();

  // Phase 2: the misses, biggest modules first (they bound the link's
  // critical path).
  std::vector<size_t> Misses;
  std::vector<uint64_t> Sizes(Jobs.size(), 0);
  for (size_t I = 0; I < Jobs.size(); ++I) {
    if (!Missed[I])
      continue;
    Misses.push_back(I);
    sys::fs::file_status St;
    if (!sys::fs::status(Jobs[I].Module, St))
      Sizes[I] = St.getSize();
  }
  llvm::stable_sort(Misses,
                    [&](size_t A, size_t B) { return Sizes[A] > Sizes[B]; });

  if (Backend.batches() && !Misses.empty()) {
    std::vector<const BackendJob *> Batch;
    for (size_t I : Misses)
      Batch.push_back(&Jobs[I]);
    auto Start = std::chrono::steady_clock::now();
    if (Error E = Backend.compileBatch(Common, Batch)) {
      Failures[Misses.front()] = std::move(E);
    } else {
      // A batch has one duration; each job is charged an equal share.
      uint64_t Share = microsSince(Start) / Misses.size();
      for (size_t I : Misses) {
        Outcomes[I].CompileMicros = Share;
        Pool.async([&, I] { publishJob(I); });
      }
    }
  } else {
    for (size_t I : Misses)
      Pool.async([&, I] {
        auto Start = std::chrono::steady_clock::now();
        if (Error E = Backend.compile(Common, Jobs[I])) {
          Failures[I] = std::move(E);
          return;
        }
        Outcomes[I].CompileMicros = microsSince(Start);
        publishJob(I);
      });
  }
  Pool.wait();

  Error First = Error::success();
  for (Error &F : Failures)
    if (F) {
      if (First)
        consumeError(std::move(F));
      else
        First = std::move(F);
    }
  if (First)
    return std::move(First);

  LinkStats Stats;
  for (const JobOutcome &O : Outcomes)
    Stats.add(O);
  if (!Options.KeyLogPath.empty())
    if (Error E = writeKeyLog(Keys))
      return std::move(E);
  return Stats;
}

Error JobScheduler::writeKeyLog(
    const std::vector<std::optional<JobKey>> &Keys) {
  std::vector<std::string> Records;
  for (size_t I = 0; I < Jobs.size(); ++I) {
    std::string R;
    raw_string_ostream OS(R);
    OS << Jobs[I].Module << " " << (Keys[I] ? toHex(Keys[I]->Key) : "none")
       << "\n";
    if (Keys[I])
      for (const KeyFieldTrace &T : Keys[I]->Trace)
        OS << "  " << keyFieldName(T.Field) << " " << T.Value << "\n";
    Records.push_back(std::move(R));
  }
  llvm::sort(Records);
  std::error_code EC;
  raw_fd_ostream OS(Options.KeyLogPath, EC, sys::fs::OF_Text);
  if (EC)
    return createFileError(Options.KeyLogPath, EC);
  for (const std::string &R : Records)
    OS << R;
  return Error::success();
}

} // namespace ltocache
