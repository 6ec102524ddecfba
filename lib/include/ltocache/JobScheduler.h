//===- JobScheduler.h - Runs a link's jobs through the cache ----*- C++ -*-===//
//
// Per job, on a pool of workers: key -> local lookup -> hit: write the
// object to the job's output; miss: compile, then publish to the store.
// Anything that stops a job from being cached (no key, unusable store,
// failed publication) degrades to compiling it uncached; only a failed
// compile or an unwritable output fails the link.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_JOBSCHEDULER_H
#define LTOCACHE_JOBSCHEDULER_H

#include "ltocache/BackendJob.h"
#include "ltocache/CompileBackend.h"
#include "ltocache/JobKey.h"
#include "ltocache/LinkStats.h"
#include "ltocache/LocalStore.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ltocache {

struct SchedulerOptions {
  unsigned Workers = 0; ///< 0: one per core.
  /// If set, "<module> <key>" and the key's fields are written here.
  std::string KeyLogPath;
};

class JobScheduler {
public:
  /// \p Store and \p Basis may be null: every job is then compiled uncached.
  /// \p Memo (may be null) remembers key inputs across links.
  JobScheduler(const CommonJobArgs &Common, const std::vector<BackendJob> &Jobs,
               LocalStore *Store, KeyMemo *Memo, const LinkKeyBasis *Basis,
               CompileBackend &Backend, SchedulerOptions Options)
      : Common(Common), Jobs(Jobs), Store(Store), Memo(Memo), Basis(Basis),
        Backend(Backend), Options(std::move(Options)) {}

  /// Runs every job; the error is the first job failure, if any.
  llvm::Expected<LinkStats> run();

private:
  /// Keys job \p I and looks it up; true if it needs no compile (a hit,
  /// or a failure recorded in Failures[I]).
  bool lookupJob(size_t I);
  /// Stores the object a miss produced (or counts the bypass).
  void publishJob(size_t I);
  void warnOnce(unsigned Kind, const llvm::Twine &Message);
  llvm::Error writeKeyLog(const std::vector<std::optional<JobKey>> &Keys);

  const CommonJobArgs &Common;
  const std::vector<BackendJob> &Jobs;
  LocalStore *Store;
  KeyMemo *Memo;
  const LinkKeyBasis *Basis;
  CompileBackend &Backend;
  SchedulerOptions Options;
  FileDigests Files;
  // Per job, written only by the worker handling that job.
  std::vector<JobOutcome> Outcomes;
  std::vector<std::optional<JobKey>> Keys;
  std::vector<llvm::Error> Failures;
  std::mutex WarnLock;
  unsigned WarnedKinds = 0;
};

} // namespace ltocache

#endif
