//===- BackendSelector.cpp - Chooses how misses are compiled --------------===//

#include "Compile/BackendSelector.h"
#include "Compile/CompileServerClient.h"
#include "Compile/DistributorBackend.h"
#include "Compile/InProcessEquivalence.h"
#include "Support/Warning.h"

#include "llvm/ADT/StringSwitch.h"

#include <atomic>
#include <mutex>
#include <thread>

using namespace llvm;

namespace ltocache {

Expected<BackendChoice> parseBackendChoice(StringRef Name) {
  BackendChoice C;
  if (Name.consume_front("distributor:")) {
    if (Name.empty())
      return createStringError("--backend=distributor: needs a program");
    C.Mode = BackendMode::Distributor;
    C.Distributor = Name.str();
    return C;
  }
  std::optional<BackendMode> M = StringSwitch<std::optional<BackendMode>>(Name)
                                     .Case("auto", BackendMode::Auto)
                                     .Case("in-process", BackendMode::InProcess)
                                     .Case("process", BackendMode::Process)
                                     .Default(std::nullopt);
  if (!M)
    return createStringError("unknown --backend '%s' (expected auto, "
                             "in-process, process or distributor:<program>)",
                             Name.str().c_str());
  C.Mode = *M;
  return C;
}

namespace {

class SelectedBackend : public CompileBackend {
public:
  SelectedBackend(const BackendChoice &Choice, RemoteCompilerInfo Remote)
      : Mode(Choice.Mode), Workers(Choice.Workers),
        Server(Choice.CompileServer), Remote(std::move(Remote)) {}

  ~SelectedBackend() override {
    if (Preloader.joinable())
      Preloader.join();
  }

  // Batching is only for another distributor, chosen up front.
  bool batches() const override { return false; }

  /// Starting the compile server takes ~20 ms: start on the first miss, in
  /// the background, while the other jobs are still being looked up.
  void prepare() override {
    std::call_once(PreloadStarted, [this] {
      Preloader =
          std::thread([this] { std::call_once(Once, [this] { choose(); }); });
    });
  }

  /// The server starts compiling before the remote compiler's identity is
  /// known (without a memo of it, probing the compiler takes ~80 ms); a
  /// result counts only once that compiler has been found to be the
  /// server's clang, compiling alike, else the job is compiled as a
  /// process.
  Expected<CompiledObject> compile(const CommonJobArgs &C,
                                   const BackendJob &Job,
                                   const CompileRequest &Request) override {
    std::call_once(Once, [this] { choose(); });
    if (!Chosen)
      return createStringError("%s", Refusal.c_str());
    if (!InProcess)
      return Chosen->compile(C, Job, Request);
    // Known already (remembered, or probed while phase 1 ran): no compile
    // is sent that would not count.
    if (Remote.IdentityKnown && Remote.IdentityKnown())
      std::call_once(VersionChecked, [this] { checkVersion(); });
    if (VersionKnown.load(std::memory_order_acquire) &&
        !VersionObstacle.empty())
      return notThisClang(C, Job, Request);
    Expected<CompiledObject> R = Chosen->compile(C, Job, Request);
    std::call_once(VersionChecked, [this] { checkVersion(); });
    if (VersionObstacle.empty())
      return R;
    if (!R)
      consumeError(R.takeError());
    return notThisClang(C, Job, Request);
  }

  bool queuesCompiles() override {
    std::call_once(Once, [this] { choose(); });
    if (!Chosen || !InProcess)
      return false;
    if (VersionKnown.load(std::memory_order_acquire) &&
        !VersionObstacle.empty())
      return false;
    return Chosen->queuesCompiles();
  }

  /// "none" until a backend has been chosen: a background preload may
  /// still be choosing when no compile ever asked for one.
  StringRef name() const override {
    if (!Decided.load(std::memory_order_acquire) || !Chosen)
      return "none";
    if (InProcess && VersionKnown.load(std::memory_order_acquire) &&
        !VersionObstacle.empty())
      return Fallback->name();
    return Chosen->name();
  }

private:
  void choose() {
    chooseBackend();
    Decided.store(true, std::memory_order_release);
  }

  void chooseBackend() {
    Fallback = createSubprocessBackend();
    if (Mode == BackendMode::Process) {
      Chosen = createSubprocessBackend();
      return;
    }
    const CompilerCommand *Command = Remote.Command;
    CommandObstacle Why = Command ? inProcessCommandObstacle(*Command)
                                  : CommandObstacle{Remote.CommandError, false};
    std::string Obstacle = Why.Reason;
    if (Obstacle.empty()) {
      ServerCompiler As;
      As.Executable = Command->Compiler.Path;
      As.Argv.push_back(Command->Compiler.Word);
      As.Argv.insert(As.Argv.end(), Command->Args.begin(), Command->Args.end());
      As.Environment = Command->Env.entries();
      // Found only now: a warm link never looks for it.
      auto Started =
          startCompileServer(Server.empty() ? compileServerPath() : Server,
                             Workers, As, createSubprocessBackend());
      if (Started) {
        Chosen = std::move(Started->Backend);
        ServerVersion = std::move(Started->ClangVersion);
        InProcess = true;
        return;
      }
      Obstacle = toString(Started.takeError());
      // A broken installation, not a choice: say why misses are slow.
      if (Mode == BackendMode::Auto)
        warnLine("cannot use the compile server: " + Obstacle +
                 "; compiling misses as processes");
    }
    if (Mode == BackendMode::InProcess) {
      Refusal = "--backend=in-process is not possible: " + Obstacle;
      return;
    }
    // What lld's command runs would not be compiled alike in-process.
    if (Mode == BackendMode::Auto && Why.Warn)
      warnLine(Obstacle + "; compiling misses as processes");
    Chosen = createSubprocessBackend();
  }

  void checkVersion() {
    auto Id = Remote.Identity();
    std::string Hint;
    if (!Id) {
      VersionObstacle = toString(Id.takeError());
    } else {
      VersionObstacle = inProcessVersionObstacle(**Id, ServerVersion);
      // Typically clang was upgraded after ltocache was built.
      if (!VersionObstacle.empty())
        Hint = " (rebuild ltocache against this clang to compile them "
               "in-process)";
      else
        VersionObstacle = inProcessToolchainObstacle(**Id, *Remote.Command);
    }
    if (!VersionObstacle.empty() && Mode == BackendMode::Auto)
      warnLine(VersionObstacle + "; compiling misses as processes" + Hint);
    VersionKnown.store(true, std::memory_order_release);
  }

  Expected<CompiledObject> notThisClang(const CommonJobArgs &C,
                                        const BackendJob &Job,
                                        const CompileRequest &Request) {
    if (Mode == BackendMode::InProcess)
      return createStringError("--backend=in-process is not possible: %s",
                               VersionObstacle.c_str());
    return Fallback->compile(C, Job, Request);
  }

  BackendMode Mode;
  unsigned Workers;
  std::string Server;
  RemoteCompilerInfo Remote;
  std::once_flag Once, PreloadStarted, VersionChecked;
  std::thread Preloader;
  std::unique_ptr<CompileBackend> Chosen, Fallback;
  std::atomic<bool> Decided{false}; ///< Chosen, Refusal, InProcess are final.
  std::string Refusal;
  bool InProcess = false;                ///< Chosen is the compile server.
  std::string ServerVersion;             ///< Its clang's full version.
  std::atomic<bool> VersionKnown{false}; ///< VersionObstacle is final.
  std::string VersionObstacle; ///< Why the remote compiler is another clang.
};

} // namespace

std::unique_ptr<CompileBackend>
createSelectedBackend(const BackendChoice &Choice, RemoteCompilerInfo Remote) {
  if (Choice.Mode == BackendMode::Distributor)
    return createDistributorBackend(Choice.Distributor, Choice.DistributorArgs,
                                    Choice.WorkDir);
  return std::make_unique<SelectedBackend>(Choice, std::move(Remote));
}

} // namespace ltocache
