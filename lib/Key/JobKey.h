//===- JobKey.h - The cache key of a DTLTO backend job ----------*- C++ -*-===//
//
// Recipe "dtlto-job", version 2. Everything that can change the object a
// job produces, and nothing that cannot (paths, pids, job order):
//   compiler identity, effective arguments with paths removed, the content
//   of files named by arguments, host CPU when an argument says "native",
//   the module, its recipe, the summary shard with module paths replaced by
//   content-derived names, from each module imported from the definitions
//   imported (or its whole content), every common input; and the hashes of
//   the modules whose promoted names the object carries.
// docs/KEYS.md documents each field.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_JOBKEY_H
#define LTOCACHE_KEY_JOBKEY_H

#include "Job/BackendJob.h"
#include "Key/CacheKey.h"
#include "Key/FileDigests.h"
#include "Key/KeyMemo.h"
#include "Key/ToolchainIdentity.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

constexpr llvm::StringLiteral JobKeyRecipeName = "dtlto-job";
constexpr uint32_t JobKeyRecipeVersion = 2;

/// The key inputs every job of a link shares, computed once.
struct LinkKeyBasis {
  std::string CompilerIdentity;
  /// Key fields from what the command runs (launchers, libraries,
  /// environment, configuration files), the common arguments and inputs,
  /// in order.
  std::vector<std::pair<KeyField, std::string>> Fields;
  /// The name (not the path, which is not keyed) of the file behind
  /// Fields[I], for referenced files and common inputs: explanations say
  /// which file changed.
  std::map<size_t, std::string> FileNames;

  /// \p Command is what \p Common's arguments run, \p Toolchain its
  /// identity. Configuration and response files are read here, every link:
  /// their contents are key inputs.
  static llvm::Expected<LinkKeyBasis>
  compute(const CommonJobArgs &Common, const CompilerCommand &Command,
          const ToolchainIdentity &Toolchain, FileDigests &Files);
};

/// What a job takes from one module it imports from, when that module can
/// be keyed by definition (DefinitionKeys.h).
struct ImportedPart {
  /// Its name in the canonical shard: "ltocache:part:<Part hex>", with
  /// "#<n>" when another part of the job is identical.
  std::string Label;
  std::string Source; ///< The module's source_filename (for the key log).
  /// The module-level context and the key of every definition imported.
  Digest Part{};
  /// Imported code names a local of the module, so the object may carry
  /// the module's hash in a promoted name: a candidate dependency.
  bool MayNameLocals = false;
  /// ".llvm.<first 64 bits of the module's hash>", as promoted names end.
  std::string HashSuffix;
  /// Each imported definition: name and key, by name.
  std::vector<std::pair<std::string, Digest>> Definitions;
};

/// A job's key in two layers. Base covers every input but the hashes of
/// modules whose locals imported code names; whether the object carries
/// one of those hashes (in a promoted name, ".llvm.<hash>") is seen in the
/// object itself once it is compiled. An object is stored under
/// keyFor(the candidates it carries), and which ones a Base's object carries
/// is remembered (manifestKey): an edit that changes only the hash of a
/// module whose names the object does not carry changes none of its keys.
struct JobKey {
  Digest Base{};
  /// The conservative key: keyFor(every candidate). Remote entries are
  /// stored under it (a machine without the manifest computes it alone).
  Digest Key{};
  std::vector<KeyFieldTrace> Trace;
  /// Trace's first fields are the link's basis, the same for every job.
  size_t SharedFields = 0;
  bool ModuleHasRecipe = false;
  /// The module's recipe as text ("<none>"), for explanations.
  std::string Recipe;
  /// A module whose hash the object may carry.
  struct Candidate {
    std::string Label;      ///< Its part's name in the canonical shard.
    std::string HashSuffix; ///< ".llvm.<decimal>".
    std::string Source;     ///< For the key log.
  };
  /// By label.
  std::vector<Candidate> Candidates;

  /// The key of an object carrying the hashes of Candidates[i] for each i
  /// in \p Carried (ascending).
  Digest keyFor(llvm::ArrayRef<unsigned> Carried) const;
  /// The candidates whose hash suffix appears in \p Object.
  std::vector<unsigned> carriedBy(llvm::StringRef Object) const;
  /// Where the candidates a Base's object carries are remembered.
  Digest manifestKey() const;
  /// The manifest's text for \p Carried, and back (nullopt: not a
  /// manifest of this job).
  std::string manifest(llvm::ArrayRef<unsigned> Carried) const;
  std::optional<std::vector<unsigned>>
  parseManifest(llvm::StringRef Text) const;
};

/// A job's own key inputs: everything but the link's basis (the compiler
/// identity among it), so they can be computed while the identity is still
/// being found out.
struct JobKeyFields {
  /// From the job's arguments, in order.
  std::vector<std::pair<KeyField, std::string>> Args;
  Digest Module{};
  std::string Recipe; ///< "<none>" if the module has none.
  Digest Shard{};     ///< Of the canonical shard.
  /// Modules imported from, keyed by definition, by label.
  std::vector<ImportedPart> Parts;
  /// Hex digests of inputs keyed whole (modules that cannot be keyed by
  /// definition, inputs the shard does not name), sorted.
  std::vector<std::string> Imports;
  /// The costly inputs came from a memo found elsewhere (JobMemoLookup).
  bool FromElsewhere = false;
};

class DefinitionKeyCache;

/// Where a job's costly key inputs (its canonical shard, imported parts and
/// recipe) are memoised, and the memo, looked up ahead of keying: a caller
/// that asks another machine for the memos missing here.
struct JobMemoLookup {
  std::optional<Digest> Key; ///< Nullopt: the job's inputs are not memoised.
  std::optional<std::string> Value;
  bool Remembered = false; ///< Value is from the local memo.
};

/// The memo key of \p Job's costly key inputs (reads its shard), or
/// nullopt if its shard cannot be identified. \p ByDefinition: imported
/// modules are keyed by definition (a DefinitionKeyCache is given).
llvm::Expected<std::optional<Digest>>
jobMemoKey(const BackendJob &Job, FileDigests &Files, bool ByDefinition);

/// The key of a mark, kept in the memo, that the costly key inputs of a job
/// with \p Job's module and inputs were computed here (whatever its
/// shard): its memo is then to be found here, under the key from its
/// shard's contents, even where the first memo key misses (lld's names for
/// archive members change the shard's bytes).
llvm::Expected<Digest> jobInputsMarkKey(const BackendJob &Job,
                                        FileDigests &Files, bool ByDefinition);

/// \p Job's key inputs; an error as for computeJobKey. \p Definitions
/// (may be null: every imported module is keyed whole) gives the
/// definition keys of imported modules. \p Known (may be null) is the
/// memo, already looked up: a value not from \p Memo that holds is
/// remembered there.
llvm::Expected<JobKeyFields>
computeJobFields(const BackendJob &Job, FileDigests &Files,
                 KeyMemo *Memo = nullptr,
                 DefinitionKeyCache *Definitions = nullptr,
                 const JobMemoLookup *Known = nullptr);
/// The key from the link's basis and one job's inputs.
JobKey finishJobKey(const LinkKeyBasis &Basis, const JobKeyFields &Fields);

/// The key of \p Job. An error means the job cannot be keyed safely (for
/// example the shard names a module that is not among its inputs); the
/// caller then compiles it uncached.
llvm::Expected<JobKey> computeJobKey(const LinkKeyBasis &Basis,
                                     const BackendJob &Job, FileDigests &Files,
                                     KeyMemo *Memo = nullptr,
                                     DefinitionKeyCache *Definitions = nullptr);

} // namespace ltocache

#endif
