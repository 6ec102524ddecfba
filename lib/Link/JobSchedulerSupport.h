//===- JobSchedulerSupport.h - Shared by JobScheduler's files ---*- C++ -*-===//
//
// Internal to lib/: what JobScheduler.cpp (phases 1 and 2, the compiles)
// and RemoteRace.cpp (the remote side of phase 2) both use.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_JOBSCHEDULERSUPPORT_H
#define LTOCACHE_LINK_JOBSCHEDULERSUPPORT_H

#include "llvm/Support/Error.h"

#include <cstdint>

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

} // namespace detail
} // namespace ltocache

#endif
