//===- LinkRecord.h - What one link keyed, for ltocache explain -*- C++ -*-===//
//
// A link's record: for every job, how it was served and the digests of its
// key fields; for the link, the fields every job shares (the compiler and
// its version, the common arguments, ...). `ltocache explain` compares two
// records of one linker output (LinkExplain.h) to say why jobs missed.
//
// Written from what keying already produced (JobKey's trace) at the end of
// a link: nothing is added to a job's path. Small: digests are cut to 64
// bits (they tell fields apart, they key nothing), each imported definition
// and each distinct recipe is listed once per link and named by its index.
//
// The format is JSON, version 1:
//   {"format": 1, "id", "output", "time_us", "key_recipe",
//    "compiler": {"executable": <digest>, "version": <clang --version>},
//    "link_fields": [[<field>, <value>(, <file name>)], ...],
//    "jobs": [{"module", "source", "outcome", "bypassed", "key", "base",
//              "module_digest", "recipe", "shard", "fields", "parts":
//              [[<source>, <digest>, [<definition>...]]], "whole", "carried"}],
//    "recipes": [<recipe text without its source line>, ...],
//    "definitions": [[<source>, <name>, <key digest>], ...]}
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_LINKRECORD_H
#define LTOCACHE_LINK_LINKRECORD_H

#include "Key/JobKey.h"
#include "Link/LinkStats.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ltocache {

constexpr unsigned LinkRecordFormat = 1;

struct LinkRecord {
  /// A key field: its name (keyFieldName), its value as the key log shows
  /// it, and for a file's digest the file's name.
  struct Field {
    std::string Name, Value, File;
  };
  /// An imported definition: the source file of its module, its name and
  /// its key.
  struct Definition {
    std::string Source, Name, Key;
  };
  /// What a job takes from one module, by definition.
  struct Part {
    std::string Source, Digest;
    std::vector<unsigned> Definitions; ///< Indices into Definitions.
  };
  enum class Outcome { Hit, RemoteHit, Miss, Uncached };
  struct Job {
    /// lld's module path, an archive member's without the offset and
    /// process id lld puts in it ("lib.a(util.o)").
    std::string Module;
    /// The source file its recipe names; empty without a recipe.
    std::string Source;
    Outcome What = Outcome::Uncached;
    bool Bypassed = false; ///< Compiled, but not stored.
    /// Digests (64 bits, hex); all empty for a job that was not keyed.
    std::string Key, Base, ModuleDigest, Shard;
    int Recipe = -1;           ///< Index into Recipes; -1: none.
    std::vector<Field> Fields; ///< The job's own (its arguments).
    std::vector<Part> Parts;
    std::vector<std::string> Whole; ///< Modules imported whole, by digest.
    /// "<source> <hash suffix>" of each module hash the object carries.
    std::vector<std::string> Carried;

    bool keyed() const { return !Key.empty(); }
  };

  std::string Id;     ///< "<UTC time>-<pid>": its file's name.
  std::string Output; ///< The linker output, absolute.
  int64_t TimeMicros = 0;
  std::string KeyRecipe;            ///< "dtlto-job/2".
  std::string CompilerExecutable;   ///< Digest.
  std::string CompilerVersion;      ///< What clang --version says.
  std::vector<Field> LinkFields;    ///< In key order.
  std::vector<std::string> Recipes; ///< Without "source=".
  std::vector<Definition> Definitions;
  std::vector<Job> Jobs;
};

llvm::StringRef outcomeName(LinkRecord::Outcome O);

/// lld's name for \p Module, without what changes every link: an archive
/// member "lib.a(util.o at 132).2.1675.o" is "lib.a(util.o)".
std::string stableModuleName(llvm::StringRef Module);

/// A record's text, and what names its file.
struct LinkRecordText {
  std::string Id, Output, Text;
};

/// Writes a link's record as its jobs are added, straight from their keys'
/// traces to its text: a record of thousands of jobs is written in a
/// millisecond or two, at the end of the link.
class LinkRecordWriter {
public:
  /// \p Output: the linker output (absoluteOutput, LinkRecords.h); \p Jobs:
  /// about how many will be added. The record is named after the time now
  /// and this process.
  LinkRecordWriter(llvm::StringRef Output, const LinkKeyBasis &Basis,
                   size_t Jobs = 0);

  /// A job of module \p Module (lld's path); \p Key null if it was not
  /// keyed. \p EntryKey is the key of its entry, \p Carried the candidates
  /// (JobKey::Candidates) that key covers.
  void addJob(llvm::StringRef Module, const JobKey *Key, const Digest &EntryKey,
              llvm::ArrayRef<unsigned> Carried, const JobOutcome &Outcome);

  LinkRecordText finish();

private:
  /// The index of the definition a trace's imported-definition \p Value
  /// names ("<source> <name> <key>", the source \p SourceSize long).
  unsigned definition(llvm::StringRef Value, size_t SourceSize);
  /// The index of \p Recipe without its source line (set in \p Source).
  int recipe(llvm::StringRef Recipe, llvm::StringRef &Source);

  LinkRecordText R;
  llvm::raw_string_ostream OS;
  bool FirstJob = true;
  /// Definitions by trace value: index and the source's length.
  llvm::StringMap<std::pair<unsigned, unsigned>> Definitions;
  std::vector<llvm::StringRef> DefinitionOrder;
  llvm::StringMap<unsigned> Recipes;
  std::vector<llvm::StringRef> RecipeOrder;
  int LastRecipe = -1;
  std::string Scratch;
};

/// \p Name names the record in errors.
llvm::Expected<LinkRecord> parseLinkRecord(llvm::StringRef Text,
                                           llvm::StringRef Name);

} // namespace ltocache

#endif
