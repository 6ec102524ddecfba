//===- CompileBackend.h - How a missed job gets compiled --------*- C++ -*-===//
//
// A backend turns one job (or a batch of jobs) into an object file. The
// scheduler may race a compile against a remote lookup: it then names a
// temporary output and may cancel the compile when the remote wins.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_COMPILE_COMPILEBACKEND_H
#define LTOCACHE_COMPILE_COMPILEBACKEND_H

#include "Job/BackendJob.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace ltocache {

/// Tells a running compile that its result is no longer wanted. A backend
/// that can stop early (a subprocess can be killed) registers how; one
/// that cannot (clang's code on this thread) just runs to the end and its
/// result is dropped. Thread-safe.
class CancelToken {
public:
  void cancel();
  bool cancelled() const;
  /// Runs \p Stop once when cancel() is called, or at once if it already
  /// was. Replaces an earlier hook. Hooks run under the token's lock: keep
  /// them short. After clearOnCancel() returns, no hook is running.
  void onCancel(std::function<void()> Stop);
  /// Unless already cancelled, runs \p Start, which starts the work and
  /// returns its stop hook (or null), and registers that hook, all under
  /// the token's lock: a concurrent cancel() waits for the start and then
  /// stops it. False if cancelled (nothing started).
  bool startUnlessCancelled(llvm::function_ref<std::function<void()>()> Start);
  void clearOnCancel();

private:
  mutable std::mutex Lock;
  bool Cancelled = false;
  std::function<void()> Stop;
};

/// Where one compile puts its object.
struct CompileRequest {
  /// The object's path: the job's output, or a temporary beside it when
  /// the result may lose a race.
  std::string OutputPath;
  /// May be null: the compile cannot be cancelled.
  CancelToken *Cancel = nullptr;
};

/// What a compile produced. A backend that builds the object in memory
/// hands the bytes over (the scheduler writes OutputPath); otherwise the
/// object is at OutputPath.
struct CompiledObject {
  std::unique_ptr<llvm::MemoryBuffer> InMemory;
  /// How long the compile itself took, when the backend knows better than
  /// the caller's clock (a compile queued at the server waited first); 0:
  /// the caller's clock.
  uint64_t CompileMicros = 0;
};

class CompileBackend {
public:
  virtual ~CompileBackend();
  /// Compiles \p Job. Called from several threads at once. A cancelled
  /// compile should return at once (an error or a result; either is
  /// ignored): one that cannot keeps its worker thread, which the
  /// scheduler then lowers in priority and replaces.
  virtual llvm::Expected<CompiledObject>
  compile(const CommonJobArgs &Common, const BackendJob &Job,
          const CompileRequest &Request) = 0;
  virtual llvm::StringRef name() const = 0;

  /// A hint that compiles are coming: a backend with a costly start can
  /// begin it now. Thread-safe, may be called many times.
  virtual void prepare() {}

  /// True when the backend runs compiles on threads of its own and queues
  /// those it cannot start yet (the compile server). The scheduler then
  /// keeps one compile more asked than it has workers, so that when a
  /// compile ends the backend starts the next at once instead of idling
  /// while the scheduler stores the result and asks again. Asked before
  /// each such extra compile; may wait until the backend is chosen.
  /// Thread-safe.
  virtual bool queuesCompiles() { return false; }

  /// A backend that wants all misses at once (another distributor) says so
  /// here and implements compileBatch; the others get compile() per job on
  /// the scheduler's workers. Requests[I] belongs to Jobs[I]; the batch's
  /// objects are always files. \p Cancel stops the whole batch.
  virtual bool batches() const { return false; }
  virtual llvm::Error compileBatch(const CommonJobArgs &Common,
                                   llvm::ArrayRef<const BackendJob *> Jobs,
                                   llvm::ArrayRef<CompileRequest> Requests,
                                   CancelToken *Cancel);
};

/// Microseconds from \p Start to now: how compiles are timed.
inline uint64_t microsSince(std::chrono::steady_clock::time_point Start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now() - Start)
      .count();
}

/// Job.Args with the output ("-o <path>") replaced by \p OutputPath.
std::vector<std::string> argsWithOutput(const BackendJob &Job,
                                        llvm::StringRef OutputPath);

/// Runs \p Program and waits; \p Cancel (may be null) stops it with
/// SIGTERM. An empty string for exit code 0, else what went wrong.
llvm::Expected<std::string> runProcess(llvm::StringRef Program,
                                       llvm::ArrayRef<llvm::StringRef> Argv,
                                       CancelToken *Cancel);

/// Runs the remote compiler as a process per job, exactly as lld gave it:
/// Common.Args followed by Job.Args (with the requested output). Cancel
/// stops the process (SIGTERM, so clang removes its temporaries).
std::unique_ptr<CompileBackend> createSubprocessBackend();

} // namespace ltocache

#endif
