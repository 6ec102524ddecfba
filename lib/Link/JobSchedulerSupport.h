//===- JobSchedulerSupport.h - Shared by JobScheduler's files ---*- C++ -*-===//
//
// Internal to lib/: what JobScheduler.cpp (phases 1 and 2, the compiles)
// and RemoteRace.cpp (the remote side of phase 2) both use.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_JOBSCHEDULERSUPPORT_H
#define LTOCACHE_LINK_JOBSCHEDULERSUPPORT_H

#include "Job/BackendJob.h"
#include "Key/JobKey.h"
#include "Link/LinkTrace.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>

namespace ltocache {
namespace detail {

/// Each kind of warning is printed once per link.
enum WarningKind : unsigned {
  NoKey = 1 << 0,
  Corrupt = 1 << 1,
  PublishFailed = 1 << 2,
  RemoteFailed = 1 << 3,
  RemoteBadEntry = 1 << 4,
  UploadFailed = 1 << 5,
  ReportFailed = 1 << 6,
  RemoteUntrusted = 1 << 7,
};

/// Names job \p I in \p Span: its index, module and key (if it has one),
/// and \p Outcome unless empty.
void traceJob(TraceSpan &Span, size_t I, const BackendJob &Job,
              const std::optional<JobKey> &Key, llvm::StringRef Outcome);

} // namespace detail
} // namespace ltocache

#endif
