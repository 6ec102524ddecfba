//===- LinkExplain.h - Why jobs of a link missed ----------------*- C++ -*-===//
//
// `ltocache explain` compares two records of links (LinkRecord.h), usually
// the last two of one linker output, and says for each job that missed in
// the later one what changed since the earlier one, in a user's words:
// "module util.c changed", "imports changed: util_max from util.c",
// "compiler changed (22.1.8 → 22.1.9)", "argument -O2 → -O3", "file
// prof.txt changed", "new job".
//
// Jobs are matched across links by what does not change between links: the
// source file the module's recipe names and lld's module path (an archive
// member's without the offset and process id lld puts in it), then either
// alone where it is unique.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_LINKEXPLAIN_H
#define LTOCACHE_LINK_LINKEXPLAIN_H

#include "Link/LinkRecord.h"

#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace ltocache {

/// One change, in words (Text), of a kind tools can tell apart: "module",
/// "imports", "imported-module", "thin-link", "carried-hash", "compiler",
/// "argument", "file", "new-job", "entry-gone", ... From and To, where set,
/// are the values before and after.
struct Change {
  std::string Kind, Text, From, To;
};

struct JobExplanation {
  std::string Name; ///< Its source file, else its module (unique in a link).
  std::string Module, Source;
  LinkRecord::Outcome What = LinkRecord::Outcome::Uncached;
  /// For a job that missed (or was not keyed): why. Empty for hits.
  std::vector<Change> Changes;
  /// Its key changed through the changes every job shares, too.
  bool SharedChanges = false;

  bool missed() const { return What != LinkRecord::Outcome::Hit; }
};

struct LinkCounts {
  unsigned Jobs = 0, Hits = 0, Misses = 0, FromRemote = 0, Uncached = 0;
};
LinkCounts countJobs(const LinkRecord &R);

struct Explanation {
  std::string BeforeId, BeforeOutput, AfterId, AfterOutput;
  LinkCounts Before, After;
  /// Changes to what every job's key shares (compiler, common arguments).
  std::vector<Change> ForEveryJob;
  /// The later link's jobs, by name.
  std::vector<JobExplanation> Jobs;
  /// Names of the earlier link's jobs the later one does not have.
  std::vector<std::string> Gone;
};

Explanation explainLinks(const LinkRecord &Before, const LinkRecord &After);

/// The explanation for a reader: counts, shared changes, then each job
/// that missed with its changes.
std::string explanationText(const Explanation &E);
/// The same for tools, every job included.
llvm::json::Value explanationJSON(const Explanation &E);

} // namespace ltocache

#endif
