//===- CompileServerClient.cpp - The in-process backend's server ----------===//

#include "Compile/CompileServerClient.h"
#include "Compile/CompileServerProtocol.h"
#include "Support/BundledModule.h"
#include "Support/Warning.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <future>
#include <map>
#include <mutex>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace llvm;

namespace ltocache {

std::string compileServerPath() {
  return bundledProgramPath("ltocache-compile");
}

namespace {

static Error errnoError(const Twine &What) {
  return createStringError(std::error_code(errno, std::generic_category()),
                           What + ": " + strerror(errno));
}

/// What became of one request.
struct Reply {
  bool Lost = false;      ///< The server died first.
  bool Cancelled = false; ///< The caller stopped waiting.
  ResultStatus Status = ResultStatus::Failed;
  uint64_t Micros = 0; ///< The compile's own time, by the server's clock.
  std::string Data;
};

class CompileServerBackend : public CompileBackend {
public:
  CompileServerBackend(pid_t Pid, int Socket, std::vector<std::string> Argv,
                       std::unique_ptr<CompileBackend> Fallback)
      : Pid(Pid), Socket(Socket), CompilerArgv(std::move(Argv)),
        Fallback(std::move(Fallback)) {}

  /// Must be called once, after the greeting was read.
  void startReading() {
    Reader = std::thread([this] { readReplies(); });
  }

  /// Every compile has returned: end of input tells the server to exit.
  ~CompileServerBackend() override {
    ::shutdown(Socket, SHUT_WR);
    if (Reader.joinable())
      Reader.join();
    else
      reap();
    ::close(Socket);
  }

  /// Its threads take requests from a queue; once it is dead, compiles run
  /// as processes, each needing a core of its own.
  bool queuesCompiles() override {
    std::lock_guard<std::mutex> G(Lock);
    return !Dead;
  }

  /// The job runs with its own arguments (so derived names, such as a
  /// split-DWARF file, stay what the remote compiler would make); the
  /// object comes back in memory and clang never writes it.
  Expected<CompiledObject> compile(const CommonJobArgs &Common,
                                   const BackendJob &Job,
                                   const CompileRequest &Request) override {
    std::string Payload;
    appendU32(Payload, CompilerArgv.size() + Job.Args.size());
    for (const std::string &A : CompilerArgv)
      appendString(Payload, A);
    for (const std::string &A : Job.Args)
      appendString(Payload, A);
    appendString(Payload, Job.Output);

    std::future<Reply> Answer;
    uint64_t Id = 0;
    {
      std::lock_guard<std::mutex> G(Lock);
      if (!Dead) {
        Id = NextId++;
        Answer = Pending[Id].Promise.get_future();
        if (Error E = writeFrame(Socket, FrameKind::Compile, Id, {Payload})) {
          // It no longer reads: unusable, even if still running. Stopping
          // it ends its replies too, so the reader finishes, and says why
          // (a server that crashed also fails this write).
          WriteFailure =
              "stopped reading requests (" + toString(std::move(E)) + ")";
          Dead = true;
          ::kill(Pid, SIGKILL);
          Pending.erase(Id);
          Answer = std::future<Reply>();
        }
      }
    }
    if (!Answer.valid())
      return runElsewhere(Common, Job, Request, "");
    // A cancel answers at once: the caller goes on while the server drops
    // the job (or lets it finish at a low priority, unwanted).
    if (Request.Cancel)
      Request.Cancel->onCancel([this, Id] { cancelRequest(Id); });
    Reply R = Answer.get();
    if (Request.Cancel)
      Request.Cancel->clearOnCancel();
    if (R.Cancelled)
      return createStringError(std::errc::operation_canceled,
                               "compile of '%s' cancelled", Job.Module.c_str());
    if (R.Lost)
      return runElsewhere(Common, Job, Request, "");
    if (R.Status == ResultStatus::Refused)
      return runElsewhere(Common, Job, Request, R.Data);
    if (R.Status == ResultStatus::Failed)
      return createStringError("%s", R.Data.c_str());
    if (R.Data.empty())
      return createStringError("in-process compile of '%s' produced no object",
                               Job.Module.c_str());
    CompiledObject O;
    O.InMemory = MemoryBuffer::getMemBufferCopy(R.Data, Job.Output);
    O.CompileMicros = std::max<uint64_t>(R.Micros, 1);
    return O;
  }

  StringRef name() const override { return "in-process"; }

private:
  void cancelRequest(uint64_t Id) {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Pending.find(Id);
    if (It == Pending.end() || It->second.Answered)
      return; // Its result came first.
    It->second.Promise.set_value(
        Reply{false, true, ResultStatus::Failed, 0, ""});
    It->second.Answered = true;
    if (!Dead)
      if (Error E = writeFrame(Socket, FrameKind::Cancel, Id, {}))
        consumeError(std::move(E)); // The reader finds out why.
  }

  Expected<CompiledObject> runElsewhere(const CommonJobArgs &Common,
                                        const BackendJob &Job,
                                        const CompileRequest &Request,
                                        StringRef Refusal) {
    if (!Refusal.empty()) {
      warnLine(Refusal + "; compiling '" + Job.Module + "' as a process");
    } else {
      std::call_once(DeathReported, [&] {
        ReasonKnown.wait();
        std::lock_guard<std::mutex> G(Lock);
        warnLine("the compile server " + DeathReason +
                 "; compiling the remaining misses as processes");
      });
    }
    // Timed here: the request may have waited in the server's queue.
    auto Start = std::chrono::steady_clock::now();
    Expected<CompiledObject> R = Fallback->compile(Common, Job, Request);
    if (R && !R->CompileMicros)
      R->CompileMicros = std::max<uint64_t>(microsSince(Start), 1);
    return R;
  }

  void readReplies() {
    std::string Why;
    for (;;) {
      Expected<std::optional<Frame>> F = readFrame(Socket);
      if (!F) {
        std::error_code EC;
        std::string Message;
        handleAllErrors(F.takeError(), [&](const ErrorInfoBase &EI) {
          EC = EI.convertToErrorCode();
          Message = EI.message();
        });
        // A reset is how a server that died with requests unread closes
        // its end: its exit says more.
        if (EC != std::errc::connection_reset)
          Why = "could not be read (" + Message + ")";
        break;
      }
      if (!*F)
        break; // It closed its output: it has exited or is exiting.
      if ((*F)->Kind != FrameKind::Result) {
        Why = "sent an unexpected frame";
        break;
      }
      StringRef In = (*F)->Payload, Data;
      uint32_t Status;
      uint64_t Micros;
      if (!takeU32(In, Status) || !takeU64(In, Micros) ||
          !takeString(In, Data) || !In.empty() ||
          Status > uint32_t(ResultStatus::Cancelled)) {
        Why = "sent a malformed result";
        break;
      }
      std::lock_guard<std::mutex> G(Lock);
      auto It = Pending.find((*F)->Id);
      if (It == Pending.end()) {
        Why = "answered a request it was not sent";
        break;
      }
      if (!It->second.Answered)
        It->second.Promise.set_value(
            Reply{false, false, ResultStatus(Status), Micros, Data.str()});
      Pending.erase(It);
    }
    // Whatever ended the stream, this server is done for the link.
    if (!Why.empty())
      ::kill(Pid, SIGKILL);
    int Status = reap();
    {
      std::lock_guard<std::mutex> G(Lock);
      Dead = true;
      // A failed write killed it; if it had died first (a crash also fails
      // writes), its own exit is the better reason.
      if (!Why.empty())
        DeathReason = Why;
      else if (!WriteFailure.empty() && WIFSIGNALED(Status) &&
               WTERMSIG(Status) == SIGKILL)
        DeathReason = WriteFailure;
      else
        DeathReason = describeExit(Status);
      for (auto &P : Pending)
        if (!P.second.Answered)
          P.second.Promise.set_value(
              Reply{true, false, ResultStatus::Failed, 0, ""});
      Pending.clear();
    }
    ReaderDone.set_value();
  }

  /// Waits for the server's exit; its wait status.
  int reap() {
    int Status = 0;
    while (::waitpid(Pid, &Status, 0) < 0 && errno == EINTR)
      ;
    return Status;
  }

  static std::string describeExit(int Status) {
    if (WIFSIGNALED(Status))
      return "was killed by signal " + std::to_string(WTERMSIG(Status));
    return "exited with code " + std::to_string(WEXITSTATUS(Status));
  }

  pid_t Pid;
  int Socket; ///< The server's stdin and stdout.
  /// The compiler's argv[0] and common arguments, past its launchers.
  std::vector<std::string> CompilerArgv;
  std::unique_ptr<CompileBackend> Fallback;
  std::thread Reader;
  std::mutex Lock; ///< Guards everything below, and writes to the server.
  uint64_t NextId = 1;
  /// Requests sent and not yet answered by the server; a cancelled one
  /// was answered to its caller already.
  struct PendingRequest {
    std::promise<Reply> Promise;
    bool Answered = false;
  };
  std::map<uint64_t, PendingRequest> Pending;
  bool Dead = false;
  std::string WriteFailure; ///< Why a request could not be sent.
  std::string DeathReason;  ///< Set by the reader, once the server is reaped.
  std::promise<void> ReaderDone;
  std::shared_future<void> ReasonKnown = ReaderDone.get_future().share();
  std::once_flag DeathReported;
};

} // namespace

Expected<StartedCompileServer>
startCompileServer(StringRef Path, unsigned Threads,
                   const ServerCompiler &Compiler,
                   std::unique_ptr<CompileBackend> Fallback) {
  // Close-on-exec, so that no other child (a subprocess compile started
  // meanwhile) holds the server's end open: end of input must reach it.
  int Ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, Ends) != 0)
    return errnoError("cannot start the compile server");
  posix_spawn_file_actions_t Actions;
  posix_spawn_file_actions_init(&Actions);
  posix_spawn_file_actions_adddup2(&Actions, Ends[1], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&Actions, Ends[1], STDOUT_FILENO);
  std::string Exe = Path.str();
  std::string ThreadsArg = "--threads=" + std::to_string(Threads);
  std::string ClangArg = "--clang=" + Compiler.Executable;
  char *Argv[] = {Exe.data(), ThreadsArg.data(), ClangArg.data(), nullptr};
  // The compiler's environment: what its driver reads (configuration,
  // CCC_OVERRIDE_OPTIONS) is the server's to read.
  std::vector<char *> Envp;
  for (const std::string &E : Compiler.Environment)
    Envp.push_back(const_cast<char *>(E.c_str()));
  Envp.push_back(nullptr);
  pid_t Pid;
  int Err =
      ::posix_spawn(&Pid, Exe.c_str(), &Actions, nullptr, Argv, Envp.data());
  posix_spawn_file_actions_destroy(&Actions);
  ::close(Ends[1]);
  if (Err != 0) {
    ::close(Ends[0]);
    return createStringError(std::error_code(Err, std::generic_category()),
                             "cannot run %s: %s", Exe.c_str(), strerror(Err));
  }
  // From here the backend owns the process and the socket.
  auto Backend = std::make_unique<CompileServerBackend>(
      Pid, Ends[0], Compiler.Argv, std::move(Fallback));
  Expected<std::optional<Frame>> Hello = readFrame(Ends[0]);
  StringRef Payload, Version;
  uint32_t Protocol = 0;
  if (Hello && *Hello && (*Hello)->Kind == FrameKind::Hello) {
    Payload = (*Hello)->Payload;
    if (!takeU32(Payload, Protocol) || !takeString(Payload, Version))
      Protocol = 0;
  }
  if (!Hello || !*Hello || Protocol != CompileServerProtocolVersion) {
    if (!Hello)
      consumeError(Hello.takeError());
    ::kill(Pid, SIGKILL);
    return createStringError("%s did not greet with protocol version %u",
                             Exe.c_str(), CompileServerProtocolVersion);
  }
  StartedCompileServer S;
  S.ClangVersion = Version.str();
  Backend->startReading();
  S.Backend = std::move(Backend);
  return S;
}

} // namespace ltocache
