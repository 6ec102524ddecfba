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
#include "Key/CompilerCommand.h"
#include "Key/ToolchainIdentity.h"
#include "Link/JobScheduler.h"
#include "Link/LinkRecords.h"
#include "Link/LinkTrace.h"
#include "Link/RemoteKeyInputs.h"
#include "Link/StatsLog.h"
#include "Remote/RemoteStore.h"
#include "Store/DigestTable.h"
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
  auto Started = LinkTrace::Clock::now(); // Time 0 of a --trace.
  auto LinkStartTime = std::chrono::system_clock::now();
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
  auto ReadStart = LinkTrace::Clock::now();
  auto File = readJobFile(JobFilePath);
  if (!File)
    return fail(toString(File.takeError()));
  auto ReadEnd = LinkTrace::Clock::now();
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

  // --trace: null (and every hook free) unless asked for.
  std::unique_ptr<LinkTrace> Trace;
  std::string TracePath;
  if (!Set.value(SettingId::Trace).empty()) {
    Trace = std::make_unique<LinkTrace>(Started);
    TracePath = LinkTrace::pathFor(Set.value(SettingId::Trace),
                                   File->Common.LinkerOutput);
    Trace->nameThread("ltocache-dtlto");
    Trace->span("read job file", "phase", ReadStart, ReadEnd);
    Trace->setMetadata("linker_output", File->Common.LinkerOutput);
    Trace->setMetadata("job_count", static_cast<int64_t>(File->Jobs.size()));
    Trace->setMetadata("version", LTOCACHE_VERSION);
  }
  auto WriteTrace = [&](const LinkStats *Stats) {
    if (!Trace)
      return;
    if (Stats)
      Trace->setCounters(*Stats);
    // A diagnostic: it never fails the link.
    if (Error E = Trace->write(TracePath))
      warn("cannot write the trace: " + toString(std::move(E)));
  };

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
  // What lld's command runs (launchers resolved through PATH): at once, a
  // few stats. Its identity is needed for keys, and by the in-process
  // backend to check that the remote compiler is its own clang, compiling
  // alike. Without a memo it takes running the compiler (~70 ms): that
  // runs on a thread of its own while phase 1 reads every job's inputs.
  Expected<CompilerCommand> Command =
      resolveCompilerCommand(File->Common.Args, Environment::current());
  std::string CommandError;
  if (!Command)
    CommandError = toString(Command.takeError());
  struct Keying {
    std::optional<ToolchainIdentity> Identity;
    std::string IdentityError;
    std::optional<LinkKeyBasis> Basis;
    FileDigests ArgFiles;
    bool IdentityFromRemote = false;
  } Keyed;
  std::promise<void> KeyingDone;
  std::shared_future<void> KeyingReady = KeyingDone.get_future().share();
  RemoteCompilerInfo Remote;
  Remote.Command = Command ? &*Command : nullptr;
  Remote.CommandError = CommandError;
  Remote.Identity = [&]() -> Expected<const ToolchainIdentity *> {
    KeyingReady.wait();
    if (!Keyed.Identity)
      return createStringError(Keyed.IdentityError);
    return &*Keyed.Identity;
  };
  Remote.IdentityKnown = [&] {
    return KeyingReady.wait_for(std::chrono::seconds(0)) ==
           std::future_status::ready;
  };
  std::unique_ptr<CompileBackend> Compiler =
      createSelectedBackend(Choice, std::move(Remote));
  // A cache without the memos a link needs (a CI runner, a new machine)
  // may take them from the remote: the compiler's identity instead of
  // running it, jobs' key inputs instead of parsing bitcode.
  std::unique_ptr<RemoteKeyInputs> SharedInputs;
  if (Store && RemoteCfg.Enabled)
    SharedInputs = std::make_unique<RemoteKeyInputs>(
        [&RemoteCfg] { return openRemote(RemoteCfg); }, RemoteCfg.LookupBudget,
        RemoteCfg.HeadStart);
  bool WantBasis = bool(Store);
  std::thread KeyingThread([&] {
    traceThread(Trace.get(), "link key");
    TraceSpan Span(Trace.get(), "link key basis", "key");
    // No memo: the first link with this toolchain, so probably all misses;
    // start loading the backend's libraries now.
    if (Command) {
      auto Id = computeToolchainIdentity(
          *Command, File->Common.Args, ToolchainMemo,
          [&] { Compiler->prepare(); }, SharedInputs.get(),
          &Keyed.IdentityFromRemote);
      if (Id)
        Keyed.Identity = std::move(*Id);
      else
        Keyed.IdentityError = toString(Id.takeError());
    } else {
      Keyed.IdentityError = CommandError;
    }
    if (WantBasis) {
      Expected<LinkKeyBasis> B =
          Keyed.Identity
              ? LinkKeyBasis::compute(File->Common, *Command, *Keyed.Identity,
                                      Keyed.ArgFiles)
              : createStringError(Keyed.IdentityError);
      if (B)
        Keyed.Basis = std::move(*B);
      else
        warn("cannot key this link, compiling it uncached: " +
             toString(B.takeError()));
    }
    Span.end();
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
  Options.VerifyHits = Set.fraction(SettingId::VerifyHits);
  Options.SyncEntries = Set.isOn(SettingId::SyncEntries);
  Options.ReportDir = Set.value(SettingId::DeterminismReportDir);
  Options.Trace = Trace.get();
  Options.Shared = SharedInputs.get();
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
  // Input digests remembered by file signature, per linker output: a warm
  // link reads no module.
  std::unique_ptr<DigestTable> Digests;
  if (Store) {
    SmallString<256> Cwd;
    if (!sys::fs::current_path(Cwd)) {
      Digests = DigestTable::load(
          Store->root(), absoluteOutput(File->Common.LinkerOutput), Cwd, *FS);
      Options.Digests = Digests.get();
      Options.LinkStart = LinkStartTime;
    }
  }
  KeyBasisSource Basis = [&]() -> const LinkKeyBasis * {
    KeyingReady.wait();
    return Keyed.Basis ? &*Keyed.Basis : nullptr;
  };
  JobScheduler Scheduler(File->Common, File->Jobs, Store.get(), Memo.get(),
                         Basis, *Compiler, Options);
  auto Stats = Scheduler.run();
  if (!Stats) {
    WriteTrace(nullptr);
    return fail(toString(Stats.takeError()));
  }

  Stats->Backend = Compiler->name().str();
  if (SharedInputs) {
    KeyingReady.wait(); // The identity's offer, if any, is made.
    TraceSpan Span(Trace.get(), "key inputs shared", "remote");
    RemoteKeyInputs::Outcome O = SharedInputs->finish(
        RemoteStore::Clock::now() + RemoteCfg.UploadBudget);
    Stats->KeyInputsFromRemote += Keyed.IdentityFromRemote;
    Stats->KeyInputUploads = O.Uploaded;
    Stats->KeyInputUploadFailures = O.UploadFailures;
  }
  if (!Set.isOn(SettingId::Quiet))
    errs() << Stats->summaryLine() << "\n";
  if (Stats->Mismatches)
    WithColor::warning(errs(), "ltocache")
        << "determinism check: " << Stats->Mismatches
        << " remote object(s) differ from the local compile; the local "
           "objects were used, both are kept in "
        << Options.ReportDir << "\n";
  if (Stats->VerifyMismatches)
    WithColor::warning(errs(), "ltocache")
        << "verify-hits: " << Stats->VerifyMismatches << " of "
        << Stats->Verified
        << " cached object(s) differ from a fresh compile; the fresh objects "
           "were used and stored, both are kept in "
        << Options.ReportDir << "\n";
  KeyingReady.wait(); // No job may have asked (none could be keyed).
  if (Store && Keyed.Basis) {
    TraceSpan Span(Trace.get(), "prune and record", "phase");
    // After the link's work: pruning never delays a job.
    auto Pruned = pruneStore(Store->root(), Policy, *FS, /*Force=*/false);
    if (!Pruned)
      warn("pruning failed: " + toString(Pruned.takeError()));
    recordLink(Store->root(), *Stats, Pruned ? *Pruned : PruneResult());
    if (Digests)
      consumeError(Digests->save()); // Best effort: inputs are hashed again.
    // For `ltocache explain`: one small file. A store that already failed
    // to take this link's objects has been warned about.
    if (unsigned Keep = Set.count(SettingId::LinkRecords))
      if (Error E = writeLinkRecord(
              Store->root(),
              Scheduler.record(absoluteOutput(File->Common.LinkerOutput),
                               *Keyed.Basis),
              Keep, *FS)) {
        if (Stats->Bypasses)
          consumeError(std::move(E));
        else
          warn("cannot keep this link's record for `ltocache explain`: " +
               toString(std::move(E)));
      }
  }
  WriteTrace(&*Stats);
  // A compile that lost to the remote may still be running in clang's
  // code on a worker thread: its result is dropped, so do not wait.
  if (Scheduler.abandonedCompilesRunning()) {
    outs().flush();
    errs().flush();
    sys::Process::Exit(0, /*NoCleanup=*/true);
  }
  return 0;
}
