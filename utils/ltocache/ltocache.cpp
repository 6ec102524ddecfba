//===- ltocache.cpp - Look after an ltocache cache directory --------------===//
//
//   ltocache config [--json]          effective configuration and sources
//                                     (the remote's credentials masked)
//   ltocache stats [--json]           what the cache holds and has done
//   ltocache prune [--policy=P]       prune now
//   ltocache verify [--fix]           check every entry
//   ltocache clear                    remove every entry
//   ltocache recipe <file>...         the recipe each bitcode file carries
//
//===----------------------------------------------------------------------===//

#include "Config/Config.h"
#include "Key/ModuleRecipe.h"
#include "Key/RecipeScan.h"
#include "Link/StatsLog.h"
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
static cl::SubCommand
    RecipeCmd("recipe", "Print the recipe (docs/KEYS.md) each bitcode file "
                        "carries, as the distributor reads it");

static cl::opt<std::string>
    CacheDir("cache-dir",
             cl::desc("Cache directory (default: $LTOCACHE_DIR, else "
                      "$XDG_CACHE_HOME/ltocache, else ~/.cache/ltocache)"),
             cl::value_desc("dir"), cl::sub(ConfigCmd), cl::sub(StatsCmd),
             cl::sub(PruneCmd), cl::sub(VerifyCmd), cl::sub(ClearCmd));
static cl::opt<bool> Json("json", cl::desc("Print JSON"), cl::sub(StatsCmd),
                          cl::sub(ConfigCmd));
static cl::opt<std::string>
    Policy("policy",
           cl::desc("Pruning policy, as lld's --thinlto-cache-policy "
                    "(default: $LTOCACHE_POLICY, else lld's defaults)"),
           cl::value_desc("policy"), cl::sub(PruneCmd), cl::sub(ConfigCmd));
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

// `ltocache config` shows what these would make of the remote settings, as
// ltocache-dtlto takes them.
static cl::OptionCategory RemoteCat("Remote cache (config)");
static cl::opt<std::string>
    Remote("remote",
           cl::desc("Remote cache base URL (default: $LTOCACHE_REMOTE, else "
                    "the config file's 'remote'; none)"),
           cl::value_desc("url"), cl::sub(ConfigCmd), cl::cat(RemoteCat));
static cl::opt<std::string> RemoteLayoutFlag("remote-layout",
                                             cl::desc("flat, subdirs or bazel"),
                                             cl::value_desc("layout"),
                                             cl::sub(ConfigCmd),
                                             cl::cat(RemoteCat));
static cl::opt<std::string>
    RemoteConnectTimeout("remote-connect-timeout",
                         cl::desc("Connect timeout (ms)"), cl::value_desc("ms"),
                         cl::sub(ConfigCmd), cl::cat(RemoteCat));
static cl::opt<std::string> RemoteRequestTimeout(
    "remote-request-timeout", cl::desc("Per-request timeout (ms)"),
    cl::value_desc("ms"), cl::sub(ConfigCmd), cl::cat(RemoteCat));
static cl::opt<std::string> RemoteBudget(
    "remote-budget",
    cl::desc("How long a link's remote lookups may still win (ms)"),
    cl::value_desc("ms"), cl::sub(ConfigCmd), cl::cat(RemoteCat));
static cl::opt<std::string>
    RemoteUploadBudget("remote-upload-budget",
                       cl::desc("How long uploads may take after a link (ms)"),
                       cl::value_desc("ms"), cl::sub(ConfigCmd),
                       cl::cat(RemoteCat));
static cl::opt<bool> RemoteReadOnly("remote-read-only",
                                    cl::desc("Never upload to the remote"),
                                    cl::sub(ConfigCmd), cl::cat(RemoteCat));

static int fail(const Twine &Message) {
  WithColor::error(errs(), "ltocache") << Message << "\n";
  return 1;
}

template <typename T> static std::optional<std::string> flag(T &Opt) {
  if (Opt.getNumOccurrences())
    return std::string(Opt);
  return std::nullopt;
}

/// The configuration file; a bad one stops every command.
static ConfigFile ConfigFileSettings;

static Setting cacheDir() {
  return resolveCacheDir(flag(CacheDir), ConfigFileSettings);
}

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

static int runConfig() {
  const ConfigFile &File = ConfigFileSettings;
  Setting Dir = cacheDir();
  Setting PolicyText = resolvePolicy(flag(Policy), File, "--policy");
  Setting Faults = resolveFaultInjection(std::nullopt);
  if (auto P = parsePolicy(PolicyText.Value); !P)
    return fail(toString(P.takeError()) + " (from " + PolicyText.Source + ")");
  RemoteFlags RF;
  RF.Url = flag(Remote);
  RF.Layout = flag(RemoteLayoutFlag);
  RF.ConnectTimeout = flag(RemoteConnectTimeout);
  RF.RequestTimeout = flag(RemoteRequestTimeout);
  RF.Budget = flag(RemoteBudget);
  RF.UploadBudget = flag(RemoteUploadBudget);
  if (RemoteReadOnly.getNumOccurrences())
    RF.ReadOnly = bool(RemoteReadOnly);
  auto RC = resolveRemote(RF, File);
  if (!RC)
    return fail(toString(RC.takeError()));
  auto Sync = resolveSyncEntries(std::nullopt, File);
  if (!Sync)
    return fail(toString(Sync.takeError()));
  // Only masked values from here on: the URL's credentials and the headers'
  // values are never printed.
  const RemoteSettings &R = RC->Settings;
  if (Json) {
    auto Item = [](const Setting &S) {
      return json::Object{{"value", S.Value}, {"source", S.Source}};
    };
    json::Array HeaderNames;
    for (const std::string &N : R.HeaderNames)
      HeaderNames.push_back(N);
    json::Object O{
        {"config_file", json::Object{{"path", File.Path.Value},
                                     {"exists", File.Exists},
                                     {"source", File.Path.Source}}},
        {"cache_dir", Item(Dir)},
        {"cache_policy", Item(PolicyText)},
        {"fault_inject", Item(Faults)},
        {"sync_entries", Item(*Sync)},
        {"remote", Item(R.Url)},
        {"remote_layout", Item(R.Layout)},
        {"remote_connect_timeout", Item(R.ConnectTimeout)},
        {"remote_request_timeout", Item(R.RequestTimeout)},
        {"remote_budget", Item(R.Budget)},
        {"remote_upload_budget", Item(R.UploadBudget)},
        {"remote_read_only", Item(R.ReadOnly)},
        {"remote_headers", json::Object{{"names", std::move(HeaderNames)},
                                        {"source", R.Headers.Source}}}};
    outs() << formatv("{0:2}", json::Value(std::move(O))) << "\n";
    return 0;
  }
  auto Line = [](StringRef Name, const Twine &Value, StringRef Source) {
    outs() << formatv("{0,-24}{1}    ({2})\n", Name, Value.str(), Source);
  };
  Line("config-file", File.Path.Value + (File.Exists ? "" : " (not found)"),
       File.Path.Source);
  Line("cache-dir", Dir.Value, Dir.Source);
  Line("cache-policy", PolicyText.Value, PolicyText.Source);
  Line("fault-inject", Faults.Value.empty() ? "none" : Faults.Value,
       Faults.Source);
  Line("sync-entries", Sync->Value, Sync->Source);
  Line("remote", R.Url.Value.empty() ? "none" : R.Url.Value, R.Url.Source);
  Line("remote-layout", R.Layout.Value, R.Layout.Source);
  Line("remote-connect-timeout", R.ConnectTimeout.Value + " ms",
       R.ConnectTimeout.Source);
  Line("remote-request-timeout", R.RequestTimeout.Value + " ms",
       R.RequestTimeout.Source);
  Line("remote-budget", R.Budget.Value + " ms", R.Budget.Source);
  Line("remote-upload-budget", R.UploadBudget.Value + " ms",
       R.UploadBudget.Source);
  Line("remote-read-only", R.ReadOnly.Value, R.ReadOnly.Source);
  Line("remote-headers", R.Headers.Value.empty() ? "none" : R.Headers.Value,
       R.Headers.Source);
  return 0;
}

static int runStats() {
  Setting Dir = cacheDir();
  std::string Root = storeRoot(Dir);
  auto Entries = usage(Root + "/entries");
  auto Corrupt = usage(Root + "/corrupt");
  auto Tmp = usage(Root + "/tmp");
  for (auto *E : {&Entries, &Corrupt, &Tmp})
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
                                {"remote_wins", I(C.RemoteWins)},
                                {"local_wins", I(C.LocalWins)},
                                {"cancelled", I(C.Cancelled)},
                                {"uploads", I(C.Uploads)},
                                {"upload_failures", I(C.UploadFailures)},
                                {"mismatches", I(C.Mismatches)}}}};
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
                        "{3} errors, {4} timeouts",
                        C.FromRemote, C.RemoteHits, C.RemoteMisses,
                        C.RemoteErrors, C.RemoteTimeouts)
                    .str());
  Row("races", formatv("{0} remote wins, {1} local wins, {2} compiles "
                       "cancelled",
                       C.RemoteWins, C.LocalWins, C.Cancelled)
                   .str());
  Row("uploads", formatv("{0} ({1} failed); {2} determinism mismatches",
                         C.Uploads, C.UploadFailures, C.Mismatches)
                     .str());
  return 0;
}

static int runPrune() {
  Setting Dir = cacheDir();
  Setting PolicyText =
      resolvePolicy(flag(Policy), ConfigFileSettings, "--policy");
  auto P = parsePolicy(PolicyText.Value);
  if (!P)
    return fail(toString(P.takeError()) + " (from " + PolicyText.Source + ")");
  auto FS = createFileSystem(resolveFaultInjection(std::nullopt).Value);
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
  return fail("expected a command: config, stats, prune, verify, clear or "
              "recipe (see --help)");
}
