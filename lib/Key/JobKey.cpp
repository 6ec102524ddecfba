//===- JobKey.cpp - The cache key of a DTLTO backend job ------------------===//

#include "Key/JobKey.h"
#include "Key/DefinitionKeyCache.h"
#include "Key/DriverEnvironment.h"
#include "Key/DriverFiles.h"
#include "Key/ModuleRecipe.h"
#include "Key/ShardIdentity.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/IR/ModuleSummaryIndex.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"

#include <map>
#include <set>

using namespace llvm;

namespace ltocache {

static bool isRegularFile(StringRef Path) {
  return !Path.empty() && sys::fs::is_regular_file(Path);
}

/// Adds one compiler argument as a \p ArgField field: verbatim, or with a
/// file path replaced by the file's content digest (and the file's name kept
/// in \p FileNames, if given). Sets \p SaysNative for "-mcpu=native" and
/// friends.
static Error addArgument(StringRef Arg, FileDigests &Files,
                         std::vector<std::pair<KeyField, std::string>> &Out,
                         bool &SaysNative,
                         KeyField ArgField = KeyField::CompilerArg,
                         std::map<size_t, std::string> *FileNames = nullptr) {
  StringRef Name, Value;
  if (Arg.starts_with("-") && Arg.contains('='))
    std::tie(Name, Value) = Arg.split('=');
  else if (!Arg.starts_with("-"))
    Value = Arg;
  if (isRegularFile(Value)) {
    auto D = Files.get(Value);
    if (!D)
      return D.takeError();
    Out.push_back({ArgField, (Name + "=<file>").str()});
    Out.push_back({KeyField::ReferencedFile, (Name + "=" + toHex(*D)).str()});
    if (FileNames)
      (*FileNames)[Out.size() - 1] = sys::path::filename(Value).str();
    return Error::success();
  }
  if (Arg.contains("native"))
    SaysNative = true;
  Out.push_back({ArgField, Arg.str()});
  return Error::success();
}

static std::string hostCPUDescription() {
  std::string Out = sys::getHostCPUName().str();
  StringMap<bool> Features = sys::getHostCPUFeatures();
  std::vector<std::string> Sorted;
  for (auto &F : Features)
    Sorted.push_back((F.second ? "+" : "-") + F.first().str());
  llvm::sort(Sorted);
  for (auto &F : Sorted)
    Out += "," + F;
  return Out;
}

/// "<file name>=<digest>" for each file of \p Read, as \p Field.
static void addFilesRead(const DriverFileArgs &Read, KeyField Field,
                         std::vector<std::pair<KeyField, std::string>> &Out) {
  for (const auto &[Path, D] : Read.Files)
    Out.push_back({Field, (sys::path::filename(Path) + "=" + toHex(D)).str()});
}

/// Whether clang runs in clang-cl mode (response files quoted as on
/// Windows): --driver-mode=cl, or a program named clang-cl or cl.
static bool isCLMode(const CompilerCommand &Command) {
  StringRef Mode;
  for (StringRef A : Command.Args)
    if (A.consume_front("--driver-mode="))
      Mode = A;
  if (!Mode.empty())
    return Mode == "cl";
  StringRef Stem = sys::path::stem(Command.Compiler.Word);
  return Stem.ends_with("clang-cl") || Stem == "cl";
}

Expected<LinkKeyBasis> LinkKeyBasis::compute(const CommonJobArgs &Common,
                                             const CompilerCommand &Command,
                                             const ToolchainIdentity &Toolchain,
                                             FileDigests &Files) {
  LinkKeyBasis B;
  B.CompilerIdentity = Toolchain.Compiler;
  for (const std::string &L : Toolchain.Launchers)
    B.Fields.push_back({KeyField::Launcher, L});
  for (const std::string &L : Toolchain.Libraries)
    B.Fields.push_back({KeyField::CompilerLibrary, L});
  bool SaysNative = false;
  for (const std::string &V : driverEnvironment(Command.Env)) {
    B.Fields.push_back({KeyField::Environment, V});
    SaysNative |= StringRef(V).contains("native");
  }
  for (const std::string &Config : Toolchain.ConfigFiles) {
    auto Read = readDriverConfigFile(Config, Toolchain.ConfigSearchDirs);
    if (!Read)
      return Read.takeError();
    addFilesRead(*Read, KeyField::ConfigFile, B.Fields);
    for (const std::string &A : Read->Args)
      if (Error E = addArgument(A, Files, B.Fields, SaysNative,
                                KeyField::ConfigArg, &B.FileNames))
        return std::move(E);
  }
  // Args[0] is the compiler (or its launcher): its identity stands for it.
  std::vector<std::string> Args(Common.Args.begin() + 1, Common.Args.end());
  auto Expanded = expandDriverResponseFiles(Args, isCLMode(Command));
  if (!Expanded)
    return Expanded.takeError();
  addFilesRead(*Expanded, KeyField::ResponseFile, B.Fields);
  for (const std::string &A : Expanded->Args)
    if (Error E = addArgument(A, Files, B.Fields, SaysNative,
                              KeyField::CompilerArg, &B.FileNames))
      return std::move(E);
  if (SaysNative)
    B.Fields.push_back({KeyField::HostCPU, hostCPUDescription()});
  // Digest and file name, by digest.
  std::vector<std::pair<std::string, std::string>> InputDigests;
  for (const std::string &In : Common.Inputs) {
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    InputDigests.push_back({toHex(*D), sys::path::filename(In).str()});
  }
  llvm::sort(InputDigests);
  for (auto &[D, Name] : InputDigests) {
    B.FileNames[B.Fields.size()] = Name;
    B.Fields.push_back({KeyField::CommonInput, D});
  }
  return B;
}

namespace {
/// A shard with its module paths replaced by content-derived names, and
/// what the job takes from each module it names.
struct CanonicalShard {
  Digest Shard{};
  std::vector<ImportedPart> Parts;
  std::vector<std::string> Whole; ///< Hex digests of modules keyed whole.
  std::set<std::string> Named;    ///< Module paths the shard names.
};
} // namespace

/// What the job takes from \p Keys's module: its context and the keys of
/// \p GUIDs (the summaries the shard lists for it). None if a GUID is not a
/// definition of the module (the module is then keyed whole).
static std::optional<ImportedPart>
importedPart(const ModuleDefinitionKeys &Keys, std::vector<uint64_t> GUIDs,
             const ModuleHash &Hash) {
  llvm::sort(GUIDs);
  GUIDs.erase(std::unique(GUIDs.begin(), GUIDs.end()), GUIDs.end());
  ImportedPart P;
  P.Source = Keys.SourceName;
  P.MayNameLocals = Keys.ContextRefersToLocals;
  KeyBuilder KB("imported-part", DefinitionKeysVersion);
  KB.add(KeyField::ImportedPart, Keys.Context);
  for (uint64_t GUID : GUIDs) {
    auto It = Keys.Definitions.find(GUID);
    if (It == Keys.Definitions.end())
      return std::nullopt;
    KB.add(KeyField::ImportedDefinition, utohexstr(GUID));
    KB.add(KeyField::ImportedDefinition, It->second.Key);
    P.MayNameLocals |= It->second.RefersToLocals;
    P.Definitions.push_back({It->second.Name, It->second.Key});
  }
  llvm::sort(P.Definitions);
  P.Part = KB.finish();
  P.Label = "ltocache:part:" + toHex(P.Part);
  P.HashSuffix =
      ".llvm." + utostr((uint64_t(Hash[0]) << 32) | uint64_t(Hash[1]));
  return P;
}

namespace {
/// A job's shard, parsed once, renamed as often as needed: by whole
/// contents for its memo (stableShardDigest), then canonically for its key
/// (canonicalShard).
struct ParsedShard {
  std::unique_ptr<ModuleSummaryIndex> Index;
  /// Summaries by the module (input path) they come from.
  std::map<std::string, std::vector<uint64_t>> GUIDsOf;
  std::set<std::string> Named; ///< Input paths the shard names.
  /// Input path -> its module's name in Index now.
  std::map<std::string, std::string> Current;
};
} // namespace

static Expected<ParsedShard> parseShard(MemoryBufferRef Shard,
                                        const BackendJob &Job) {
  auto Index = getModuleSummaryIndex(Shard);
  if (!Index)
    return createFileError(Job.Shard, Index.takeError());
  ParsedShard P;
  P.Index = std::move(*Index);
  for (auto &GV : *P.Index)
    for (const auto &S : GV.second.getSummaryList())
      P.GUIDsOf[S->modulePath().str()].push_back(GV.first);
  for (const auto &Entry : P.Index->modulePaths()) {
    std::string Path = Entry.first().str();
    if (!is_contained(Job.Inputs, Path))
      return createStringError(
          "%s: summary names module '%s', which is not among the job's inputs",
          Job.Shard.c_str(), Path.c_str());
    P.Named.insert(Path);
    P.Current[Path] = Path;
  }
  return P;
}

/// Renames the modules of \p P: input path -> (name, hash).
static void renameModules(
    ParsedShard &P,
    const std::map<std::string, std::pair<std::string, ModuleHash>> &To) {
  ModuleSummaryIndex &I = *P.Index;
  std::map<std::string, StringRef> NewKeys; // Current name -> new key.
  for (auto &[Path, New] : To)
    NewKeys[P.Current.at(Path)] = I.addModule(New.first, New.second)->first();
  for (auto &GV : I)
    for (const auto &S : GV.second.getSummaryList())
      S->setModulePath(NewKeys.at(S->modulePath().str()));
  for (auto &[Path, New] : To) {
    std::string &Cur = P.Current[Path];
    if (Cur != New.first)
      I.modulePaths().erase(Cur);
    Cur = New.first;
  }
}

/// The inputs \p P's shard names, in input order, once each, with their
/// digests.
static Expected<std::vector<std::pair<std::string, Digest>>>
namedInputs(const ParsedShard &P, const BackendJob &Job, FileDigests &Files) {
  std::vector<std::pair<std::string, Digest>> Out;
  std::set<std::string> Done;
  for (const std::string &In : Job.Inputs) {
    if (!P.Named.count(In) || !Done.insert(In).second)
      continue;
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    Out.push_back({In, *D});
  }
  return Out;
}

namespace {
/// Names given to modules: a name given before gets "#<n>" (identical
/// contents, or parts, under different paths), numbered in input order.
class UniqueNames {
public:
  std::string take(std::string Name) {
    if (unsigned N = Seen[Name]++)
      Name += "#" + std::to_string(N);
    return Name;
  }

private:
  std::map<std::string, unsigned> Seen;
};
} // namespace

static Digest serializedDigest(const ModuleSummaryIndex &I) {
  std::string Text;
  raw_string_ostream OS(Text);
  writeIndexToFile(I, OS);
  return hashBytes(Text);
}

/// The shard with every module named by its whole content (hashes kept),
/// as LLVM's writer writes it: the same whatever lld named the modules.
/// (The raw shard is not: its writer numbers values in an order that
/// follows the module paths' hashes, so shards of archive members, named
/// with lld's process id, are numbered anew by every link.) Identical
/// contents are numbered in input order.
static Expected<Digest> stableShardDigest(ParsedShard &P, const BackendJob &Job,
                                          FileDigests &Files) {
  auto Named = namedInputs(P, Job, Files);
  if (!Named)
    return Named.takeError();
  std::map<std::string, std::pair<std::string, ModuleHash>> To;
  UniqueNames Names;
  for (auto &[In, D] : *Named)
    To[In] = {Names.take("ltocache:" + toHex(D)),
              P.Index->getModuleHash(P.Current.at(In))};
  renameModules(P, To);
  return serializedDigest(*P.Index);
}

/// Renames each module to a name derived from what the job takes from it
/// (by definition where the module can be keyed so, else its whole
/// content), zeroes the hashes the object cannot depend on through
/// anything but promoted names (those are candidates, JobKey), and
/// re-serialises the shard with LLVM's writer.
static Expected<CanonicalShard>
canonicalShard(ParsedShard &P, const BackendJob &Job, FileDigests &Files,
               DefinitionKeyCache *Definitions) {
  CanonicalShard Out;
  Out.Named = P.Named;
  auto Named = namedInputs(P, Job, Files);
  if (!Named)
    return Named.takeError();
  // Input path -> (new name, hash).
  std::map<std::string, std::pair<std::string, ModuleHash>> Renamed;
  UniqueNames Names;
  for (auto &[In, D] : *Named) {
    ModuleHash Hash = P.Index->getModuleHash(P.Current.at(In));
    std::optional<ImportedPart> Part;
    if (Definitions && In != Job.Module) {
      DefinitionKeyCache::Result K = Definitions->get(In, D, P.GUIDsOf[In]);
      if (K->Module)
        Part = importedPart(*K->Module, P.GUIDsOf[In], Hash);
    }
    std::string Name = Names.take(Part ? Part->Label : "ltocache:" + toHex(D));
    if (Part) {
      Part->Label = Name;
      Out.Parts.push_back(std::move(*Part));
      Hash = ModuleHash{};
    } else if (In != Job.Module) {
      Out.Whole.push_back(toHex(D));
    }
    Renamed[In] = {Name, Hash};
  }
  renameModules(P, Renamed);
  Out.Shard = serializedDigest(*P.Index);
  llvm::sort(Out.Parts, [](const ImportedPart &A, const ImportedPart &B) {
    return A.Label < B.Label;
  });
  return Out;
}

// A job memo: "job\n" "shard <hex>\n" "recipe <n>\n" <n bytes of recipe>,
// then per part "part <label> <hex> <0|1> <suffix> <source>" followed by
// its "def <hex> <name>" lines, and "whole <hex>" per module keyed whole.
static std::string memoText(const JobKeyFields &F) {
  std::string Out = "job\nshard " + toHex(F.Shard) + "\nrecipe " +
                    std::to_string(F.Recipe.size()) + "\n" + F.Recipe + "\n";
  auto OneLine = [](StringRef S) {
    std::string L = S.str();
    std::replace(L.begin(), L.end(), '\n', ' ');
    return L;
  };
  for (const ImportedPart &P : F.Parts) {
    Out += "part " + P.Label + " " + toHex(P.Part) +
           (P.MayNameLocals ? " 1 " : " 0 ") + P.HashSuffix + " " +
           OneLine(P.Source) + "\n";
    for (const auto &[Name, Key] : P.Definitions)
      Out += "def " + toHex(Key) + " " + OneLine(Name) + "\n";
  }
  for (const std::string &W : F.Imports)
    Out += "whole " + W + "\n";
  return Out;
}

static bool parseMemo(StringRef Text, JobKeyFields &F) {
  if (!Text.consume_front("job\nshard "))
    return false;
  auto [ShardHex, Rest] = Text.split('\n');
  std::optional<Digest> Shard = digestFromHex(ShardHex);
  if (!Shard || !Rest.consume_front("recipe "))
    return false;
  auto [SizeText, AfterSize] = Rest.split('\n');
  size_t Size;
  if (SizeText.getAsInteger(10, Size) || AfterSize.size() < Size + 1 ||
      AfterSize[Size] != '\n')
    return false;
  F.Shard = *Shard;
  F.Recipe = AfterSize.take_front(Size).str();
  SmallVector<StringRef, 32> Lines;
  AfterSize.drop_front(Size + 1).split(Lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef Line : Lines) {
    if (Line.consume_front("part ")) {
      SmallVector<StringRef, 5> W;
      Line.split(W, ' ', 4);
      std::optional<Digest> Part =
          W.size() >= 4 ? digestFromHex(W[1]) : std::nullopt;
      if (!Part || (W[2] != "0" && W[2] != "1"))
        return false;
      F.Parts.push_back({W[0].str(),
                         W.size() == 5 ? W[4].str() : "",
                         *Part,
                         W[2] == "1",
                         W[3].str(),
                         {}});
    } else if (Line.consume_front("def ")) {
      auto [Hex, Name] = Line.split(' ');
      std::optional<Digest> Key = digestFromHex(Hex);
      if (!Key || F.Parts.empty())
        return false;
      F.Parts.back().Definitions.push_back({Name.str(), *Key});
    } else if (Line.consume_front("whole ")) {
      F.Imports.push_back(Line.str());
    } else {
      return false;
    }
  }
  return true;
}

/// A memo key of the costly key inputs of a job (derivedFields): the code
/// that computes them, the module's digest, the shard (\p Shard, an
/// identity of recipe \p Recipe), and every input's content digest.
/// Contents only: lld names archive members with its process id, so a key
/// with paths would never be found again.
static Expected<Digest> memoKey(StringRef Recipe, unsigned Version,
                                const Digest &Shard, const BackendJob &Job,
                                const Digest &Module, FileDigests &Files,
                                bool ByDefinition) {
  KeyBuilder KB(Recipe, Version);
  KB.add(KeyField::ToolVersion, LLVM_VERSION_STRING);
  KB.add(KeyField::ToolVersion, "definition-keys/" +
                                    std::to_string(DefinitionKeysVersion) +
                                    (ByDefinition ? "" : " off"));
  KB.add(KeyField::Module, Module);
  KB.add(KeyField::SummaryShard, Shard);
  std::vector<std::string> Inputs;
  for (const std::string &In : Job.Inputs) {
    if (In == Job.Shard)
      continue;
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    Inputs.push_back(toHex(*D));
  }
  llvm::sort(Inputs);
  for (const std::string &D : Inputs)
    KB.add(KeyField::MemoInput, D);
  return KB.finish();
}

/// The first memo key, from the shard's bytes with every module path
/// replaced by the digest of the file behind it (ShardIdentity.h: no
/// parsing, ~14 us). Nullopt: the shard cannot be identified so.
static Expected<std::optional<Digest>>
memoKeyOf(const BackendJob &Job, MemoryBufferRef Shard, const Digest &Module,
          FileDigests &Files, bool ByDefinition) {
  std::optional<Digest> Identity =
      shardIdentity(Shard, [&](StringRef Path) -> std::optional<std::string> {
        if (!is_contained(Job.Inputs, Path))
          return std::nullopt;
        auto D = Files.get(Path);
        if (!D) {
          consumeError(D.takeError());
          return std::nullopt;
        }
        return toHex(*D);
      });
  if (!Identity)
    return std::nullopt;
  auto K = memoKey("job-memo", 3, *Identity, Job, Module, Files, ByDefinition);
  if (!K)
    return K.takeError();
  return std::optional<Digest>(*K);
}

Expected<Digest> jobInputsMarkKey(const BackendJob &Job, FileDigests &Files,
                                  bool ByDefinition) {
  auto Module = Files.get(Job.Module);
  if (!Module)
    return Module.takeError();
  // The first memo key's fields without the shard.
  return memoKey("job-inputs-known", 1, Digest{}, Job, *Module, Files,
                 ByDefinition);
}

Expected<std::optional<Digest>>
jobMemoKey(const BackendJob &Job, FileDigests &Files, bool ByDefinition) {
  auto Module = Files.get(Job.Module);
  if (!Module)
    return Module.takeError();
  auto Buf = readWholeFile(Job.Shard);
  if (!Buf)
    return Buf.takeError();
  return memoKeyOf(Job, (*Buf)->getMemBufferRef(), *Module, Files,
                   ByDefinition);
}

/// Fills \p F from memo text \p Value; false if it is not one.
static bool fromMemo(StringRef Value, JobKeyFields &F) {
  JobKeyFields Memoised;
  if (!parseMemo(Value, Memoised))
    return false;
  F.Shard = Memoised.Shard;
  F.Recipe = std::move(Memoised.Recipe);
  F.Parts = std::move(Memoised.Parts);
  F.Imports = std::move(Memoised.Imports);
  return true;
}

/// The costly key inputs of a job: its canonical shard (parsed, renamed,
/// re-serialised, with the definition keys of every module imported from)
/// and its module's recipe ("<none>" if it has none; read from bitcode).
/// Memoised under two keys (F.Module is set by the caller): the first from
/// the shard's bytes (memoKeyOf, no parsing); the second, looked up when
/// the first misses, from the shard parsed and written with its modules
/// named by content (stableShardDigest), which does not change when only
/// lld's names for the modules do. \p Known (may be null) is the first
/// memo's key and value, looked up by the caller.
static Error derivedFields(const BackendJob &Job, FileDigests &Files,
                           KeyMemo *Memo, DefinitionKeyCache *Definitions,
                           const JobMemoLookup *Known, JobKeyFields &F) {
  std::unique_ptr<MemoryBuffer> Shard;
  auto ReadShard = [&]() -> Error {
    if (Shard)
      return Error::success();
    auto Buf = readWholeFile(Job.Shard);
    if (!Buf)
      return Buf.takeError();
    Shard = std::move(*Buf);
    return Error::success();
  };
  std::optional<Digest> MemoKey;
  std::optional<std::string> Value;
  if (Known) {
    MemoKey = Known->Key;
    Value = Known->Value;
  } else if (Memo) {
    if (Error E = ReadShard())
      return E;
    auto K =
        memoKeyOf(Job, Shard->getMemBufferRef(), F.Module, Files, Definitions);
    if (!K)
      return K.takeError();
    MemoKey = *K;
    if (MemoKey)
      Value = Memo->peek(*MemoKey);
  }
  if (Value && fromMemo(*Value, F)) {
    if (Known && !Known->Remembered) {
      F.FromElsewhere = true;
      if (Memo && MemoKey)
        Memo->put(*MemoKey, *Value); // Remembered here from now on.
    }
    return Error::success();
  }

  if (Error E = ReadShard())
    return E;
  auto Parsed = parseShard(Shard->getMemBufferRef(), Job);
  if (!Parsed)
    return Parsed.takeError();
  std::optional<Digest> StableKey;
  if (Memo) {
    auto S = stableShardDigest(*Parsed, Job, Files);
    if (!S)
      return S.takeError();
    auto K =
        memoKey("job-memo-stable", 1, *S, Job, F.Module, Files, Definitions);
    if (!K)
      return K.takeError();
    StableKey = *K;
    // Not remembered under the first key: it changes with lld's names.
    if (std::optional<std::string> V = Memo->get(*StableKey))
      if (fromMemo(*V, F))
        return Error::success();
  }
  auto Canonical = canonicalShard(*Parsed, Job, Files, Definitions);
  if (!Canonical)
    return Canonical.takeError();
  F.Shard = Canonical->Shard;
  F.Parts = std::move(Canonical->Parts);
  F.Imports = std::move(Canonical->Whole);
  // Inputs the shard does not name are keyed whole.
  for (const std::string &In : Job.Inputs) {
    if (In == Job.Module || In == Job.Shard || Canonical->Named.count(In))
      continue;
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    F.Imports.push_back(toHex(*D));
  }
  llvm::sort(F.Imports);
  auto Module = readWholeFile(Job.Module);
  if (!Module)
    return Module.takeError();
  auto Recipe = readRecipeText((*Module)->getMemBufferRef());
  if (!Recipe)
    return createFileError(Job.Module, Recipe.takeError());
  F.Recipe = Recipe->value_or("<none>");
  if (Memo) {
    std::string Text = memoText(F);
    if (MemoKey)
      Memo->put(*MemoKey, Text);
    Memo->put(*StableKey, Text);
  }
  return Error::success();
}

Expected<JobKeyFields> computeJobFields(const BackendJob &Job,
                                        FileDigests &Files, KeyMemo *Memo,
                                        DefinitionKeyCache *Definitions,
                                        const JobMemoLookup *Known) {
  JobKeyFields F;
  // Job arguments other than the module, the shard and the output.
  bool SaysNative = false;
  for (size_t I = 0; I < Job.Args.size(); ++I) {
    StringRef Arg = Job.Args[I];
    if (Arg == Job.Module || Arg == "-fthinlto-index=" + Job.Shard)
      continue;
    if (Arg == "-o") {
      ++I;
      continue;
    }
    if (Error E = addArgument(Arg, Files, F.Args, SaysNative))
      return std::move(E);
  }
  if (SaysNative)
    F.Args.push_back({KeyField::HostCPU, hostCPUDescription()});

  auto ModuleDigest = Files.get(Job.Module);
  if (!ModuleDigest)
    return ModuleDigest.takeError();
  F.Module = *ModuleDigest;

  if (Error E = derivedFields(Job, Files, Memo, Definitions, Known, F))
    return std::move(E);
  return F;
}

JobKey finishJobKey(const LinkKeyBasis &Basis, const JobKeyFields &F) {
  KeyBuilder KB(JobKeyRecipeName, JobKeyRecipeVersion);
  KB.add(KeyField::CompilerIdentity, Basis.CompilerIdentity);
  for (const auto &[Field, Value] : Basis.Fields)
    KB.add(Field, Value);
  JobKey Result;
  Result.SharedFields = KB.trace().size();
  for (const auto &[Field, Value] : F.Args)
    KB.add(Field, Value);
  KB.add(KeyField::Module, F.Module);
  KB.add(KeyField::ModuleRecipe, F.Recipe);
  KB.add(KeyField::SummaryShard, F.Shard);
  for (const ImportedPart &P : F.Parts) {
    // Traced as it is however long: the trace names each part's source.
    std::string Part = P.Source + " " + toHex(P.Part);
    KB.add(KeyField::ImportedPart, Part, Part);
    for (const auto &[Name, Key] : P.Definitions) {
      std::string Value = P.Source + " " + Name + " " + toHex(Key);
      KB.add(KeyField::ImportedDefinition, Value, Value);
    }
    if (P.MayNameLocals)
      Result.Candidates.push_back({P.Label, P.HashSuffix, P.Source});
  }
  for (const std::string &D : F.Imports)
    KB.add(KeyField::ImportedModule, D);
  Result.Base = KB.finish();
  Result.Trace = KB.trace();
  Result.ModuleHasRecipe = F.Recipe != "<none>";
  Result.Recipe = F.Recipe;
  std::vector<unsigned> All;
  for (unsigned C = 0; C < Result.Candidates.size(); ++C)
    All.push_back(C);
  Result.Key = Result.keyFor(All);
  return Result;
}

Digest JobKey::keyFor(ArrayRef<unsigned> Carried) const {
  KeyBuilder KB("dtlto-object", 1);
  KB.add(KeyField::JobBase, Base);
  for (unsigned C : Carried)
    KB.add(KeyField::CarriedModuleHash,
           Candidates[C].Label + " " + Candidates[C].HashSuffix);
  return KB.finish();
}

std::vector<unsigned> JobKey::carriedBy(StringRef Object) const {
  std::vector<unsigned> Out;
  for (unsigned C = 0; C < Candidates.size(); ++C)
    if (Object.contains(Candidates[C].HashSuffix))
      Out.push_back(C);
  return Out;
}

Digest JobKey::manifestKey() const {
  KeyBuilder KB("dtlto-manifest", 1);
  KB.add(KeyField::JobBase, Base);
  return KB.finish();
}

std::string JobKey::manifest(ArrayRef<unsigned> Carried) const {
  std::string Out = "carried\n";
  for (unsigned C : Carried)
    Out += Candidates[C].Label + "\n";
  return Out;
}

std::optional<std::vector<unsigned>>
JobKey::parseManifest(StringRef Text) const {
  if (!Text.consume_front("carried\n"))
    return std::nullopt;
  SmallVector<StringRef, 8> Labels;
  Text.split(Labels, '\n', -1, /*KeepEmpty=*/false);
  std::vector<unsigned> Out;
  for (StringRef L : Labels) {
    auto It = llvm::find_if(Candidates,
                            [&](const Candidate &C) { return C.Label == L; });
    if (It == Candidates.end())
      return std::nullopt;
    Out.push_back(It - Candidates.begin());
  }
  llvm::sort(Out);
  return Out;
}

Expected<JobKey> computeJobKey(const LinkKeyBasis &Basis, const BackendJob &Job,
                               FileDigests &Files, KeyMemo *Memo,
                               DefinitionKeyCache *Definitions) {
  auto Fields = computeJobFields(Job, Files, Memo, Definitions);
  if (!Fields)
    return Fields.takeError();
  return finishJobKey(Basis, *Fields);
}

} // namespace ltocache
