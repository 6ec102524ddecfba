//===- RemoteRace.cpp - The remote side of a link's phase 2 ---------------===//
//
// JobScheduler's remote half (see JobScheduler.h): every lookup at once on
// a thread of its own, each answer verified and, if it wins, put in place
// and stored locally; then the uploads; and the determinism check.
//
//===----------------------------------------------------------------------===//

#include "Link/JobScheduler.h"
#include "Link/JobSchedulerSupport.h"
#include "Store/Entry.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ThreadPool.h"

#include <sys/resource.h>

using namespace llvm;
using namespace ltocache::detail;

namespace ltocache {

/// A remote request of job \p I (a lookup, or an upload), from \p Start to
/// its answer \p R, now.
static void traceRemote(LinkTrace *Trace, StringRef Name, size_t I, uint64_t Id,
                        LinkTrace::Clock::time_point Start,
                        const BackendJob &Job, const RemoteResult &R) {
  StringRef Answer;
  switch (R.What) {
  case RemoteResult::Hit:
    Answer = Name == "upload" ? "stored" : "hit";
    break;
  case RemoteResult::Miss:
    Answer = "miss";
    break;
  case RemoteResult::Failed:
    Answer = "failed";
    break;
  case RemoteResult::TimedOut:
    Answer = "timed out";
    break;
  case RemoteResult::Cancelled:
    Answer = "cancelled";
    break;
  case RemoteResult::Untrusted:
    Answer = "untrusted";
    break;
  }
  json::Object Args{{"job", static_cast<int64_t>(I)},
                    {"module", Job.Module},
                    {"answer", Answer}};
  if (!R.Message.empty())
    Args["message"] = R.Message;
  Trace->asyncSpan(Name, "remote", Id, Start, LinkTrace::Clock::now(),
                   std::move(Args));
}

void JobScheduler::lookUpRemote(const std::vector<size_t> &Asked) {
  traceThread(Options.Trace, "remote lookups");
  TraceSpan OpenSpan(Options.Trace, "open remote", "remote");
  auto Opened = Options.OpenRemote();
  OpenSpan.end();
  std::unique_lock<std::mutex> L(Lock);
  if (!Opened || StopRemote) {
    if (!Opened)
      RemoteUnusable = toString(Opened.takeError());
    for (size_t I : Asked) {
      States[I].LookupPending = false;
      Outcomes[I].Remote =
          StopRemote ? JobOutcome::Abandoned : JobOutcome::Error;
    }
    RemoteHealthy = false;
    RemoteDone = true;
    Changed.notify_all();
    return;
  }
  Remote = std::move(*Opened);
  L.unlock();

  std::vector<Digest> Digests;
  for (size_t I : Asked)
    Digests.push_back(Keys[I]->Key);
  TraceSpan Lookups(Options.Trace, "remote lookups", "remote");
  LinkTrace::Clock::time_point Sent;
  if (Options.Trace)
    Sent = LinkTrace::Clock::now();
  // Checking a hit and putting it in place takes longer than receiving
  // one: hits are handled on other threads, so that answers keep coming.
  DefaultThreadPool Hits(hardware_concurrency());
  Remote->lookupAll(Digests, RemoteStore::Clock::now() + Options.LookupBudget,
                    [&](size_t K, RemoteResult R) {
                      size_t I = Asked[K];
                      if (Options.Trace)
                        traceRemote(Options.Trace, "remote lookup", I, I, Sent,
                                    Jobs[I], R);
                      if (R.What != RemoteResult::Hit) {
                        onRemoteAnswer(I, std::move(R));
                        return;
                      }
                      Hits.async([this, I, R = std::move(R)]() mutable {
                        traceThread(Options.Trace, "remote hits");
                        onRemoteAnswer(I, std::move(R));
                      });
                    });
  // Every answer is handled before the lookups count as done (a job whose
  // hit is still queued must not look unanswered to a worker).
  Hits.wait();
  Lookups.end();

  L.lock();
  for (size_t I : Asked)
    States[I].LookupPending = false;
  RemoteDone = true;
  Changed.notify_all();
}

void JobScheduler::onRemoteAnswer(size_t I, RemoteResult R) {
  const BackendJob &Job = Jobs[I];
  std::optional<DecodedEntry> Entry;
  std::string Why;
  if (R.What == RemoteResult::Hit) {
    if (auto D = decodeEntry(R.Body, Keys[I]->Key))
      Entry = *D;
    else
      Why = toString(D.takeError());
  }

  std::unique_lock<std::mutex> L(Lock);
  MissState &S = States[I];
  JobOutcome &O = Outcomes[I];
  S.LookupPending = false;
  Changed.notify_all(); // A worker holding back for the remote may go on.
  switch (R.What) {
  case RemoteResult::Hit:
    O.Remote = Entry ? JobOutcome::Found : JobOutcome::Error;
    if (!Entry)
      warnOnce(RemoteBadEntry, "remote cache served a bad entry for '" +
                                   Job.Module + "' (a miss): " + Why);
    break;
  case RemoteResult::Miss:
    O.Remote = JobOutcome::NotFound;
    AnyRemoteAnswer = true;
    break;
  case RemoteResult::Failed:
    O.Remote = JobOutcome::Error;
    warnOnce(RemoteFailed,
             "remote cache lookup failed (compiling locally): " + R.Message);
    break;
  case RemoteResult::TimedOut:
    O.Remote = JobOutcome::TimedOut;
    RemoteHealthy = false;
    break;
  case RemoteResult::Cancelled:
    O.Remote = JobOutcome::Abandoned;
    break;
  case RemoteResult::Untrusted:
    // An answer, but not one to use: the job is compiled (and, by a link
    // that signs, uploaded over it).
    O.Remote = JobOutcome::Untrusted;
    AnyRemoteAnswer = true;
    warnOnce(RemoteUntrusted, "remote cache entry for '" + Job.Module +
                                  "' rejected, " + R.Message +
                                  " (compiling locally)");
    break;
  }
  if (!Entry)
    return;
  AnyRemoteAnswer = true;
  if (Options.DeterminismCheck) {
    S.RemotePayload = Entry->Payload.str();
    S.HaveRemotePayload = true;
    return;
  }
  if (S.Claimed)
    return; // The local compile won.
  S.Claimed = true;
  O.What = JobOutcome::RemoteHit;
  O.SavedMicros = Entry->CompileMicros;
  if (S.Started) {
    if (Options.Trace)
      Options.Trace->instant("remote won", "race",
                             json::Object{{"job", static_cast<int64_t>(I)},
                                          {"module", Job.Module}});
    O.RemoteWon = true;
    O.CompileCancelled = true;
    S.Cancel.cancel();
    // A backend that cannot stop the compile keeps the worker: let it
    // finish in the background, at the lowest priority, while a new
    // worker goes on (a backend that returned at once just exits). At most as
    // many abandoned compiles as workers run at once (a burst of late answers
    // must not pile up compiles and their memory); past that, the worker
    // finishes its useless compile and carries on.
    Worker *W = S.CompiledBy;
    if (W && !W->Abandoned && llvm::count_if(Workers, [](const Worker &X) {
                                return X.Abandoned && !X.Exited;
                              }) < WorkerCount) {
      W->Abandoned = true;
      ::setpriority(PRIO_PROCESS, W->Tid, 19);
      startWorker(W->Spare);
    }
    if (BatchCancel && llvm::all_of(Order, [&](size_t J) {
          return States[J].Claimed && Outcomes[J].What == JobOutcome::RemoteHit;
        }))
      BatchCancel->cancel();
  }
  L.unlock();

  TraceSpan Span(Options.Trace, "publish remote hit", "store");
  if (Span)
    traceJob(Span, I, Job, Keys[I], "");
  if (Error E = writeWholeFile(Job.Output, Entry->Payload)) {
    Failures[I] = std::move(E);
  } else if (Error E = Store->publish(objectKey(I, Entry->Payload),
                                      Entry->Payload, Entry->CompileMicros,
                                      /*Durable=*/false)) {
    // No fsync above: a copy of a remote entry is cheap to fetch again, and
    // a torn one fails its checksum.
    warnOnce(PublishFailed, "could not store a remote result in the local "
                            "cache: " +
                                toString(std::move(E)));
  }
  Span.end();
  L.lock();
  settle(I);
}

void JobScheduler::uploadResults(const std::vector<size_t> &Misses,
                                 LinkStats &Stats) {
  if (Remote->readOnly())
    return;
  if (!RemoteHealthy || !AnyRemoteAnswer) {
    Stats.UploadsSkipped = "uploads skipped: the remote did not answer";
    return;
  }
  std::vector<size_t> Sent;
  std::vector<std::pair<Digest, std::string>> Entries;
  for (size_t I : Misses) {
    // Only what the remote said it lacks: a lookup still open when the
    // link's work was done means a remote slower than compiling, and
    // waiting for its uploads would make the link slower than no cache.
    // An untrusted entry is replaced by one this link signs (read-only
    // without a signing key: see withSignatures).
    if (Outcomes[I].What != JobOutcome::Miss ||
        (Outcomes[I].Remote != JobOutcome::NotFound &&
         Outcomes[I].Remote != JobOutcome::Untrusted))
      continue;
    Expected<std::string> Object = readObject(I);
    if (!Object) {
      consumeError(Object.takeError());
      continue;
    }
    Sent.push_back(I);
    Entries.emplace_back(Keys[I]->Key, encodeEntry(Keys[I]->Key, *Object,
                                                   Outcomes[I].CompileMicros));
  }
  if (Entries.empty())
    return;
  TraceSpan Span(Options.Trace, "uploads", "phase");
  Span.arg("uploads", static_cast<int64_t>(Entries.size()));
  LinkTrace::Clock::time_point Start;
  if (Options.Trace)
    Start = LinkTrace::Clock::now();
  Remote->storeAll(
      Entries, RemoteStore::Clock::now() + Options.UploadBudget,
      [&](size_t K, RemoteResult R) {
        if (Options.Trace)
          traceRemote(Options.Trace, "upload", Sent[K], Jobs.size() + Sent[K],
                      Start, Jobs[Sent[K]], R);
        JobOutcome &O = Outcomes[Sent[K]];
        if (R.What == RemoteResult::Hit) {
          O.Uploaded = true;
          return;
        }
        O.UploadFailed = true;
        warnOnce(UploadFailed, "upload to the remote cache failed: " +
                                   (R.Message.empty() ? std::string("timed out")
                                                      : R.Message));
      });
}

void JobScheduler::checkDeterminism(const std::vector<size_t> &Misses) {
  TraceSpan Span(Options.Trace, "determinism check", "phase");
  for (size_t I : Misses) {
    const MissState &S = States[I];
    JobOutcome &O = Outcomes[I];
    if (!S.HaveRemotePayload || O.What != JobOutcome::Miss)
      continue;
    Expected<std::string> Local = readObject(I);
    if (!Local) {
      consumeError(Local.takeError());
      continue;
    }
    if (*Local == S.RemotePayload)
      continue;
    // The local object is used (and was stored); both are kept.
    O.Mismatch = true;
    keepReport(I, "", {{"local.o", *Local}, {"remote.o", S.RemotePayload}});
  }
}

} // namespace ltocache
