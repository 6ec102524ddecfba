//===- JobKey.cpp - The cache key of a DTLTO backend job ------------------===//

#include "Key/JobKey.h"
#include "Key/DriverEnvironment.h"
#include "Key/DriverFiles.h"
#include "Key/ModuleRecipe.h"
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

using namespace llvm;

namespace ltocache {

Expected<Digest> FileDigests::get(StringRef Path) {
  {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Known.find(Path);
    if (It != Known.end())
      return It->second;
  }
  auto D = hashFile(Path);
  if (!D)
    return D.takeError();
  remember(Path, *D);
  return *D;
}

void FileDigests::remember(StringRef Path, const Digest &D) {
  std::lock_guard<std::mutex> G(Lock);
  Known.try_emplace(Path, D);
}

static bool isRegularFile(StringRef Path) {
  return !Path.empty() && sys::fs::is_regular_file(Path);
}

/// Adds one compiler argument as a \p ArgField field: verbatim, or with a
/// file path replaced by the file's content digest. Sets \p SaysNative for
/// "-mcpu=native" and friends.
static Error addArgument(StringRef Arg, FileDigests &Files,
                         std::vector<std::pair<KeyField, std::string>> &Out,
                         bool &SaysNative,
                         KeyField ArgField = KeyField::CompilerArg) {
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
      if (Error E =
              addArgument(A, Files, B.Fields, SaysNative, KeyField::ConfigArg))
        return std::move(E);
  }
  // Args[0] is the compiler (or its launcher): its identity stands for it.
  std::vector<std::string> Args(Common.Args.begin() + 1, Common.Args.end());
  auto Expanded = expandDriverResponseFiles(Args, isCLMode(Command));
  if (!Expanded)
    return Expanded.takeError();
  addFilesRead(*Expanded, KeyField::ResponseFile, B.Fields);
  for (const std::string &A : Expanded->Args)
    if (Error E = addArgument(A, Files, B.Fields, SaysNative))
      return std::move(E);
  if (SaysNative)
    B.Fields.push_back({KeyField::HostCPU, hostCPUDescription()});
  std::vector<std::string> InputDigests;
  for (const std::string &In : Common.Inputs) {
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    InputDigests.push_back(toHex(*D));
  }
  llvm::sort(InputDigests);
  for (auto &D : InputDigests)
    B.Fields.push_back({KeyField::CommonInput, D});
  return B;
}

static Expected<std::string>
canonicalizeShardBuffer(MemoryBufferRef Shard, StringRef ShardPath,
                        const std::vector<std::string> &Inputs,
                        FileDigests &Files) {
  auto Index = getModuleSummaryIndex(Shard);
  if (!Index)
    return createFileError(ShardPath, Index.takeError());

  // Old module path -> content-derived name. Identical contents under
  // different paths get distinct names, numbered in input order.
  std::map<std::string, std::string> Renamed;
  std::map<std::string, unsigned> Seen;
  for (const std::string &In : Inputs) {
    if (!(*Index)->modulePaths().count(In) || Renamed.count(In))
      continue;
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    std::string Name = "ltocache:" + toHex(*D);
    unsigned N = Seen[Name]++;
    if (N)
      Name += "#" + std::to_string(N);
    Renamed[In] = Name;
  }
  for (const auto &Entry : (*Index)->modulePaths())
    if (!Renamed.count(Entry.first().str()))
      return createStringError(
          "%s: summary names module '%s', which is not among the job's inputs",
          ShardPath.str().c_str(), Entry.first().str().c_str());

  ModuleSummaryIndex &I = **Index;
  std::map<std::string, StringRef> NewKeys;
  for (auto &[Old, New] : Renamed)
    NewKeys[Old] = I.addModule(New, I.getModuleHash(Old))->first();
  for (auto &GV : I)
    for (const auto &S : GV.second.getSummaryList())
      S->setModulePath(NewKeys.at(S->modulePath().str()));
  for (auto &[Old, New] : Renamed)
    I.modulePaths().erase(Old);

  std::string Out;
  raw_string_ostream OS(Out);
  writeIndexToFile(I, OS);
  return Out;
}

Expected<std::string> canonicalizeShard(StringRef ShardPath,
                                        const std::vector<std::string> &Inputs,
                                        FileDigests &Files) {
  auto Buf = readWholeFile(ShardPath);
  if (!Buf)
    return Buf.takeError();
  return canonicalizeShardBuffer((*Buf)->getMemBufferRef(), ShardPath, Inputs,
                                 Files);
}

/// The two costly key inputs of a job: the digest of its canonical shard
/// (parsed, paths replaced, re-serialised) and its module's recipe
/// ("<none>" if it has none; read from bitcode). One memo holds both, keyed
/// by everything they are a function of: the code that computes them, the
/// module's digest (F.Module, set by the caller), the shard's bytes, and
/// every input path with the digest of its content (paths are what the
/// shard names; their contents are what replace them). One memo per job, not
/// two: a cold link writes one file fewer per job, a warm one reads one fewer.
static Error derivedFields(const BackendJob &Job, FileDigests &Files,
                           KeyMemo *Memo, JobKeyFields &F) {
  auto Buf = readWholeFile(Job.Shard);
  if (!Buf)
    return Buf.takeError();
  std::optional<Digest> MemoKey;
  if (Memo) {
    KeyBuilder KB("job-memo", 1);
    KB.add(KeyField::ToolVersion, LLVM_VERSION_STRING);
    KB.add(KeyField::Module, F.Module);
    KB.add(KeyField::SummaryShard, hashBytes((*Buf)->getBuffer()));
    for (const std::string &In : Job.Inputs) {
      if (In == Job.Shard)
        continue;
      auto D = Files.get(In);
      if (!D)
        return D.takeError();
      KB.add(KeyField::MemoInput, In + '\0' + toHex(*D));
    }
    MemoKey = KB.finish();
    // "<shard digest hex>\n<recipe text>".
    if (std::optional<std::string> V = Memo->get(*MemoKey)) {
      auto [Hex, Recipe] = StringRef(*V).split('\n');
      if (std::optional<Digest> D = digestFromHex(Hex)) {
        F.Shard = *D;
        F.Recipe = Recipe.str();
        return Error::success();
      }
    }
  }
  auto Canonical = canonicalizeShardBuffer((*Buf)->getMemBufferRef(), Job.Shard,
                                           Job.Inputs, Files);
  if (!Canonical)
    return Canonical.takeError();
  F.Shard = hashBytes(*Canonical);
  auto Module = readWholeFile(Job.Module);
  if (!Module)
    return Module.takeError();
  auto Recipe = readRecipeText((*Module)->getMemBufferRef());
  if (!Recipe)
    return createFileError(Job.Module, Recipe.takeError());
  F.Recipe = Recipe->value_or("<none>");
  if (Memo)
    Memo->put(*MemoKey, toHex(F.Shard) + "\n" + F.Recipe);
  return Error::success();
}

Expected<JobKeyFields> computeJobFields(const BackendJob &Job,
                                        FileDigests &Files, KeyMemo *Memo) {
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

  if (Error E = derivedFields(Job, Files, Memo, F))
    return std::move(E);

  for (const std::string &In : Job.Inputs) {
    if (In == Job.Module || In == Job.Shard)
      continue;
    auto D = Files.get(In);
    if (!D)
      return D.takeError();
    F.Imports.push_back(toHex(*D));
  }
  llvm::sort(F.Imports);
  return F;
}

JobKey finishJobKey(const LinkKeyBasis &Basis, const JobKeyFields &F) {
  KeyBuilder KB(JobKeyRecipeName, JobKeyRecipeVersion);
  KB.add(KeyField::CompilerIdentity, Basis.CompilerIdentity);
  for (const auto &[Field, Value] : Basis.Fields)
    KB.add(Field, Value);
  for (const auto &[Field, Value] : F.Args)
    KB.add(Field, Value);
  KB.add(KeyField::Module, F.Module);
  KB.add(KeyField::ModuleRecipe, F.Recipe);
  KB.add(KeyField::SummaryShard, F.Shard);
  for (const std::string &D : F.Imports)
    KB.add(KeyField::ImportedModule, D);
  JobKey Result;
  Result.Key = KB.finish();
  Result.Trace = KB.trace();
  Result.ModuleHasRecipe = F.Recipe != "<none>";
  return Result;
}

Expected<JobKey> computeJobKey(const LinkKeyBasis &Basis, const BackendJob &Job,
                               FileDigests &Files, KeyMemo *Memo) {
  auto Fields = computeJobFields(Job, Files, Memo);
  if (!Fields)
    return Fields.takeError();
  return finishJobKey(Basis, *Fields);
}

} // namespace ltocache
