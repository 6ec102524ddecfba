//===- ltocache-dtlto.cpp - The DTLTO distributor lld runs ----------------===//
//
// ld.lld --thinlto-distributor=ltocache-dtlto
//        --thinlto-remote-compiler=<clang>
//        [--thinlto-distributor-arg=<option>]...
//
// lld writes a job file and runs `ltocache-dtlto <options> <jobs.json>`;
// every job's output must exist when this program exits 0.
//
//===----------------------------------------------------------------------===//

#include "Job/JobFile.h"

#include "Compile/BackendSelector.h"
#include "Compile/CompileBackend.h"
#include "Config/Config.h"
#include "Key/ToolchainIdentity.h"
#include "Link/JobScheduler.h"
#include "Link/StatsLog.h"
#include "Remote/RemoteStore.h"
#include "Store/LocalStore.h"
#include "Store/MemoStore.h"
#include "Store/Pruner.h"
#include "Support/FileSystem.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <future>
#include <thread>

#include <malloc.h>

using namespace llvm;
using namespace ltocache;

static cl::OptionCategory Category("ltocache-dtlto options");

static cl::opt<std::string> JobFilePath(cl::Positional, cl::Required,
                                        cl::desc("<jobs.json>"),
                                        cl::cat(Category));
static cl::opt<std::string>
    CacheDir("cache-dir",
             cl::desc("Cache directory (default: $LTOCACHE_DIR, else "
                      "$XDG_CACHE_HOME/ltocache, else ~/.cache/ltocache)"),
             cl::value_desc("dir"), cl::cat(Category));
static cl::opt<std::string> CachePolicy(
    "cache-policy",
    cl::desc("Pruning policy, as lld's --thinlto-cache-policy (default: "
             "$LTOCACHE_POLICY, else prune_interval=20m:prune_after=168h:"
             "cache_size=75%)"),
    cl::value_desc("policy"), cl::cat(Category));
static cl::opt<unsigned>
    Workers("j", cl::desc("Backend jobs to run at once (default: all cores)"),
            cl::value_desc("N"), cl::init(0), cl::Prefix, cl::cat(Category));
static cl::alias WorkersLong("jobs", cl::aliasopt(Workers),
                             cl::desc("Alias for -j"), cl::cat(Category));
static cl::opt<std::string> Backend(
    "backend",
    cl::desc("How misses are compiled: 'in-process' (clang's code on a "
             "thread pool, in one ltocache-compile server per link), "
             "'process' (the remote compiler, "
             "one process per job), 'auto' (in-process when the remote "
             "compiler is the clang this distributor carries, the default) "
             "or 'distributor:<program>' (another DTLTO distributor, given "
             "a job file of the misses)"),
    cl::init("auto"), cl::cat(Category));
static cl::opt<std::string> CompileServer(
    "compile-server",
    cl::desc("The in-process backend's server program (default: "
             "ltocache-compile beside this program; for tests and "
             "profiling)"),
    cl::value_desc("program"), cl::cat(Category));
static cl::list<std::string> BackendArgs(
    "backend-arg",
    cl::desc("An argument for --backend=distributor:<program> (repeatable)"),
    cl::value_desc("arg"), cl::cat(Category));
static cl::opt<std::string>
    KeyLog("key-log",
           cl::desc("Write each job's module, key and key fields to <file>"),
           cl::value_desc("file"), cl::cat(Category));
static cl::opt<std::string> FaultInject(
    "fault-inject",
    cl::desc("Testing: make cache filesystem operations fail, e.g. "
             "'rename=EXDEV,write=ENOSPC' (also $LTOCACHE_FAULT_INJECT)"),
    cl::value_desc("spec"), cl::cat(Category));
static cl::opt<std::string>
    Remote("remote",
           cl::desc("Remote cache base URL, http:// or https:// (default: "
                    "$LTOCACHE_REMOTE, else the config file's 'remote'; "
                    "none)"),
           cl::value_desc("url"), cl::cat(Category));
static cl::opt<std::string> RemoteLayoutFlag(
    "remote-layout",
    cl::desc("Key layout under the URL: flat, subdirs (default) or bazel"),
    cl::value_desc("layout"), cl::cat(Category));
static cl::opt<std::string> RemoteConnectTimeout(
    "remote-connect-timeout",
    cl::desc("Remote connect timeout in ms (default 1000)"),
    cl::value_desc("ms"), cl::cat(Category));
static cl::opt<std::string> RemoteRequestTimeout(
    "remote-request-timeout",
    cl::desc("Remote per-request timeout in ms (default 10000)"),
    cl::value_desc("ms"), cl::cat(Category));
static cl::opt<std::string> RemoteBudget(
    "remote-budget",
    cl::desc("How long, in ms, remote lookups may still win over local "
             "compiles; then the remote is a miss for the rest of the link "
             "(default 10000)"),
    cl::value_desc("ms"), cl::cat(Category));
static cl::opt<std::string> RemoteUploadBudget(
    "remote-upload-budget",
    cl::desc("How long, in ms, uploads may take after the link's jobs are "
             "done (default 2000)"),
    cl::value_desc("ms"), cl::cat(Category));
static cl::opt<bool>
    RemoteReadOnly("remote-read-only",
                   cl::desc("Never upload to the remote cache"),
                   cl::cat(Category));
static cl::opt<bool> DeterminismCheck(
    "determinism-check",
    cl::desc("Also compile every remote hit locally and compare byte for "
             "byte; differences are kept (see --determinism-report-dir) and "
             "the local object is used"),
    cl::cat(Category));
static cl::opt<std::string> DeterminismReportDir(
    "determinism-report-dir",
    cl::desc("Where --determinism-check keeps differing objects (default: "
             "<cache dir>/determinism-reports)"),
    cl::value_desc("dir"), cl::cat(Category));
static cl::opt<bool> SyncEntries(
    "sync-entries",
    cl::desc("Flush each new cache entry to disk (fsync) before naming it "
             "(also LTOCACHE_SYNC_ENTRIES, sync_entries). Off by default: "
             "entries are checked on every read, so one torn by a power loss "
             "is a miss"),
    cl::cat(Category));
static cl::opt<bool> Quiet("quiet", cl::desc("Do not print the summary line"),
                           cl::cat(Category));

static int fail(const Twine &Message) {
  WithColor::error(errs(), "ltocache-dtlto") << Message << "\n";
  return 1;
}

static void warn(const Twine &Message) {
  WithColor::warning(errs(), "ltocache") << Message << "\n";
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  // Objects, modules and entries are read into buffers of up to a few MiB
  // and freed at once: keep them off mmap, whose munmap costs every
  // thread a TLB shootdown. Nor give freed memory back between jobs
  // (madvise, then page faults to zero it again for the next job's target
  // tables): the next compile needs as much.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "ltocache-dtlto " LTOCACHE_VERSION " (LLVM " LLVM_VERSION_STRING
          ")\n";
  });
  cl::HideUnrelatedOptions(Category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "ltocache ThinLTO distributor: runs lld's backend jobs through the "
      "ltocache cache\n\n  ld.lld --thinlto-distributor=ltocache-dtlto "
      "--thinlto-remote-compiler=clang ...\n");

  auto Choice = parseBackendChoice(Backend);
  if (!Choice)
    return fail(toString(Choice.takeError()));
  Choice->DistributorArgs = BackendArgs;
  Choice->Workers = Workers;
  Choice->CompileServer = CompileServer; // Empty: the one beside us.
  Choice->WorkDir = sys::path::parent_path(JobFilePath).str();
  if (Choice->WorkDir.empty())
    Choice->WorkDir = ".";

  // Validate everything before touching the cache.
  auto File = readJobFile(JobFilePath);
  if (!File)
    return fail(toString(File.takeError()));

  std::optional<std::string> DirFlag;
  if (CacheDir.getNumOccurrences())
    DirFlag = CacheDir;
  std::optional<std::string> FaultFlag;
  if (FaultInject.getNumOccurrences())
    FaultFlag = FaultInject;
  // A broken configuration file is an error, reported once, before
  // anything is touched.
  auto Config = readConfigFile();
  if (!Config)
    return fail(toString(Config.takeError()));
  Setting Dir = resolveCacheDir(DirFlag, *Config);
  std::optional<std::string> PolicyFlag;
  if (CachePolicy.getNumOccurrences())
    PolicyFlag = CachePolicy;
  Setting PolicyText = resolvePolicy(PolicyFlag, *Config);
  auto Policy = parsePolicy(PolicyText.Value);
  if (!Policy)
    return fail(toString(Policy.takeError()) + " (from " + PolicyText.Source +
                ")");
  RemoteFlags RFlags;
  auto Given = [](cl::opt<std::string> &O) -> std::optional<std::string> {
    if (O.getNumOccurrences())
      return std::string(O);
    return std::nullopt;
  };
  RFlags.Url = Given(Remote);
  RFlags.Layout = Given(RemoteLayoutFlag);
  RFlags.ConnectTimeout = Given(RemoteConnectTimeout);
  RFlags.RequestTimeout = Given(RemoteRequestTimeout);
  RFlags.Budget = Given(RemoteBudget);
  RFlags.UploadBudget = Given(RemoteUploadBudget);
  if (RemoteReadOnly.getNumOccurrences())
    RFlags.ReadOnly = bool(RemoteReadOnly);
  auto RemoteCfg = resolveRemote(RFlags, *Config);
  if (!RemoteCfg)
    return fail(toString(RemoteCfg.takeError()));
  std::optional<bool> SyncFlag;
  if (SyncEntries.getNumOccurrences())
    SyncFlag = bool(SyncEntries);
  auto Sync = resolveSyncEntries(SyncFlag, *Config);
  if (!Sync)
    return fail(toString(Sync.takeError()));
  auto FS = createFileSystem(resolveFaultInjection(FaultFlag).Value);
  if (!FS)
    return fail(toString(FS.takeError()));

  std::unique_ptr<LocalStore> Store;
  if (auto S = LocalStore::open(Dir.Value, **FS)) {
    Store = std::move(*S);
  } else {
    warn(
        "cache directory '" + Dir.Value + "' (from " + Dir.Source +
        ") is unusable, linking without the cache: " + toString(S.takeError()));
  }

  SmallString<256> ToolchainMemo;
  if (Store) {
    ToolchainMemo = Store->root();
    sys::path::append(ToolchainMemo, "toolchains");
  }
  // The compiler's identity is needed for keys, and by the in-process
  // backend to check that the remote compiler is its own clang. Without a
  // memo it takes running the compiler (~70 ms): that runs on a thread of
  // its own while phase 1 reads every job's inputs.
  struct Keying {
    std::optional<std::string> Identity;
    std::string IdentityError;
    std::optional<LinkKeyBasis> Basis;
    FileDigests ArgFiles;
  } Keyed;
  std::promise<void> KeyingDone;
  std::shared_future<void> KeyingReady = KeyingDone.get_future().share();
  auto Identity = [&]() -> Expected<std::string> {
    KeyingReady.wait();
    if (!Keyed.Identity)
      return createStringError(Keyed.IdentityError);
    return *Keyed.Identity;
  };
  std::unique_ptr<CompileBackend> Compiler =
      createSelectedBackend(*Choice, File->Common, Identity);
  bool WantBasis = bool(Store);
  std::thread KeyingThread([&] {
    // No memo: the first link with this compiler, so probably all misses;
    // start loading the backend's libraries now.
    auto Id = computeCompilerIdentity(File->Common.Args.front(), ToolchainMemo,
                                      [&] { Compiler->prepare(); });
    if (Id)
      Keyed.Identity = std::move(*Id);
    else
      Keyed.IdentityError = toString(Id.takeError());
    if (WantBasis) {
      Expected<LinkKeyBasis> B =
          Keyed.Identity ? LinkKeyBasis::compute(File->Common, *Keyed.Identity,
                                                 Keyed.ArgFiles)
                         : createStringError(Keyed.IdentityError);
      if (B)
        Keyed.Basis = std::move(*B);
      else
        warn("cannot key this link, compiling it uncached: " +
             toString(B.takeError()));
    }
    KeyingDone.set_value();
  });
  scope_exit JoinKeying([&] { KeyingThread.join(); });

  SchedulerOptions Options;
  Options.Workers = Workers;
  Options.KeyLogPath = KeyLog;
  if (RemoteCfg->Enabled) {
    // The HTTP module is loaded only if some job misses locally.
    Options.OpenRemote = [O = RemoteCfg->Options] {
      return createHttpRemoteStore(O);
    };
    Options.LookupBudget = RemoteCfg->LookupBudget;
    Options.UploadBudget = RemoteCfg->UploadBudget;
  }
  Options.DeterminismCheck = DeterminismCheck;
  Options.SyncEntries = Sync->Value == "true";
  if (DeterminismReportDir.getNumOccurrences()) {
    Options.ReportDir = DeterminismReportDir;
  } else {
    SmallString<256> P(Dir.Value);
    sys::path::append(P, "determinism-reports");
    Options.ReportDir = std::string(P);
  }
  // Memoised key inputs live in their own area of the same directory.
  std::unique_ptr<LocalStore> MemoStore;
  std::unique_ptr<KeyMemo> Memo;
  if (Store) {
    if (auto M = LocalStore::open(Dir.Value, **FS, "memo")) {
      MemoStore = std::move(*M);
      Memo = createStoreKeyMemo(*MemoStore);
    } else {
      consumeError(M.takeError());
    }
  }
  KeyBasisSource Basis = [&]() -> const LinkKeyBasis * {
    KeyingReady.wait();
    return Keyed.Basis ? &*Keyed.Basis : nullptr;
  };
  JobScheduler Scheduler(File->Common, File->Jobs, Store.get(), Memo.get(),
                         Basis, *Compiler, Options);
  auto Stats = Scheduler.run();
  if (!Stats)
    return fail(toString(Stats.takeError()));

  Stats->Backend = Compiler->name().str();
  if (!Quiet)
    errs() << Stats->summaryLine() << "\n";
  if (Stats->Mismatches)
    WithColor::warning(errs(), "ltocache")
        << "determinism check: " << Stats->Mismatches
        << " remote object(s) differ from the local compile; the local "
           "objects were used, both are kept in "
        << Options.ReportDir << "\n";
  KeyingReady.wait(); // No job may have asked (none could be keyed).
  if (Store && Keyed.Basis) {
    // After the link's work: pruning never delays a job.
    auto Pruned = pruneStore(Store->root(), *Policy, **FS, /*Force=*/false);
    if (!Pruned)
      warn("pruning failed: " + toString(Pruned.takeError()));
    recordLink(Store->root(), *Stats, Pruned ? *Pruned : PruneResult());
  }
  // A compile that lost to the remote may still be running in clang's
  // code on a worker thread: its result is dropped, so do not wait.
  if (Scheduler.abandonedCompilesRunning()) {
    outs().flush();
    errs().flush();
    sys::Process::Exit(0, /*NoCleanup=*/true);
  }
  return 0;
}
