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
#include "Config/SettingFlags.h"
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
// Every other option is a row of the settings table (lib/Config/Settings.h).
static SettingFlags Flags(SettingFlags::topLevel(UsedByDistributor), &Category);

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

  // Validate everything before touching the cache.
  auto File = readJobFile(JobFilePath);
  if (!File)
    return fail(toString(File.takeError()));
  // A broken configuration file or setting is an error, reported once,
  // before anything is touched.
  auto Config = readConfigFile();
  if (!Config)
    return fail(toString(Config.takeError()));
  Settings Set = Settings::resolve(Flags.given(), *Config);
  if (Error E = Set.checkAll())
    return fail(toString(std::move(E)));
  // Before anything is created: a cache shared by a group needs its files
  // group-writable.
  applyUmask(Set);

  BackendChoice Choice =
      cantFail(parseBackendChoice(Set.value(SettingId::Backend)));
  Choice.DistributorArgs = Set.list(SettingId::BackendArgs);
  Choice.Workers = Set.count(SettingId::Jobs);
  Choice.CompileServer =
      Set.value(SettingId::CompileServer); // Empty: the one beside us.
  Choice.WorkDir = sys::path::parent_path(JobFilePath).str();
  if (Choice.WorkDir.empty())
    Choice.WorkDir = ".";
  Setting Dir = Set.get(SettingId::CacheDir);
  auto Policy = cantFail(parsePolicy(Set.value(SettingId::CachePolicy)));
  auto RemoteCfgOr = remoteConfig(Set); // Reads the key files, if any.
  if (!RemoteCfgOr)
    return fail(toString(RemoteCfgOr.takeError()));
  RemoteConfig &RemoteCfg = *RemoteCfgOr;
  auto FS = cantFail(createFileSystem(Set.value(SettingId::FaultInject)));

  std::unique_ptr<LocalStore> Store;
  if (auto S = LocalStore::open(Dir.Value, *FS)) {
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
      createSelectedBackend(Choice, File->Common, Identity);
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
  Options.Workers = Choice.Workers;
  Options.KeyLogPath = Set.value(SettingId::KeyLog);
  if (RemoteCfg.Enabled) {
    // The HTTP module is loaded only if some job misses locally.
    Options.OpenRemote = [&RemoteCfg] { return openRemote(RemoteCfg); };
    Options.LookupBudget = RemoteCfg.LookupBudget;
    Options.UploadBudget = RemoteCfg.UploadBudget;
  }
  Options.DeterminismCheck = Set.isOn(SettingId::DeterminismCheck);
  Options.SyncEntries = Set.isOn(SettingId::SyncEntries);
  Options.ReportDir = Set.value(SettingId::DeterminismReportDir);
  // Memoised key inputs live in their own area of the same directory.
  std::unique_ptr<LocalStore> MemoStore;
  std::unique_ptr<KeyMemo> Memo;
  if (Store) {
    if (auto M = LocalStore::open(Dir.Value, *FS, "memo")) {
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
  if (!Set.isOn(SettingId::Quiet))
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
    auto Pruned = pruneStore(Store->root(), Policy, *FS, /*Force=*/false);
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
