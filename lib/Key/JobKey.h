//===- JobKey.h - The cache key of a DTLTO backend job ----------*- C++ -*-===//
//
// Recipe "dtlto-job", version 1. Everything that can change the object a
// job produces, and nothing that cannot (paths, pids, job order):
//   compiler identity, effective arguments with paths removed, the content
//   of files named by arguments, host CPU when an argument says "native",
//   the module, its recipe, the summary shard with module paths replaced by
//   content digests, every imported module, every common input.
// docs/KEYS.md documents each field.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_JOBKEY_H
#define LTOCACHE_KEY_JOBKEY_H

#include "Job/BackendJob.h"
#include "Key/CacheKey.h"
#include "Key/KeyMemo.h"
#include "Key/ToolchainIdentity.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

constexpr llvm::StringLiteral JobKeyRecipeName = "dtlto-job";
constexpr uint32_t JobKeyRecipeVersion = 1;

/// Digests of input files, each file read and hashed once per link.
/// Thread-safe.
class FileDigests {
public:
  llvm::Expected<Digest> get(llvm::StringRef Path);
  void remember(llvm::StringRef Path, const Digest &D);

private:
  std::mutex Lock;
  llvm::StringMap<Digest> Known;
};

/// The key inputs every job of a link shares, computed once.
struct LinkKeyBasis {
  std::string CompilerIdentity;
  /// Key fields from what the command runs (launchers, libraries,
  /// environment, configuration files), the common arguments and inputs,
  /// in order.
  std::vector<std::pair<KeyField, std::string>> Fields;

  /// \p Command is what \p Common's arguments run, \p Toolchain its
  /// identity. Configuration and response files are read here, every link:
  /// their contents are key inputs.
  static llvm::Expected<LinkKeyBasis>
  compute(const CommonJobArgs &Common, const CompilerCommand &Command,
          const ToolchainIdentity &Toolchain, FileDigests &Files);
};

struct JobKey {
  Digest Key;
  std::vector<KeyFieldTrace> Trace;
  bool ModuleHasRecipe = false;
};

/// A job's own key inputs: everything but the link's basis (the compiler
/// identity among it), so they can be computed while the identity is still
/// being found out.
struct JobKeyFields {
  /// From the job's arguments, in order.
  std::vector<std::pair<KeyField, std::string>> Args;
  Digest Module;
  std::string Recipe;               ///< "<none>" if the module has none.
  Digest Shard;                     ///< Of the canonical shard.
  std::vector<std::string> Imports; ///< Hex digests, sorted.
};

/// \p Job's key inputs; an error as for computeJobKey.
llvm::Expected<JobKeyFields> computeJobFields(const BackendJob &Job,
                                              FileDigests &Files,
                                              KeyMemo *Memo = nullptr);
/// The key from the link's basis and one job's inputs.
JobKey finishJobKey(const LinkKeyBasis &Basis, const JobKeyFields &Fields);

/// The key of \p Job. An error means the job cannot be keyed safely (for
/// example the shard names a module that is not among its inputs); the
/// caller then compiles it uncached.
llvm::Expected<JobKey> computeJobKey(const LinkKeyBasis &Basis,
                                     const BackendJob &Job, FileDigests &Files,
                                     KeyMemo *Memo = nullptr);

/// The summary shard at \p ShardPath re-serialised with every module path
/// replaced by the digest of that module's content (found through
/// \p Inputs). Exposed for tests.
llvm::Expected<std::string>
canonicalizeShard(llvm::StringRef ShardPath,
                  const std::vector<std::string> &Inputs, FileDigests &Files);

} // namespace ltocache

#endif
