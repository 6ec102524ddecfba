//===- JobScheduler.h - Runs a link's jobs through the cache ----*- C++ -*-===//
//
// Phase 1, on a pool of workers: every job's key and local lookup; hits
// are written to their outputs at once.
//
// Phase 2, the misses. With a remote store, every remote lookup starts at
// once on a thread of its own while the workers start compiling at once:
// jobs the remote already said it does not have first, then jobs still
// waiting for an answer, biggest modules first. Whichever result comes
// first is used: a remote hit cancels the job's compile (a subprocess is
// killed; the compile server answers at once, drops the job if it has not
// started and lets it finish unwanted at the lowest priority if it has; a
// backend that cannot stop a compile has its worker lowered in priority
// and replaced); a compile that finishes first stops the wait. A
// compile that can lose a race writes a temporary (or memory), never the
// job's output. When every job is settled, lookups still open are
// abandoned, and what was compiled is uploaded, bounded in time.
//
// Anything that stops a job from being cached (no key, unusable store,
// failed publication, a broken remote) degrades to compiling it; only a
// failed compile or an unwritable output fails the link.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_JOBSCHEDULER_H
#define LTOCACHE_LINK_JOBSCHEDULER_H

#include "Compile/CompileBackend.h"
#include "Job/BackendJob.h"
#include "Key/DefinitionKeyCache.h"
#include "Key/JobKey.h"
#include "Key/SharedKeyInputs.h"
#include "Link/LinkRecord.h"
#include "Link/LinkStats.h"
#include "Remote/RemoteStore.h"
#include "Store/LocalStore.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/ThreadPool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ltocache {

class LinkTrace;

struct SchedulerOptions {
  unsigned Workers = 0; ///< 0: one per core.
  /// If set, "<module> <key>" and the key's fields are written here.
  std::string KeyLogPath;
  /// Opens the remote store; called only if a link has local misses (so a
  /// warm link never loads the HTTP module). Null: no remote.
  std::function<llvm::Expected<std::unique_ptr<RemoteStore>>()> OpenRemote;
  /// How long lookups may still win; then the remote is a miss.
  std::chrono::milliseconds LookupBudget{10000};
  /// How long uploads may take after the link's work is done.
  std::chrono::milliseconds UploadBudget{2000};
  /// Compile every remote hit too, and compare; differences are kept in
  /// ReportDir and the local object is used.
  bool DeterminismCheck = false;
  std::string ReportDir;
  /// Flush each new entry to disk before naming it. Off by default: every
  /// read checks an entry's length and checksum, so an entry torn by a
  /// power loss is a miss, and an fsync per entry made small-module links
  /// up to ~10% slower (docs/BENCHMARKS.md).
  bool SyncEntries = false;
  /// The fraction of local hits also compiled and compared byte for byte
  /// before they are used; a difference keeps both objects in ReportDir,
  /// and the fresh object is used and stored.
  double VerifyHits = 0;
  /// If set, the link's phases and every job's steps are recorded here.
  LinkTrace *Trace = nullptr;
  /// If set (with a remote), the memoised key inputs missing locally are
  /// asked of it; a job's are computed here only if its answer has not come
  /// when the link's basis is ready (Key/SharedKeyInputs.h).
  SharedKeyInputs *Shared = nullptr;
  /// If set, input digests are remembered across links there
  /// (Key/FileDigests.h); LinkStart is when the link began.
  DigestMemo *Digests = nullptr;
  llvm::sys::TimePoint<> LinkStart = std::chrono::system_clock::now();
};

/// The link's key basis, waiting for it if it is still being computed (the
/// compiler's identity may take running it); null if the link cannot be
/// keyed. Called from several threads at once.
using KeyBasisSource = std::function<const LinkKeyBasis *()>;

class JobScheduler {
public:
  /// \p Store and \p Basis may be null, and \p Basis may return null:
  /// every job is then compiled uncached. \p Memo (may be null) remembers
  /// key inputs across links.
  JobScheduler(const CommonJobArgs &Common, const std::vector<BackendJob> &Jobs,
               LocalStore *Store, KeyMemo *Memo, KeyBasisSource Basis,
               CompileBackend &Backend, SchedulerOptions Options)
      : Common(Common), Jobs(Jobs), Store(Store), Memo(Memo),
        Basis(std::move(Basis)), Backend(Backend), Options(std::move(Options)) {
  }
  /// Waits for abandoned compiles still running; a program that wants to
  /// exit without waiting calls abandonedCompilesRunning() and exits
  /// without running destructors.
  ~JobScheduler();

  /// Runs every job; the error is the first job failure, if any.
  llvm::Expected<LinkStats> run();

  /// Compiles whose results were dropped and that are still running.
  bool abandonedCompilesRunning();

  /// What run() did, job by job, for `ltocache explain`; \p Output is the
  /// linker output (absoluteOutput).
  LinkRecordText record(llvm::StringRef Output,
                        const LinkKeyBasis &Basis) const;

private:
  struct Worker {
    std::thread Thread;
    bool Abandoned = false; ///< Its compile's result is no longer wanted.
    bool Exited = false;
    /// The one compile asked beyond the workers, for a backend that
    /// queues compiles; it stops when the backend no longer does.
    bool Spare = false;
    int Tid = 0; ///< For lowering its priority once abandoned.
  };
  /// A missed job's progress through phase 2. Guarded by Lock.
  struct MissState {
    bool Started = false;         ///< A compile has taken it.
    bool LookupPending = false;   ///< Asked the remote, no answer yet.
    bool Claimed = false;         ///< Its result is decided.
    bool Settled = false;         ///< Its output is in place (or it failed).
    bool Racing = false;          ///< Its compile may lose to the remote.
    Worker *CompiledBy = nullptr; ///< The worker compiling it.
    CancelToken Cancel;
    /// Determinism check: the remote's object, compared at the end.
    std::string RemotePayload;
    bool HaveRemotePayload = false;
  };

  /// Keys job \p I and looks it up; true if it needs no compile (a hit,
  /// or a failure recorded in Failures[I]).
  bool lookupJob(size_t I);
  /// Looks up every job's memo key and local memo, and asks Options.Shared
  /// for those missing (Known, SharedMemos).
  void askSharedMemos(llvm::ThreadPoolInterface &Pool);
  /// Job \p I's memo as far as it is known (null: not looked up ahead),
  /// waiting for the remote's answer while the link's basis is not ready.
  /// Pool threads only.
  const JobMemoLookup *knownMemo(size_t I);
  /// Stores the object a miss produced (or counts the bypass).
  void publishJob(size_t I, llvm::StringRef Object);
  /// Counts job \p I's result as not stored, with a warning.
  void bypass(size_t I, llvm::Error Why);
  /// Writes an in-memory object as the cache entry and makes the output a
  /// hard link to it; false if the entry could not be staged (nothing
  /// written). \p Failed receives an error writing the output.
  bool stageAndLink(size_t I, llvm::StringRef Object, llvm::Error &Failed);
  /// Job \p I's object as compiled, read from its output (which may be a
  /// hard link to the entry: the trailer is dropped).
  llvm::Expected<std::string> readObject(size_t I);
  /// The key \p Object of job \p I is stored under locally: the job's key
  /// with the hashes of the modules it carries names of (JobKey), which
  /// are remembered for the job's base. Sets EntryKeys[I].
  Digest objectKey(size_t I, llvm::StringRef Object);
  /// The key of job \p I's entry (its base with the module hashes its
  /// object carries); zero if it has no key.
  Digest entryKey(size_t I) const;
  void warnOnce(unsigned Kind, const llvm::Twine &Message);
  llvm::Error writeKeyLog(const std::vector<std::optional<JobKey>> &Keys);

  void runMisses(const std::vector<size_t> &Misses, LinkStats &Stats);
  void runBatch(const std::vector<size_t> &Misses);
  void startWorker(bool Spare = false); // Lock held.
  void workerLoop(Worker *Self);
  /// The next job to compile, or SIZE_MAX. Lock held.
  size_t pickJob();
  void compileJob(size_t I, std::unique_lock<std::mutex> &L, Worker *Self);
  /// Puts a local result in place. Lock not held.
  void finishLocal(size_t I, const std::string &Path,
                   std::unique_ptr<llvm::MemoryBuffer> InMemory);
  /// A claimed job's compile produced its object. Lock held.
  void recordLocalWin(size_t I, uint64_t Micros);
  void settle(size_t I); // Lock held.
  void lookUpRemote(const std::vector<size_t> &Misses);
  void onRemoteAnswer(size_t I, RemoteResult R);
  void uploadResults(const std::vector<size_t> &Misses, LinkStats &Stats);
  void checkDeterminism(const std::vector<size_t> &Misses);
  /// Whether the hit of job \p I is compiled again to be compared.
  bool chosenToVerify(size_t I) const;
  /// Compares job \p I's fresh object with the hit it was compiled to
  /// verify; true if they differ (both are then kept in ReportDir, and the
  /// stale entry is moved aside).
  bool verifyHit(size_t I, llvm::StringRef Fresh);
  /// Keeps \p Objects (name, bytes) and a description of job \p I under
  /// ReportDir/<key>/.
  void
  keepReport(size_t I, llvm::StringRef What,
             llvm::ArrayRef<std::pair<const char *, llvm::StringRef>> Objects);
  std::string racePath(size_t I) const;

  const CommonJobArgs &Common;
  const std::vector<BackendJob> &Jobs;
  LocalStore *Store;
  KeyMemo *Memo;
  KeyBasisSource Basis;
  CompileBackend &Backend;
  SchedulerOptions Options;
  FileDigests Files;
  // Per job, written only by the thread settling that job (or under Lock
  // in phase 2).
  std::vector<JobOutcome> Outcomes;
  std::vector<std::optional<JobKey>> Keys;
  /// The key of the local entry that holds (or will hold) job I's object.
  std::vector<std::optional<Digest>> EntryKeys;
  /// The candidates (JobKey::Candidates) that key covers.
  std::vector<std::vector<unsigned>> Carried;
  /// For a hit compiled again to be verified: the cached object.
  std::vector<std::optional<std::string>> VerifyAgainst;
  uint64_t VerifyNonce = 0;
  std::unique_ptr<DefinitionKeyCache> Definitions;
  /// Memos looked up ahead (askSharedMemos); an answer from Options.Shared
  /// for job I arrives in SharedMemos[I] (under SharedLock).
  std::vector<JobMemoLookup> Known;
  std::vector<char> LookedUp;  ///< Known[I] holds its memo key.
  std::vector<char> AskRemote; ///< Job I's memo was asked of the remote.
  /// Job I's jobInputsMarkKey, where its first memo key missed here.
  std::vector<std::optional<Digest>> MarkKeys;
  std::vector<std::optional<std::optional<std::string>>> SharedMemos;
  std::mutex SharedLock;
  std::condition_variable SharedAnswered;
  bool BasisKnown = false; ///< Under SharedLock.
  /// When the memos were asked for (Options.Shared's head start counts
  /// from there), and whether any were.
  std::chrono::steady_clock::time_point SharedAskedAt;
  bool SharedAsked = false;
  std::atomic<unsigned> SharedMemosTaken{0};
  std::vector<llvm::Error> Failures;
  std::mutex WarnLock;
  unsigned WarnedKinds = 0;

  // Phase 2.
  std::mutex Lock;
  std::condition_variable Changed;
  std::vector<MissState> States;
  std::vector<size_t> Order; ///< Misses, biggest first.
  size_t Unsettled = 0;
  std::list<Worker> Workers;
  unsigned WorkerCount = 1; ///< Workers not abandoned, when not batching.
  std::unique_ptr<RemoteStore> Remote;
  std::thread RemoteThread;
  std::string RemoteUnusable;
  bool RemoteHealthy = true;    ///< No lookup timed out.
  bool AnyRemoteAnswer = false; ///< Some lookup found a valid entry or 404.
  bool RemoteDone = false;
  /// Until then, a job whose remote lookup is still open is not compiled
  /// (the remote's head start, Key/SharedKeyInputs.h).
  std::chrono::steady_clock::time_point HoldCompilesUntil;
  bool StopRemote = false;
  std::unique_ptr<CancelToken> BatchCancel;
  std::unique_ptr<llvm::DefaultThreadPool> Publisher;
};

} // namespace ltocache

#endif
