//===- JobScheduler.cpp - Runs a link's jobs through the cache ------------===//

#include "Link/JobScheduler.h"
#include "Link/JobSchedulerSupport.h"
#include "Link/LinkTrace.h"
#include "Store/Entry.h"
#include "Support/Warning.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <random>

#include <sys/resource.h>
#include <unistd.h>

using namespace llvm;
using namespace ltocache::detail;

namespace ltocache {

void detail::traceJob(TraceSpan &Span, size_t I, const BackendJob &Job,
                      const std::optional<JobKey> &Key, StringRef Outcome) {
  Span.arg("job", static_cast<int64_t>(I));
  Span.arg("module", Job.Module);
  if (Key)
    Span.arg("key", toHex(Key->Key));
  if (!Outcome.empty())
    Span.arg("outcome", Outcome);
}

/// User and system time of this process so far.
static double processCpuSeconds() {
  struct rusage U;
  ::getrusage(RUSAGE_SELF, &U);
  return U.ru_utime.tv_sec + U.ru_stime.tv_sec +
         (U.ru_utime.tv_usec + U.ru_stime.tv_usec) / 1e6;
}

void JobScheduler::warnOnce(unsigned Kind, const Twine &Message) {
  std::lock_guard<std::mutex> G(WarnLock);
  if (WarnedKinds & Kind)
    return;
  WarnedKinds |= Kind;
  warnLine(Message);
}

bool JobScheduler::lookupJob(size_t I) {
  const BackendJob &Job = Jobs[I];
  JobOutcome &O = Outcomes[I];
  if (!Store || !Basis)
    return false;
  TraceSpan KeySpan(Options.Trace, "key", "key");
  // The job's own inputs first: the basis may still be on its way.
  auto F = computeJobFields(Job, Files, Memo, Definitions.get(), knownMemo(I));
  if (!F) {
    warnOnce(NoKey, "cannot key job for '" + Job.Module +
                        "', compiling it uncached: " + toString(F.takeError()));
    return false;
  }
  if (F->FromElsewhere)
    ++SharedMemosTaken;
  else if (!MarkKeys.empty() && AskRemote[I])
    Memo->put(*MarkKeys[I], "1"); // Known here from now on.
  const LinkKeyBasis *B = Basis();
  if (!B)
    return false;
  Keys[I] = finishJobKey(*B, *F);
  KeySpan.end();
  TraceSpan LookupSpan(Options.Trace, "lookup", "store");
  const JobKey &K = *Keys[I];
  // Where the base's object was seen before, the hashes it carried pick
  // its entry; else the conservative key (all candidates, as the remote's).
  std::vector<unsigned> All;
  for (unsigned C = 0; C < K.Candidates.size(); ++C)
    All.push_back(C);
  Carried[I] = All;
  Digest Local = K.Key;
  if (!K.Candidates.empty() && Memo)
    if (std::optional<std::string> M = Memo->get(K.manifestKey()))
      if (std::optional<std::vector<unsigned>> Seen = K.parseManifest(*M)) {
        Carried[I] = *Seen;
        Local = K.keyFor(*Seen);
      }
  LookupResult L = Store->lookup(Local);
  if (!L.Hit && Local != K.Key) {
    if (!L.Corruption.empty()) {
      O.CorruptFound = true;
      warnOnce(Corrupt, "corrupt cache entry moved aside: " + L.Corruption);
    }
    Carried[I] = All;
    Local = K.Key;
    L = Store->lookup(Local);
  }
  if (!L.Corruption.empty()) {
    O.CorruptFound = true;
    warnOnce(Corrupt, "corrupt cache entry moved aside: " + L.Corruption);
  }
  if (!L.Hit)
    return false;
  EntryKeys[I] = Local;
  if (chosenToVerify(I)) {
    // Compiled in phase 2 and compared there; the hit is not placed.
    VerifyAgainst[I] = L.Hit->Payload.str();
    O.SavedMicros = L.Hit->CompileMicros;
    return false;
  }
  switch (Store->placeHit(*L.Hit, Job.Output)) {
  case LocalStore::Placement::Linked:
    O.Linked = true;
    break;
  case LocalStore::Placement::Reflinked:
    O.Reflinked = true;
    break;
  case LocalStore::Placement::NotPlaced:
    if (Error E = writeWholeFile(Job.Output, L.Hit->Payload)) {
      Failures[I] = std::move(E);
      return true; // Not a miss either: the link fails.
    }
  }
  O.What = JobOutcome::Hit;
  O.SavedMicros = L.Hit->CompileMicros;
  return true;
}

void JobScheduler::askSharedMemos(ThreadPoolInterface &Pool) {
  Known.assign(Jobs.size(), JobMemoLookup());
  LookedUp.assign(Jobs.size(), 0);
  AskRemote.assign(Jobs.size(), 0);
  MarkKeys.assign(Jobs.size(), std::nullopt);
  SharedMemos.assign(Jobs.size(), std::nullopt);
  for (size_t I = 0; I < Jobs.size(); ++I)
    Pool.async([&, I] {
      auto K = jobMemoKey(Jobs[I], Files, /*ByDefinition=*/true);
      if (!K) {
        consumeError(K.takeError()); // Keying the job says why.
        return;
      }
      JobMemoLookup &L = Known[I];
      L.Key = *K;
      if (L.Key)
        L.Value = Memo->peek(*L.Key);
      L.Remembered = L.Value.has_value();
      LookedUp[I] = 1;
      if (L.Key && !L.Value) {
        // Computed here before, under lld's other names for its archive
        // members (the memo is found by its shard's contents): not a
        // question for the remote. Else asked, and marked once known.
        auto Mark = jobInputsMarkKey(Jobs[I], Files, /*ByDefinition=*/true);
        if (!Mark) {
          consumeError(Mark.takeError());
          return;
        }
        MarkKeys[I] = *Mark;
        AskRemote[I] = !Memo->peek(*Mark);
      }
    });
  Pool.wait();
  std::vector<size_t> Asked;
  std::vector<Digest> Keys;
  for (size_t I = 0; I < Jobs.size(); ++I)
    if (AskRemote[I]) {
      Asked.push_back(I);
      Keys.push_back(*Known[I].Key);
    }
  if (Asked.empty())
    return;
  SharedAskedAt = std::chrono::steady_clock::now();
  SharedAsked = true;
  Options.Shared->fetch(std::move(Keys),
                        [this, Asked](size_t K, std::optional<std::string> V) {
                          std::lock_guard<std::mutex> G(SharedLock);
                          SharedMemos[Asked[K]] = std::move(V);
                          SharedAnswered.notify_all();
                        });
}

const JobMemoLookup *JobScheduler::knownMemo(size_t I) {
  if (Known.empty() || !LookedUp[I])
    return nullptr;
  JobMemoLookup &L = Known[I];
  if (!AskRemote[I])
    return &L;
  // Asked of the remote. Computing the inputs here (parsing bitcode) is
  // what its answer saves, and the key waits for the link's basis anyway:
  // wait for the answer as long as for the basis, and at least for the
  // remote's head start.
  std::unique_lock<std::mutex> G(SharedLock);
  SharedAnswered.wait_until(G, SharedAskedAt + Options.Shared->headStart(),
                            [&] { return SharedMemos[I].has_value(); });
  SharedAnswered.wait(G, [&] { return SharedMemos[I] || BasisKnown; });
  if (SharedMemos[I] && *SharedMemos[I])
    L.Value = **SharedMemos[I];
  return &L;
}

bool JobScheduler::chosenToVerify(size_t I) const {
  if (Options.VerifyHits <= 0)
    return false;
  if (Options.VerifyHits >= 1)
    return true;
  // Random per link, the same for a job wherever it is asked.
  KeyBuilder KB("verify-choice", 1);
  KB.add(KeyField::JobBase, Keys[I]->Key);
  KB.add(KeyField::ToolVersion, utostr(VerifyNonce));
  Digest D = KB.finish();
  uint64_t X = support::endian::read64le(D.data());
  return X < static_cast<uint64_t>(Options.VerifyHits * 18446744073709551615.0);
}

void JobScheduler::keepReport(
    size_t I, StringRef What,
    ArrayRef<std::pair<const char *, StringRef>> Objects) {
  SmallString<256> Dir(Options.ReportDir);
  sys::path::append(Dir, toHex(Keys[I]->Key));
  std::string Report;
  raw_string_ostream OS(Report);
  OS << "module " << Jobs[I].Module << "\nkey " << toHex(Keys[I]->Key) << "\n"
     << What;
  for (auto [Name, Data] : Objects)
    OS << Name << " " << Data.size() << " bytes\n";
  Error E = errorCodeToError(sys::fs::create_directories(Dir));
  std::vector<std::pair<const char *, StringRef>> Files(Objects.begin(),
                                                        Objects.end());
  Files.push_back({"job.txt", Report});
  for (auto [Name, Data] : Files) {
    SmallString<256> P(Dir);
    sys::path::append(P, Name);
    if (!E)
      E = writeWholeFile(P, Data);
  }
  if (E)
    warnOnce(ReportFailed, "cannot keep the report in '" + Options.ReportDir +
                               "': " + toString(std::move(E)));
}

bool JobScheduler::verifyHit(size_t I, StringRef Fresh) {
  JobOutcome &O = Outcomes[I];
  O.Verified = true;
  if (Fresh == *VerifyAgainst[I]) {
    O.What = JobOutcome::Hit;
    return false;
  }
  O.VerifyMismatch = true;
  keepReport(I,
             "a cached object (entry " + toHex(*EntryKeys[I]) +
                 ") that differs from a fresh compile\n",
             {{"cached.o", *VerifyAgainst[I]}, {"fresh.o", Fresh}});
  // The entry is not what this job compiles to: it goes, the fresh one
  // takes its place.
  consumeError(Store->moveAside(Store->entryPath(*EntryKeys[I])));
  return true;
}

Digest JobScheduler::objectKey(size_t I, StringRef Object) {
  const JobKey &K = *Keys[I];
  Carried[I] = K.carriedBy(Object);
  if (!K.Candidates.empty() && Memo)
    Memo->put(K.manifestKey(), K.manifest(Carried[I]));
  EntryKeys[I] = K.keyFor(Carried[I]);
  return *EntryKeys[I];
}

void JobScheduler::publishJob(size_t I, StringRef Object) {
  if (!Keys[I])
    return; // Uncached.
  if (Error E = Store->publish(objectKey(I, Object), Object,
                               Outcomes[I].CompileMicros, Options.SyncEntries))
    bypass(I, std::move(E));
}

void JobScheduler::bypass(size_t I, Error Why) {
  Outcomes[I].Bypassed = true;
  warnOnce(PublishFailed,
           "could not store results in the cache, using fresh objects: " +
               toString(std::move(Why)));
}

bool JobScheduler::stageAndLink(size_t I, StringRef Object, Error &Failed) {
  Expected<LocalStore::StagedEntry> Staged =
      Store->stage(objectKey(I, Object), Object, Outcomes[I].CompileMicros);
  if (!Staged) {
    bypass(I, Staged.takeError());
    return false;
  }
  const std::string &Output = Jobs[I].Output;
  if (Error E = Store->linkStaged(*Staged, Output)) {
    // Outputs on another filesystem than the cache: a copy.
    consumeError(std::move(E));
    Failed = writeWholeFile(Output, Object);
  }
  // The entry's name (and its flush, if asked) on the publication thread: a
  // worker never waits for the disk.
  auto Shared = std::make_shared<LocalStore::StagedEntry>(std::move(*Staged));
  Publisher->async([this, I, Shared] {
    traceThread(Options.Trace, "publication");
    TraceSpan Span(Options.Trace, "commit entry", "store");
    if (Span)
      traceJob(Span, I, Jobs[I], Keys[I], "");
    if (Error E = Store->commit(std::move(*Shared), Options.SyncEntries))
      bypass(I, std::move(E));
  });
  return true;
}

Expected<std::string> JobScheduler::readObject(size_t I) {
  auto File = readWholeFile(Jobs[I].Output);
  if (!File)
    return File.takeError();
  StringRef Bytes = (*File)->getBuffer();
  if (Keys[I]) {
    if (Expected<DecodedEntry> D =
            decodeEntry(Bytes, EntryKeys[I] ? *EntryKeys[I] : Keys[I]->Key))
      return D->Payload.str();
    else
      consumeError(D.takeError()); // A bare object.
  }
  return Bytes.str();
}

namespace {
/// The memo as phase 1 sees it. A job whose key inputs were never memoised
/// is new code, almost surely a miss: tell the backend as soon as a memo is
/// missing, before the key (shard canonicalisation, recipe) is derived, so
/// that a backend with a costly start (the compile server) begins a few ms
/// earlier. What is computed is offered to other machines (\p Shared, may
/// be null), which take what they asked for and lacked.
class LinkMemo : public KeyMemo {
public:
  LinkMemo(KeyMemo &Inner, CompileBackend &Backend, SharedKeyInputs *Shared)
      : Inner(Inner), Backend(Backend), Shared(Shared) {}
  std::optional<std::string> get(const Digest &Key) override {
    std::optional<std::string> V = Inner.get(Key);
    if (!V)
      Backend.prepare();
    return V;
  }
  std::optional<std::string> peek(const Digest &Key) override {
    return Inner.get(Key);
  }
  void put(const Digest &Key, StringRef Value) override {
    Inner.put(Key, Value);
    if (Shared)
      Shared->offer(Key, Value);
  }

private:
  KeyMemo &Inner;
  CompileBackend &Backend;
  SharedKeyInputs *Shared;
};
} // namespace

Expected<LinkStats> JobScheduler::run() {
  // Phase 1 reads memos through the hint; the caller's memo is back in
  // place when run() returns.
  KeyMemo *Given = Memo;
  std::optional<LinkMemo> Hinting;
  if (Given) {
    Hinting.emplace(*Given, Backend, Options.Shared);
    Memo = &*Hinting;
  }
  scope_exit RestoreMemo([&] { Memo = Given; });
  Outcomes.assign(Jobs.size(), JobOutcome());
  Keys.assign(Jobs.size(), std::nullopt);
  EntryKeys.assign(Jobs.size(), std::nullopt);
  Carried.assign(Jobs.size(), {});
  VerifyAgainst.assign(Jobs.size(), std::nullopt);
  VerifyNonce = std::random_device()() * 4294967296ull + std::random_device()();
  Definitions = std::make_unique<DefinitionKeyCache>(Memo);
  Files.useMemo(Options.Digests, Options.LinkStart);
  Failures.clear();
  for (size_t I = 0; I < Jobs.size(); ++I)
    Failures.push_back(Error::success());

  // Phase 1: every job's key and local lookup; hits are published at once.
  std::vector<char> Missed(Jobs.size(), 0);
  {
    TraceSpan Phase(Options.Trace, "phase 1: keys and local lookups", "phase");
    // What keying costs, all threads of this process (not the backend's).
    double CpuAtStart = Phase ? processCpuSeconds() : 0;
    scope_exit CpuArg([&] {
      if (Phase)
        Phase.arg("process_cpu_ms",
                  int64_t((processCpuSeconds() - CpuAtStart) * 1000));
    });
    DefaultThreadPool Pool(hardware_concurrency(Options.Workers));
    std::thread BasisWatch;
    if (Options.Shared && Store && Memo && Basis) {
      TraceSpan Ask(Options.Trace, "memo keys", "key");
      askSharedMemos(Pool);
      BasisWatch = std::thread([this] {
        Basis();
        std::lock_guard<std::mutex> G(SharedLock);
        BasisKnown = true;
        SharedAnswered.notify_all();
      });
    }
    scope_exit JoinWatch([&] {
      if (BasisWatch.joinable())
        BasisWatch.join();
    });
    for (size_t I = 0; I < Jobs.size(); ++I)
      Pool.async([&, I] {
        traceThread(Options.Trace, "keys and lookups");
        TraceSpan Span(Options.Trace, sys::path::filename(Jobs[I].Module),
                       "job");
        Missed[I] = !lookupJob(I);
        // A job the remote may have is not a compile yet (phase 2 gives
        // the remote a head start); without one, the backend starts now.
        if (Missed[I] && !Options.OpenRemote)
          Backend.prepare();
        if (Span)
          traceJob(Span, I, Jobs[I], Keys[I],
                   !Keys[I]    ? "uncached"
                   : Missed[I] ? "miss"
                               : "hit");
      });
    Pool.wait();
  }

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
  LinkStats Stats;
  if (!Misses.empty()) {
    TraceSpan Phase(Options.Trace, "phase 2: misses", "phase");
    Phase.arg("misses", static_cast<int64_t>(Misses.size()));
    runMisses(Misses, Stats);
  }

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

  for (const JobOutcome &O : Outcomes)
    Stats.add(O);
  Stats.KeyInputsFromRemote += SharedMemosTaken;
  if (!Options.KeyLogPath.empty())
    if (Error E = writeKeyLog(Keys))
      return std::move(E);
  return Stats;
}

//===----------------------------------------------------------------------===//
// Phase 2: compiles racing remote lookups.
//===----------------------------------------------------------------------===//

JobScheduler::~JobScheduler() {
  std::unique_lock<std::mutex> L(Lock);
  for (Worker &W : Workers)
    if (W.Thread.joinable()) {
      L.unlock();
      W.Thread.join();
      L.lock();
    }
}

bool JobScheduler::abandonedCompilesRunning() {
  std::lock_guard<std::mutex> G(Lock);
  for (const Worker &W : Workers)
    if (W.Abandoned && !W.Exited)
      return true;
  return false;
}

std::string JobScheduler::racePath(size_t I) const {
  return Jobs[I].Output + ".ltocache-race-" +
         std::to_string(sys::Process::getProcessId());
}

void JobScheduler::runMisses(const std::vector<size_t> &Misses,
                             LinkStats &Stats) {
  Publisher = std::make_unique<DefaultThreadPool>(hardware_concurrency(1));
  std::unique_lock<std::mutex> L(Lock);
  States = std::vector<MissState>(Jobs.size());
  Order = Misses;
  Unsettled = Misses.size();
  std::vector<size_t> Asked;
  if (Options.OpenRemote && Store)
    for (size_t I : Misses)
      if (Keys[I] && !VerifyAgainst[I]) { // A verified hit needs no lookup.
        Asked.push_back(I);
        States[I].LookupPending = true;
        Outcomes[I].Remote = JobOutcome::Abandoned;
      }
  // Smallest first: the biggest jobs are compiled first, so their answers
  // are the least likely to arrive in time to matter.
  std::reverse(Asked.begin(), Asked.end());
  if (!Asked.empty()) {
    RemoteThread = std::thread([this, Asked] { lookUpRemote(Asked); });
    // A remote that was asked for key inputs and answered none is silent:
    // it had its head start then.
    bool Silent = false;
    if (SharedAsked) {
      std::lock_guard<std::mutex> G(SharedLock);
      Silent = llvm::none_of(SharedMemos,
                             [](const auto &V) { return V.has_value(); });
    }
    if (Options.Shared && !Silent)
      HoldCompilesUntil =
          std::chrono::steady_clock::now() + Options.Shared->headStart();
  }

  if (Backend.batches()) {
    L.unlock();
    runBatch(Misses);
    L.lock();
  } else {
    WorkerCount = std::max(
        1u, hardware_concurrency(Options.Workers).compute_thread_count());
    for (unsigned W = 0; W < WorkerCount; ++W)
      startWorker();
    if (Misses.size() > WorkerCount)
      startWorker(/*Spare=*/true);
  }
  Changed.wait(L, [&] { return Unsettled == 0; });

  // Every job is settled: lookups still open can no longer win (unless
  // the determinism check waits for them, within the budget).
  if (RemoteThread.joinable()) {
    StopRemote = !Options.DeterminismCheck;
    while (!RemoteDone) {
      if (StopRemote && Remote)
        Remote->cancel(); // Repeated: a cancel before the call starts is lost.
      Changed.wait_for(L, std::chrono::milliseconds(5));
    }
    L.unlock();
    RemoteThread.join();
    L.lock();
  }
  for (Worker &W : Workers)
    if (W.Thread.joinable() && (W.Exited || !W.Abandoned)) {
      L.unlock();
      W.Thread.join();
      L.lock();
    }
  L.unlock();
  Publisher->wait();

  if (Options.DeterminismCheck)
    checkDeterminism(Misses);
  if (Remote)
    uploadResults(Misses, Stats);
  if (!RemoteUnusable.empty())
    warnOnce(RemoteFailed,
             "remote cache unusable, compiling locally: " + RemoteUnusable);
}

void JobScheduler::startWorker(bool Spare) {
  Workers.emplace_back();
  Worker *W = &Workers.back();
  W->Spare = Spare;
  W->Thread = std::thread([this, W] { workerLoop(W); });
}

void JobScheduler::workerLoop(Worker *Self) {
  traceThread(Options.Trace,
              Self->Spare ? "spare compile worker" : "compile worker");
  std::unique_lock<std::mutex> L(Lock);
  Self->Tid = ::gettid();
  while (!Self->Abandoned) {
    if (Self->Spare) {
      // Not under the lock: choosing the backend may take a while.
      L.unlock();
      bool Wanted = Backend.queuesCompiles();
      L.lock();
      if (!Wanted)
        break;
    }
    size_t I = pickJob();
    if (I == SIZE_MAX)
      break;
    if (States[I].LookupPending &&
        std::chrono::steady_clock::now() < HoldCompilesUntil) {
      // Only jobs the remote may still answer for: wait for an answer (a
      // hit settles a job, a miss frees it) or the end of the head start.
      Changed.wait_until(L, HoldCompilesUntil);
      continue;
    }
    compileJob(I, L, Self);
  }
  Self->Exited = true;
  Changed.notify_all();
}

size_t JobScheduler::pickJob() {
  size_t Waiting = SIZE_MAX;
  for (size_t I : Order) {
    const MissState &S = States[I];
    if (S.Started || S.Claimed)
      continue;
    if (!S.LookupPending)
      return I; // The remote cannot help this one: it goes first.
    if (Waiting == SIZE_MAX)
      Waiting = I;
  }
  return Waiting;
}

void JobScheduler::compileJob(size_t I, std::unique_lock<std::mutex> &L,
                              Worker *Self) {
  MissState &S = States[I];
  S.Started = true;
  S.CompiledBy = Self;
  // Only a compile that can lose writes elsewhere than the job's output.
  S.Racing = S.LookupPending && !Options.DeterminismCheck;
  std::string Path = S.Racing ? racePath(I) : Jobs[I].Output;
  CompileRequest Request{Path, S.Racing ? &S.Cancel : nullptr};
  L.unlock();

  TraceSpan Span(Options.Trace, sys::path::filename(Jobs[I].Module), "job");
  TraceSpan CompileSpan(Options.Trace, "compile", "compile");
  auto Start = std::chrono::steady_clock::now();
  Expected<CompiledObject> R = Backend.compile(Common, Jobs[I], Request);
  uint64_t Micros =
      R && R->CompileMicros ? R->CompileMicros : microsSince(Start);
  CompileSpan.end();

  L.lock();
  S.CompiledBy = nullptr;
  if (Span)
    traceJob(Span, I, Jobs[I], Keys[I],
             S.Claimed         ? "lost to the remote"
             : !R              ? "failed"
             : S.LookupPending ? "compiled, won against the remote"
                               : "compiled");
  if (S.Claimed) {
    // The remote won; whatever this compile made is not wanted.
    L.unlock();
    if (!R)
      consumeError(R.takeError());
    sys::fs::remove(Path);
    L.lock();
    return;
  }
  S.Claimed = true;
  if (!R) {
    Failures[I] = R.takeError();
    settle(I);
    return;
  }
  recordLocalWin(I, Micros);
  L.unlock();
  {
    TraceSpan Publish(Options.Trace, "publish", "store");
    finishLocal(I, Path, std::move(R->InMemory));
  }
  L.lock();
  settle(I);
}

void JobScheduler::finishLocal(size_t I, const std::string &Path,
                               std::unique_ptr<MemoryBuffer> Object) {
  const BackendJob &Job = Jobs[I];
  if (VerifyAgainst[I]) {
    // A hit compiled again: compare, use the fresh object, and store it
    // only if the cached one differed.
    std::string Fresh;
    if (Object) {
      Fresh = Object->getBuffer().str();
    } else {
      auto File = readWholeFile(Path);
      if (!File) {
        Failures[I] = File.takeError();
        return;
      }
      Fresh = (*File)->getBuffer().str();
      if (Path != Job.Output)
        sys::fs::remove(Path);
    }
    if (Error E = writeWholeFile(Job.Output, Fresh)) {
      Failures[I] = std::move(E);
      return;
    }
    if (verifyHit(I, Fresh)) {
      std::shared_ptr<std::string> Shared =
          std::make_shared<std::string>(std::move(Fresh));
      Publisher->async([this, I, Shared] { publishJob(I, *Shared); });
    }
    return;
  }
  if (Object) {
    // The entry is written once and the output is a hard link to it.
    Error Failed = Error::success();
    if (!Keys[I] || !stageAndLink(I, Object->getBuffer(), Failed))
      Failed = writeWholeFile(Job.Output, Object->getBuffer());
    if (Failed)
      Failures[I] = std::move(Failed);
    return;
  }
  if (Path != Job.Output)
    if (std::error_code EC = sys::fs::rename(Path, Job.Output)) {
      sys::fs::remove(Path);
      Failures[I] = createFileError(Job.Output, EC);
      return;
    }
  if (!Keys[I])
    return;
  auto File = readWholeFile(Job.Output);
  if (!File) {
    Outcomes[I].Bypassed = true;
    warnOnce(PublishFailed, "could not read '" + Job.Output +
                                "' to store it: " + toString(File.takeError()));
    return;
  }
  // Publication runs on a thread of its own: a worker waiting for the disk
  // would leave a core idle.
  std::shared_ptr<MemoryBuffer> Shared(std::move(*File));
  Publisher->async([this, I, Shared] {
    traceThread(Options.Trace, "publication");
    TraceSpan Span(Options.Trace, "store entry", "store");
    if (Span)
      traceJob(Span, I, Jobs[I], Keys[I], "");
    publishJob(I, Shared->getBuffer());
  });
}

void JobScheduler::recordLocalWin(size_t I, uint64_t Micros) {
  JobOutcome &O = Outcomes[I];
  O.What = Keys[I] ? JobOutcome::Miss : JobOutcome::Uncached;
  O.CompileMicros = Micros;
  O.LocalWon = States[I].LookupPending;
}

void JobScheduler::settle(size_t I) {
  States[I].Settled = true;
  --Unsettled;
  Changed.notify_all();
}

void JobScheduler::runBatch(const std::vector<size_t> &Misses) {
  // Another distributor gets every miss at once, writing temporaries for
  // jobs the remote may still answer; it is stopped if the remote answers
  // them all.
  std::vector<const BackendJob *> Batch;
  std::vector<CompileRequest> Requests;
  {
    std::lock_guard<std::mutex> G(Lock);
    for (size_t I : Misses) {
      MissState &S = States[I];
      S.Started = true;
      S.Racing = S.LookupPending && !Options.DeterminismCheck;
      Batch.push_back(&Jobs[I]);
      Requests.push_back({S.Racing ? racePath(I) : Jobs[I].Output, nullptr});
    }
    BatchCancel = std::make_unique<CancelToken>();
  }
  TraceSpan BatchSpan(Options.Trace, "compile batch", "compile");
  BatchSpan.arg("jobs", static_cast<int64_t>(Misses.size()));
  auto Start = std::chrono::steady_clock::now();
  Error E = Backend.compileBatch(Common, Batch, Requests, BatchCancel.get());
  uint64_t Share = microsSince(Start) / Misses.size();
  BatchSpan.end();

  std::vector<size_t> Won;
  {
    std::lock_guard<std::mutex> G(Lock);
    for (size_t K = 0; K < Misses.size(); ++K) {
      size_t I = Misses[K];
      MissState &S = States[I];
      if (S.Claimed) {
        sys::fs::remove(Requests[K].OutputPath);
        continue;
      }
      S.Claimed = true;
      if (E) {
        settle(I);
        continue;
      }
      recordLocalWin(I, Share);
      Won.push_back(K);
    }
  }
  if (E) {
    Failures[Misses.front()] = std::move(E);
    return;
  }
  DefaultThreadPool Pool(hardware_concurrency(Options.Workers));
  for (size_t K : Won)
    Pool.async([&, K] {
      traceThread(Options.Trace, "publication");
      TraceSpan Span(Options.Trace, "publish", "store");
      if (Span)
        traceJob(Span, Misses[K], Jobs[Misses[K]], Keys[Misses[K]], "");
      finishLocal(Misses[K], Requests[K].OutputPath, nullptr);
      std::lock_guard<std::mutex> G(Lock);
      settle(Misses[K]);
    });
  Pool.wait();
}

Digest JobScheduler::entryKey(size_t I) const {
  if (!Keys[I])
    return Digest();
  return EntryKeys[I] ? *EntryKeys[I] : Keys[I]->Key;
}

LinkRecordText JobScheduler::record(StringRef Output,
                                    const LinkKeyBasis &Basis) const {
  LinkRecordWriter W(Output, Basis, Jobs.size());
  for (size_t I = 0; I < Jobs.size(); ++I)
    W.addJob(Jobs[I].Module, Keys[I] ? &*Keys[I] : nullptr, entryKey(I),
             Carried[I], Outcomes[I]);
  return W.finish();
}

Error JobScheduler::writeKeyLog(
    const std::vector<std::optional<JobKey>> &Keys) {
  std::vector<std::string> Records;
  for (size_t I = 0; I < Jobs.size(); ++I) {
    std::string R;
    raw_string_ostream OS(R);
    const std::optional<JobKey> &K = Keys[I];
    OS << Jobs[I].Module << " " << (K ? toHex(entryKey(I)) : "none") << "\n";
    if (K) {
      for (const KeyFieldTrace &T : K->Trace)
        OS << "  " << keyFieldName(T.Field) << " " << T.Value << "\n";
      // Which hashes of modules whose names imported code uses the object
      // carries (they are in its key) and does not (they are not).
      for (unsigned C = 0; C < K->Candidates.size(); ++C)
        OS << "  "
           << (llvm::is_contained(Carried[I], C)
                   ? keyFieldName(KeyField::CarriedModuleHash)
                   : StringRef("uncarried-module-hash"))
           << " " << K->Candidates[C].Source << K->Candidates[C].HashSuffix
           << "\n";
    }
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
