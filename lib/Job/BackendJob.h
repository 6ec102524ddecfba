//===- BackendJob.h - One ThinLTO backend job, as lld describes it -*- C++
//-*-===//
#ifndef LTOCACHE_JOB_BACKENDJOB_H
#define LTOCACHE_JOB_BACKENDJOB_H

#include <string>
#include <vector>

namespace ltocache {

/// What every job of a link shares (the DTLTO JSON's "common" object).
struct CommonJobArgs {
  std::string LinkerOutput;
  /// Compiler executable followed by its arguments.
  std::vector<std::string> Args;
  std::vector<std::string> Inputs;
};

/// One backend job: compile Module with the summary in Shard into Output.
struct BackendJob {
  std::vector<std::string> Args;
  std::vector<std::string> Inputs;
  std::vector<std::string> Outputs;
  // Derived from Args and validated by the JSON reader.
  std::string Module;
  std::string Shard;
  std::string Output;
};

} // namespace ltocache

#endif
