//===- BackendSelector.cpp - Chooses how misses are compiled --------------===//

#include "ltocache/BackendSelector.h"
#include "ltocache/DistributorBackend.h"
#include "ltocache/CompileServerClient.h"

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
  SelectedBackend(const BackendChoice &Choice, const CommonJobArgs &Common,
                  std::function<Expected<std::string>()> Identity)
      : Mode(Choice.Mode), Workers(Choice.Workers),
        Server(Choice.CompileServer), Common(Common),
        Identity(std::move(Identity)) {}

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

  Expected<CompiledObject> compile(const CommonJobArgs &C,
                                   const BackendJob &Job,
                                   const CompileRequest &Request) override {
    std::call_once(Once, [this] { choose(); });
    if (!Chosen)
      return createStringError("%s", Refusal.c_str());
    return Chosen->compile(C, Job, Request);
  }

  /// "none" until a backend has been chosen: a background preload may
  /// still be choosing when no compile ever asked for one.
  StringRef name() const override {
    if (!Decided.load(std::memory_order_acquire) || !Chosen)
      return "none";
    return Chosen->name();
  }

private:
  void choose() {
    chooseBackend();
    Decided.store(true, std::memory_order_release);
  }

  void chooseBackend() {
    if (Mode == BackendMode::Process) {
      Chosen = createSubprocessBackend();
      return;
    }
    std::string Obstacle;
    auto Started = startCompileServer(Server, Workers,
                                      createSubprocessBackend());
    if (!Started) {
      Obstacle = toString(Started.takeError());
    } else if (auto Id = Identity(); !Id) {
      Obstacle = toString(Id.takeError());
    } else {
      Obstacle = inProcessObstacle(Common, *Id, Started->ClangVersion);
    }
    if (Obstacle.empty()) {
      Chosen = std::move(Started->Backend);
      return;
    }
    if (Mode == BackendMode::InProcess) {
      Refusal = "--backend=in-process is not possible: " + Obstacle;
      return;
    }
    Chosen = createSubprocessBackend();
  }

  BackendMode Mode;
  unsigned Workers;
  std::string Server;
  const CommonJobArgs &Common;
  std::function<Expected<std::string>()> Identity;
  std::once_flag Once, PreloadStarted;
  std::thread Preloader;
  std::unique_ptr<CompileBackend> Chosen;
  std::atomic<bool> Decided{false}; ///< Chosen and Refusal are final.
  std::string Refusal;
};

} // namespace

std::unique_ptr<CompileBackend>
createSelectedBackend(const BackendChoice &Choice, const CommonJobArgs &Common,
                      std::function<Expected<std::string>()> Identity) {
  if (Choice.Mode == BackendMode::Distributor)
    return createDistributorBackend(Choice.Distributor, Choice.DistributorArgs,
                                    Choice.WorkDir);
  return std::make_unique<SelectedBackend>(Choice, Common, std::move(Identity));
}

} // namespace ltocache
