//===- JobFile.h - Reads the DTLTO job file lld writes ----------*- C++ -*-===//
#ifndef LTOCACHE_JOB_JOBFILE_H
#define LTOCACHE_JOB_JOBFILE_H

#include "Job/BackendJob.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace ltocache {

struct JobFile {
  CommonJobArgs Common;
  std::vector<BackendJob> Jobs;
};

/// Parses and validates \p Path strictly: malformed JSON, a missing or
/// mistyped field, a job whose arguments lack its module, index or output,
/// or an input that does not exist is an error naming the file, the job and
/// the field.
llvm::Expected<JobFile> readJobFile(llvm::StringRef Path);

} // namespace ltocache

#endif
