//===- ltocache.cpp - Look after an ltocache cache directory --------------===//
//
//   ltocache config [--json]          effective configuration and sources
//                                     (the remote's credentials masked)
//   ltocache stats [--json]           what the cache holds and has done
//   ltocache prune [--policy=P]       prune now
//   ltocache verify [--fix]           check every entry
//   ltocache clear                    remove every entry
//   ltocache recipe <file>...         the recipe each bitcode file carries
//   ltocache keygen <name>            <name>.key (secret) and <name>.pub
//                                     for signed remote entries
//   ltocache explain [<output>]       why jobs of the last link missed
//
//===----------------------------------------------------------------------===//

#include "Config/Config.h"
#include "Config/SettingFlags.h"
#include "Key/DefinitionKeys.h"
#include "Key/ModuleRecipe.h"
#include "Key/RecipeScan.h"
#include "Link/LinkExplain.h"
#include "Link/LinkRecords.h"
#include "Link/StatsLog.h"
#include "Remote/SigningKeys.h"
#include "Store/Entry.h"
#include "Store/LocalStore.h"
#include "Store/Pruner.h"
#include "Support/FileSystem.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace ltocache;

static cl::SubCommand ConfigCmd("config",
                                "Show the effective configuration and where "
                                "each value came from");
static cl::SubCommand StatsCmd("stats",
                               "Show what the cache holds and has done");
static cl::SubCommand PruneCmd("prune", "Prune the cache now");
static cl::SubCommand VerifyCmd("verify",
                                "Check every entry's header, key and checksum");
static cl::SubCommand ClearCmd("clear", "Remove every cache entry");
static cl::SubCommand DefinitionsCmd(
    "definitions",
    "Print the key of every definition of each bitcode file, as importers "
    "see it (docs/KEYS.md)");
static cl::list<std::string> DefinitionFiles(cl::Positional, cl::OneOrMore,
                                             cl::desc("<bitcode file>..."),
                                             cl::sub(DefinitionsCmd));
static cl::SubCommand
    RecipeCmd("recipe", "Print the recipe (docs/KEYS.md) each bitcode file "
                        "carries, as the distributor reads it");

static cl::SubCommand
    KeygenCmd("keygen", "Write a key pair for signed remote entries: "
                        "<name>.key (secret, mode 0600) and <name>.pub");
static cl::opt<std::string> KeyName(cl::Positional, cl::Required,
                                    cl::desc("<name>"), cl::sub(KeygenCmd));

static cl::SubCommand
    ExplainCmd("explain",
               "Say why jobs of a linker output's last link missed: what "
               "changed since its link before (or between two links named "
               "with --link)");
static cl::opt<std::string> ExplainOutput(cl::Positional, cl::Optional,
                                          cl::desc("[<linker output>]"),
                                          cl::sub(ExplainCmd));
static cl::list<std::string>
    ExplainLinks("link",
                 cl::desc("A recorded link to compare, by its id (or a "
                          "unique start of it) as --list shows it, or its "
                          "record's path: twice, the earlier link first"),
                 cl::sub(ExplainCmd));
static cl::opt<bool> ExplainList("list",
                                 cl::desc("List the recorded links, oldest "
                                          "first"),
                                 cl::sub(ExplainCmd));

static cl::opt<bool> Json("json", cl::desc("Print JSON"), cl::sub(StatsCmd),
                          cl::sub(ConfigCmd), cl::sub(ExplainCmd));
static cl::opt<bool> Fix("fix", cl::desc("Move bad entries aside"),
                         cl::sub(VerifyCmd));
static cl::list<std::string> RecipeFiles(cl::Positional, cl::OneOrMore,
                                         cl::desc("<bitcode file>..."),
                                         cl::sub(RecipeCmd));
enum class RecipeReader { Default, Scan, Module };
static cl::opt<RecipeReader> RecipeReaderFlag(
    "reader", cl::desc("Testing: how to read the recipe"), cl::Hidden,
    cl::init(RecipeReader::Default),
    cl::values(clEnumValN(RecipeReader::Default, "default",
                          "the bitstream scan, LLVM's reader when unsure"),
               clEnumValN(RecipeReader::Scan, "scan",
                          "the scan only (prints <unsure> when unsure)"),
               clEnumValN(RecipeReader::Module, "module", "LLVM's reader")),
    cl::sub(RecipeCmd));

static cl::opt<bool>
    Markdown("markdown",
             cl::desc("Print README's settings tables (for the docs)"),
             cl::Hidden, cl::sub(ConfigCmd));

// The settings table's flags: `ltocache config` takes every one, to show
// its effect; the other commands take the settings they use.
static SettingFlags Flags(
    [](const SettingRow &Row) {
      std::vector<cl::SubCommand *> Subs{&ConfigCmd};
      if (Row.Uses & UsedByCacheCommands)
        Subs.insert(Subs.end(),
                    {&StatsCmd, &PruneCmd, &VerifyCmd, &ClearCmd, &ExplainCmd});
      else if (Row.Uses & UsedByPrune)
        Subs.push_back(&PruneCmd);
      return Subs;
    },
    nullptr);

static int fail(const Twine &Message) {
  WithColor::error(errs(), "ltocache") << Message << "\n";
  return 1;
}

/// The configuration file; a bad one stops every command.
static ConfigFile ConfigFileSettings;
/// Every setting, resolved once the command line is parsed.
static std::optional<Settings> Resolved;

static Setting cacheDir() { return Resolved->get(SettingId::CacheDir); }

static std::string storeRoot(const Setting &Dir) {
  SmallString<256> Root(Dir.Value);
  sys::path::append(Root, "v1");
  return std::string(Root);
}

struct DirUsage {
  uint64_t Files = 0, Bytes = 0;
};

static Expected<DirUsage> usage(const Twine &Dir) {
  DirUsage U;
  if (std::error_code EC =
          walkRegularFiles(Dir, [&](StringRef, const sys::fs::file_status &St) {
            ++U.Files;
            U.Bytes += St.getSize();
          }))
    return createFileError(Dir, EC);
  return U;
}

/// `ltocache config`: every setting of the table with its value and source
/// (credentials masked), as ltocache-dtlto would resolve them.
static int runConfig() {
  if (Markdown) {
    for (StringRef Group : settingGroups())
      outs() << "<!-- settings: " << Group << " -->\n"
             << settingsMarkdown(Group) << "<!-- end settings -->\n\n";
    return 0;
  }
  const ConfigFile &File = ConfigFileSettings;
  const Settings &S = *Resolved;
  if (Error E = S.checkAll())
    return fail(toString(std::move(E)));
  // Only masked values from here on: the URL's credentials and the headers'
  // values are never printed.
  auto RCOr = remoteConfig(S); // A bad key file is an error here too.
  if (!RCOr)
    return fail(toString(RCOr.takeError()));
  RemoteConfig &RC = *RCOr;
  auto Shown = [&](const SettingRow &Row) -> Setting {
    if (Row.Id == SettingId::RemoteHeaders)
      return RC.Settings.Headers;
    return {S.shown(Row.Id), S.source(Row.Id)};
  };
  auto JsonKey = [](const SettingRow &Row) {
    if (!Row.FileKey.empty())
      return Row.FileKey.str();
    std::string K = Row.Name.str();
    std::replace(K.begin(), K.end(), '-', '_');
    return K;
  };
  if (Json) {
    json::Object O{{"config_file", json::Object{{"path", File.Path.Value},
                                                {"exists", File.Exists},
                                                {"source", File.Path.Source}}}};
    for (const SettingRow &Row : settingsTable()) {
      Setting V = Shown(Row);
      json::Object Item{{"value", V.Value}, {"source", V.Source}};
      if (Row.Id == SettingId::RemoteHeaders) {
        json::Array Names;
        for (const std::string &N : RC.Settings.HeaderNames)
          Names.push_back(N);
        Item["names"] = std::move(Names);
      }
      O[JsonKey(Row)] = std::move(Item);
    }
    outs() << formatv("{0:2}", json::Value(std::move(O))) << "\n";
    return 0;
  }
  auto Line = [](StringRef Name, const Twine &Value, StringRef Source) {
    outs() << formatv("{0,-24}{1}    ({2})\n", Name, Value.str(), Source);
  };
  Line("config-file", File.Path.Value + (File.Exists ? "" : " (not found)"),
       File.Path.Source);
  for (const SettingRow &Row : settingsTable()) {
    Setting V = Shown(Row);
    std::string Text = V.Value;
    if (Text.empty())
      Text = "none";
    else if (Row.Type == SettingType::Millis ||
             Row.Type == SettingType::PositiveMillis)
      Text += " ms";
    Line(Row.Name, Text, V.Source);
  }
  return 0;
}

static int runStats() {
  Setting Dir = cacheDir();
  std::string Root = storeRoot(Dir);
  auto Entries = usage(Root + "/entries");
  auto Corrupt = usage(Root + "/corrupt");
  auto Tmp = usage(Root + "/tmp");
  auto Memos = usage(Root + "/memo");
  for (auto *E : {&Entries, &Corrupt, &Tmp, &Memos})
    if (!*E)
      return fail(toString(E->takeError()));
  StoreCounters C = readCounters(Root);
  if (Json) {
    auto I = [](uint64_t V) { return static_cast<int64_t>(V); };
    json::Object O{
        {"cache_dir", Dir.Value},
        {"entries", I(Entries->Files)},
        {"bytes", I(Entries->Bytes)},
        {"corrupt_kept", I(Corrupt->Files)},
        {"temporary_files", I(Tmp->Files)},
        {"memos", I(Memos->Files)},
        {"memo_bytes", I(Memos->Bytes)},
        {"links", I(C.Links)},
        {"jobs", I(C.Jobs)},
        {"hits", I(C.Hits)},
        {"misses", I(C.Misses)},
        {"uncached", I(C.Uncached)},
        {"bypasses", I(C.Bypasses)},
        {"corrupt_found", I(C.Corrupt)},
        {"prunes", I(C.Prunes)},
        {"pruned_entries", I(C.PrunedEntries)},
        {"pruned_bytes", I(C.PrunedBytes)},
        {"compile_seconds", C.CompileMicros / 1e6},
        {"saved_seconds", C.SavedMicros / 1e6},
        {"remote", json::Object{{"from_remote", I(C.FromRemote)},
                                {"hits", I(C.RemoteHits)},
                                {"misses", I(C.RemoteMisses)},
                                {"errors", I(C.RemoteErrors)},
                                {"timeouts", I(C.RemoteTimeouts)},
                                {"untrusted", I(C.RemoteUntrusted)},
                                {"remote_wins", I(C.RemoteWins)},
                                {"local_wins", I(C.LocalWins)},
                                {"cancelled", I(C.Cancelled)},
                                {"uploads", I(C.Uploads)},
                                {"upload_failures", I(C.UploadFailures)},
                                {"mismatches", I(C.Mismatches)},
                                {"key_inputs_taken", I(C.KeyInputsFromRemote)},
                                {"key_inputs_shared", I(C.KeyInputUploads)},
                                {"key_input_upload_failures",
                                 I(C.KeyInputUploadFailures)}}},
        {"verified", I(C.Verified)},
        {"verify_mismatches", I(C.VerifyMismatches)}};
    outs() << formatv("{0:2}", json::Value(std::move(O))) << "\n";
    return 0;
  }
  auto Row = [](StringRef Name, const Twine &Value) {
    outs() << formatv("{0,-17}", Name) << Value << "\n";
  };
  Row("cache directory", Dir.Value);
  Row("entries", Twine(Entries->Files));
  Row("bytes", Twine(Entries->Bytes) + " (" +
                   formatv("{0:f1}", Entries->Bytes / 1048576.0) + " MiB)");
  Row("corrupt (kept)", Twine(Corrupt->Files));
  Row("temporary files", Twine(Tmp->Files));
  Row("memos", Twine(Memos->Files) + " (" + Twine(Memos->Bytes) +
                   " bytes of remembered key inputs)");
  Row("links", Twine(C.Links));
  Row("jobs", Twine(C.Jobs));
  Row("hits", Twine(C.Hits));
  Row("misses", Twine(C.Misses));
  Row("uncached", Twine(C.Uncached));
  Row("bypasses", Twine(C.Bypasses));
  Row("corrupt found", Twine(C.Corrupt));
  Row("prunes", Twine(C.Prunes) + " (" + Twine(C.PrunedEntries) + " entries, " +
                    Twine(C.PrunedBytes) + " bytes)");
  Row("compile time", formatv("{0:f2}s spent, {1:f2}s saved",
                              C.CompileMicros / 1e6, C.SavedMicros / 1e6)
                          .str());
  Row("remote", formatv("{0} jobs from remote; lookups: {1} hits, {2} misses, "
                        "{3} errors, {4} timeouts, {5} untrusted",
                        C.FromRemote, C.RemoteHits, C.RemoteMisses,
                        C.RemoteErrors, C.RemoteTimeouts, C.RemoteUntrusted)
                    .str());
  Row("key inputs", formatv("{0} from remote, {1} shared with it ({2} failed)",
                            C.KeyInputsFromRemote, C.KeyInputUploads,
                            C.KeyInputUploadFailures)
                        .str());
  Row("races", formatv("{0} remote wins, {1} local wins, {2} compiles "
                       "cancelled",
                       C.RemoteWins, C.LocalWins, C.Cancelled)
                   .str());
  Row("verified hits", formatv("{0} ({1} differed from a fresh compile)",
                               C.Verified, C.VerifyMismatches)
                           .str());
  Row("uploads", formatv("{0} ({1} failed); {2} determinism mismatches",
                         C.Uploads, C.UploadFailures, C.Mismatches)
                     .str());
  return 0;
}

static int runPrune() {
  Setting Dir = cacheDir();
  if (Error E = Resolved->check({SettingId::CacheDir, SettingId::CachePolicy,
                                 SettingId::FaultInject}))
    return fail(toString(std::move(E)));
  auto P = parsePolicy(Resolved->value(SettingId::CachePolicy));
  if (!P)
    return fail(toString(P.takeError()));
  auto FS = createFileSystem(Resolved->value(SettingId::FaultInject));
  if (!FS)
    return fail(toString(FS.takeError()));
  auto Store = LocalStore::open(Dir.Value, **FS);
  if (!Store)
    return fail(toString(Store.takeError()));
  auto R = pruneStore((*Store)->root(), *P, **FS, /*Force=*/true);
  if (!R)
    return fail(toString(R.takeError()));
  recordPrune((*Store)->root(), *R);
  outs() << "pruned " << R->Removed << " of " << R->Scanned << " entries ("
         << R->RemovedBytes << " bytes), " << R->StaleTemporaries
         << " stale temporary files; kept " << R->KeptFiles << " ("
         << R->KeptBytes << " bytes)\n";
  return 0;
}

static int runVerify() {
  Setting Dir = cacheDir();
  std::string Root = storeRoot(Dir);
  SmallString<256> Entries(Root);
  sys::path::append(Entries, "entries");
  auto FS = createFileSystem("");
  std::unique_ptr<LocalStore> Store;
  if (Fix) {
    auto S = LocalStore::open(Dir.Value, **FS);
    if (!S)
      return fail(toString(S.takeError()));
    Store = std::move(*S);
  }
  unsigned Good = 0, Bad = 0, Moved = 0;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator It(Entries, EC), End;
       It != End && !EC; It.increment(EC)) {
    if (It->type() != sys::fs::file_type::regular_file)
      continue;
    std::string Path = It->path();
    std::optional<Digest> Key = digestFromHex(sys::path::filename(Path));
    auto Bytes = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                       /*RequiresNullTerminator=*/false);
    Error Problem = Error::success();
    if (!Key)
      Problem = createStringError("file name is not a key");
    else if (!Bytes) {
      if (Bytes.getError() == std::errc::no_such_file_or_directory)
        continue; // Pruned or replaced meanwhile: nothing to verify.
      Problem = createFileError(Path, Bytes.getError());
    } else if (auto D = decodeEntry((*Bytes)->getBuffer(), *Key); !D)
      Problem = D.takeError();
    if (!Problem) {
      ++Good;
      continue;
    }
    ++Bad;
    outs() << "bad: " << Path << ": " << toString(std::move(Problem));
    if (Store) {
      if (Error E = Store->moveAside(Path))
        outs() << " (could not move aside: " << toString(std::move(E)) << ")";
      else {
        ++Moved;
        outs() << " (moved aside)";
      }
    }
    outs() << "\n";
  }
  if (EC && EC != std::errc::no_such_file_or_directory)
    return fail("cannot read " + Entries + ": " + EC.message());
  outs() << (Good + Bad) << " entries verified, " << Bad << " bad";
  if (Fix)
    outs() << ", " << Moved << " moved aside";
  outs() << "\n";
  return Bad > Moved ? 1 : 0;
}

static int runClear() {
  Setting Dir = cacheDir();
  SmallString<256> Entries(storeRoot(Dir));
  sys::path::append(Entries, "entries");
  if (!sys::fs::exists(Entries)) {
    outs() << "nothing to clear in " << Dir.Value << "\n";
    return 0;
  }
  // Move the whole tree out of the way first: readers see every entry or
  // none, never a half-deleted directory.
  SmallString<256> Trash(Entries);
  Trash += ".clearing." + std::to_string(sys::Process::getProcessId());
  if (std::error_code EC = sys::fs::rename(Entries, Trash))
    return fail("cannot clear " + Entries + ": " + EC.message());
  if (std::error_code EC = sys::fs::remove_directories(Trash))
    return fail("cleared, but could not delete " + Trash + ": " + EC.message());
  outs() << "cleared " << Dir.Value << "\n";
  return 0;
}

/// `ltocache keygen <name>`: the secret key goes to its file only.
static int runKeygen() {
  auto Pub = generateKeyFiles(KeyName);
  if (!Pub)
    return fail(toString(Pub.takeError()));
  outs() << "wrote " << KeyName << ".key (secret: give it to the writers "
         << "only, as remote_signing_key) and " << Pub->File
         << " (public: remote_trusted_keys of every reader); fingerprint "
         << Pub->fingerprint() << "\n";
  return 0;
}

static Expected<std::optional<std::string>> readRecipeOf(MemoryBufferRef BC) {
  switch (RecipeReaderFlag) {
  case RecipeReader::Default:
    return readRecipeText(BC);
  case RecipeReader::Module:
    return readRecipeTextWithModule(BC);
  case RecipeReader::Scan:
    break;
  }
  RecipeScan S = scanRecipe(BC);
  if (S.Outcome == RecipeScan::Found)
    return S.Text;
  if (S.Outcome == RecipeScan::Absent)
    return std::nullopt;
  return std::string("<unsure>\n");
}

/// One line per field: "<file>: <name> <value>...".
static int runRecipe() {
  int Status = 0;
  for (const std::string &Path : RecipeFiles) {
    auto Buf = MemoryBuffer::getFile(Path);
    if (!Buf) {
      WithColor::error(errs(), "ltocache")
          << Path << ": " << Buf.getError().message() << "\n";
      Status = 1;
      continue;
    }
    auto Text = readRecipeOf((*Buf)->getMemBufferRef());
    if (!Text) {
      WithColor::error(errs(), "ltocache")
          << Path << ": " << toString(Text.takeError()) << "\n";
      Status = 1;
      continue;
    }
    if (!*Text) {
      outs() << Path << ": no recipe (not compiled with "
             << "-fplugin=LTOCacheClang.so)\n";
      continue;
    }
    SmallVector<StringRef, 16> Lines;
    StringRef(**Text).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (StringRef Line : Lines) {
      auto [Name, Values] = Line.split('=');
      outs() << Path << ": " << Name;
      SmallVector<StringRef, 8> Split;
      if (!Values.empty())
        Values.split(Split, '\x1f');
      for (StringRef V : Split)
        outs() << " " << V;
      outs() << "\n";
    }
  }
  return Status;
}

/// "<file>: context <key>[ locals]", then "<file>: <key>[ locals] <name>" per
/// definition, by name.
static int runDefinitions() {
  int Status = 0;
  for (const std::string &Path : DefinitionFiles) {
    auto Buf = MemoryBuffer::getFile(Path);
    if (!Buf) {
      WithColor::error(errs(), "ltocache")
          << Path << ": " << Buf.getError().message() << "\n";
      Status = 1;
      continue;
    }
    auto Keys = computeDefinitionKeys((*Buf)->getMemBufferRef(), {},
                                      /*AllDefinitions=*/true);
    if (!Keys) {
      WithColor::error(errs(), "ltocache")
          << Path << ": " << toString(Keys.takeError()) << "\n";
      Status = 1;
      continue;
    }
    outs() << Path << ": context " << toHex(Keys->Context)
           << (Keys->ContextRefersToLocals ? " locals" : "") << "\n";
    std::vector<const DefinitionKey *> ByName;
    for (auto &[GUID, K] : Keys->Definitions)
      ByName.push_back(&K);
    llvm::sort(ByName, [](const DefinitionKey *A, const DefinitionKey *B) {
      return A->Name < B->Name;
    });
    for (const DefinitionKey *K : ByName)
      outs() << Path << ": " << toHex(K->Key)
             << (K->RefersToLocals ? " locals " : " ") << K->Name << "\n";
  }
  return Status;
}

/// The record --link names: a path, else the one recorded link whose id
/// is \p Name or begins with it.
static Expected<std::string> findRecord(StringRef Root, StringRef Name) {
  if (sys::fs::is_regular_file(Name))
    return Name.str();
  std::vector<std::string> Found;
  for (const LinkRecordFile &F : listLinkRecords(Root))
    if (StringRef(F.Id).starts_with(Name))
      Found.push_back(F.Path);
  if (Found.size() == 1)
    return Found.front();
  return createStringError(
      Found.empty() ? "no recorded link '%s' (ltocache explain --list shows "
                      "them)"
                    : "'%s' names %zu recorded links; give more of its id",
      Name.str().c_str(), Found.size());
}

static int listRecords(StringRef Root, StringRef Output) {
  json::Array All;
  for (const LinkRecordFile &F : listLinkRecords(Root, Output)) {
    auto R = readLinkRecord(F.Path);
    if (!R) {
      WithColor::warning(errs(), "ltocache") << toString(R.takeError()) << "\n";
      continue;
    }
    LinkCounts C = countJobs(*R);
    if (Json) {
      All.push_back(json::Object{{"id", R->Id},
                                 {"output", R->Output},
                                 {"path", F.Path},
                                 {"jobs", C.Jobs},
                                 {"hits", C.Hits},
                                 {"misses", C.Misses},
                                 {"from_remote", C.FromRemote},
                                 {"uncached", C.Uncached}});
      continue;
    }
    outs() << formatv("{0}  {1} jobs, {2} hits, {3} misses  {4}\n", R->Id,
                      C.Jobs, C.Hits, C.Misses, R->Output);
  }
  if (Json)
    outs() << formatv("{0:2}", json::Value(std::move(All))) << "\n";
  return 0;
}

/// `ltocache explain`: the last two links of an output (of the output
/// linked last if none is named), or the two --link names.
static int runExplain() {
  std::string Root = storeRoot(cacheDir());
  std::string Output =
      ExplainOutput.empty() ? "" : absoluteOutput(ExplainOutput);
  if (ExplainList)
    return listRecords(Root, Output);
  std::vector<std::string> Paths;
  if (!ExplainLinks.empty()) {
    if (ExplainLinks.size() != 2)
      return fail("--link is given twice: the earlier link, then the later");
    for (const std::string &L : ExplainLinks) {
      auto P = findRecord(Root, L);
      if (!P)
        return fail(toString(P.takeError()));
      Paths.push_back(*P);
    }
  } else {
    std::vector<LinkRecordFile> Of = listLinkRecords(Root, Output);
    if (Of.empty() && Output.empty())
      return fail("no link is recorded in " + Root +
                  " (links record themselves unless link-records is 0)");
    if (Output.empty()) {
      // The output linked last: the records beside its newest.
      StringRef Dir = sys::path::parent_path(Of.back().Path);
      llvm::erase_if(Of, [&](const LinkRecordFile &F) {
        return sys::path::parent_path(F.Path) != Dir;
      });
      if (auto Newest = readLinkRecord(Of.back().Path))
        Output = Newest->Output;
      else
        return fail(toString(Newest.takeError()));
    }
    if (Of.size() < 2)
      return fail("'" + Output + "' has " + Twine(Of.size()) +
                  " recorded link" + (Of.size() == 1 ? "" : "s") + " in " +
                  Root +
                  "; explain compares two (link again, or name two with "
                  "--link; ltocache explain --list shows them)");
    Paths = {Of[Of.size() - 2].Path, Of.back().Path};
  }
  auto Before = readLinkRecord(Paths[0]);
  if (!Before)
    return fail(toString(Before.takeError()));
  auto After = readLinkRecord(Paths[1]);
  if (!After)
    return fail(toString(After.takeError()));
  Explanation E = explainLinks(*Before, *After);
  if (Json)
    outs() << formatv("{0:2}", explanationJSON(E)) << "\n";
  else
    outs() << explanationText(E);
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "ltocache " LTOCACHE_VERSION " (LLVM " LLVM_VERSION_STRING ")\n";
  });
  cl::ParseCommandLineOptions(argc, argv,
                              "ltocache: look after an ltocache cache\n");
  auto File = readConfigFile();
  if (!File)
    return fail(toString(File.takeError()));
  ConfigFileSettings = std::move(*File);
  Resolved = Settings::resolve(Flags.given(), ConfigFileSettings);
  if (!ConfigCmd) {
    if (Error E = Resolved->check({SettingId::Umask}))
      return fail(toString(std::move(E)));
    applyUmask(*Resolved);
  }
  if (KeygenCmd)
    return runKeygen();
  if (ConfigCmd)
    return runConfig();
  if (StatsCmd)
    return runStats();
  if (PruneCmd)
    return runPrune();
  if (VerifyCmd)
    return runVerify();
  if (ClearCmd)
    return runClear();
  if (RecipeCmd)
    return runRecipe();
  if (DefinitionsCmd)
    return runDefinitions();
  if (ExplainCmd)
    return runExplain();
  return fail("expected a command: config, stats, prune, verify, clear, "
              "recipe, definitions, keygen or explain (see --help)");
}
