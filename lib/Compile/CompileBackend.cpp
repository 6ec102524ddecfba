//===- CompileBackend.cpp - Cancellation and the subprocess backend -------===//

#include "Compile/CompileBackend.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Program.h"

#include <cerrno>
#include <signal.h>
#include <sys/wait.h>

using namespace llvm;

namespace ltocache {

// The hook runs under the lock, so once clearOnCancel() has returned it
// cannot be running: a subprocess is never signalled after it was reaped.
void CancelToken::cancel() {
  std::lock_guard<std::mutex> G(Lock);
  if (Cancelled)
    return;
  Cancelled = true;
  if (Stop)
    Stop();
  Stop = nullptr;
}

bool CancelToken::cancelled() const {
  std::lock_guard<std::mutex> G(Lock);
  return Cancelled;
}

void CancelToken::onCancel(std::function<void()> F) {
  std::lock_guard<std::mutex> G(Lock);
  if (Cancelled)
    F();
  else
    Stop = std::move(F);
}

bool CancelToken::startUnlessCancelled(
    function_ref<std::function<void()>()> Start) {
  std::lock_guard<std::mutex> G(Lock);
  if (Cancelled)
    return false;
  Stop = Start();
  return true;
}

void CancelToken::clearOnCancel() {
  std::lock_guard<std::mutex> G(Lock);
  Stop = nullptr;
}

CompileBackend::~CompileBackend() = default;

Error CompileBackend::compileBatch(const CommonJobArgs &Common,
                                   ArrayRef<const BackendJob *> Jobs,
                                   ArrayRef<CompileRequest> Requests,
                                   CancelToken *Cancel) {
  for (size_t I = 0; I < Jobs.size(); ++I) {
    if (Cancel && Cancel->cancelled())
      return Error::success();
    if (Error E = compile(Common, *Jobs[I], Requests[I]).takeError())
      return E;
  }
  return Error::success();
}

std::vector<std::string> argsWithOutput(const BackendJob &Job,
                                        StringRef OutputPath) {
  std::vector<std::string> Args = Job.Args;
  for (size_t I = 0; I + 1 < Args.size(); ++I)
    if (Args[I] == "-o") {
      Args[I + 1] = OutputPath.str();
      break;
    }
  return Args;
}

Expected<std::string> runProcess(StringRef Program, ArrayRef<StringRef> Argv,
                                 CancelToken *Cancel) {
  std::string ErrMsg;
  bool Failed = false;
  sys::ProcessInfo PI;
  auto Spawn = [&] {
    PI = sys::ExecuteNoWait(Program, Argv, std::nullopt, {}, 0, &ErrMsg,
                            &Failed);
  };
  if (!Cancel) {
    Spawn();
  } else {
    // Started and given its stop hook in one step with respect to cancel():
    // a cancel either comes first (nothing starts) or stops the process
    // before it returns, so no process outlives a cancel, not even when the
    // caller exits right after it. SIGTERM, not SIGKILL: clang's handler
    // removes its temporary files.
    bool Started = Cancel->startUnlessCancelled([&]() -> std::function<void()> {
      Spawn();
      if (Failed)
        return nullptr;
      return [Pid = PI.Pid] { ::kill(Pid, SIGTERM); };
    });
    if (!Started)
      return std::string("cancelled before it started");
  }
  if (Failed)
    return createStringError("cannot run '%s': %s", Program.str().c_str(),
                             ErrMsg.c_str());
  if (Cancel) {
    // Wait for the exit without reaping, so the pid stays ours until the
    // hook is gone.
    siginfo_t Info;
    while (::waitid(P_PID, PI.Pid, &Info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR)
      ;
    Cancel->clearOnCancel();
  }
  sys::ProcessInfo Done = sys::Wait(PI, std::nullopt, &ErrMsg);
  if (Done.ReturnCode == 0)
    return "";
  if (!ErrMsg.empty())
    return ErrMsg;
  return ("exit code " + Twine(Done.ReturnCode)).str();
}

namespace {

class SubprocessBackend : public CompileBackend {
public:
  Expected<CompiledObject> compile(const CommonJobArgs &Common,
                                   const BackendJob &Job,
                                   const CompileRequest &Request) override {
    std::vector<std::string> JobArgs = argsWithOutput(Job, Request.OutputPath);
    std::vector<StringRef> Argv;
    for (const std::string &A : Common.Args)
      Argv.push_back(A);
    for (const std::string &A : JobArgs)
      Argv.push_back(A);
    std::string Exe = Common.Args.front();
    if (!StringRef(Exe).contains('/')) {
      auto Found = sys::findProgramByName(Exe);
      if (!Found)
        return createStringError("remote compiler '%s' not found on PATH",
                                 Exe.c_str());
      Exe = *Found;
    }
    auto RC = runProcess(Exe, Argv, Request.Cancel);
    if (!RC)
      return RC.takeError();
    if (Request.Cancel && Request.Cancel->cancelled())
      return createStringError("cancelled");
    if (!RC->empty())
      return createStringError("backend compile of '%s' failed (%s): %s",
                               Job.Module.c_str(), RC->c_str(),
                               join(Argv, " ").c_str());
    return CompiledObject();
  }
  StringRef name() const override { return "process"; }
};

} // namespace

std::unique_ptr<CompileBackend> createSubprocessBackend() {
  return std::make_unique<SubprocessBackend>();
}

} // namespace ltocache
