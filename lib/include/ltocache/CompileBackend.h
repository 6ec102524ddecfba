//===- CompileBackend.h - How a missed job gets compiled --------*- C++ -*-===//
#ifndef LTOCACHE_COMPILEBACKEND_H
#define LTOCACHE_COMPILEBACKEND_H

#include "ltocache/BackendJob.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace ltocache {

class CompileBackend {
public:
  virtual ~CompileBackend();
  /// Produces Job.Output. Called from several threads at once.
  virtual llvm::Error compile(const CommonJobArgs &Common,
                              const BackendJob &Job) = 0;
  virtual llvm::StringRef name() const = 0;

  /// A hint that compiles are coming: a backend with a costly start can
  /// begin it now. Thread-safe, may be called many times.
  virtual void prepare() {}

  /// A backend that wants all misses at once (another distributor) says so
  /// here and implements compileBatch; the others get compile() per job on
  /// the scheduler's workers.
  virtual bool batches() const { return false; }
  virtual llvm::Error compileBatch(const CommonJobArgs &Common,
                                   llvm::ArrayRef<const BackendJob *> Jobs);
};

/// Runs the remote compiler as a process per job, exactly as lld gave it:
/// Common.Args followed by Job.Args.
std::unique_ptr<CompileBackend> createSubprocessBackend();

} // namespace ltocache

#endif
