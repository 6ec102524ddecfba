//===- ltocache-compile.cpp - The link's compile server -------------------===//
//
// ltocache-dtlto starts one of these per link when it has misses and sends
// it the jobs over stdin; results go back over stdout
// (CompileServerProtocol.h). It is clang's code linked statically into a
// position-dependent executable: ready ~20 ms after exec, where loading
// libclang-cpp and libLLVM into the distributor took 60-95 ms (dynamic
// relocation, page faults), and a crash in clang takes down this process,
// not the link.
//
//===----------------------------------------------------------------------===//

#include "Compile/CompileServerGate.h"
#include "Compile/CompileServerProtocol.h"
#include "InProcessCompiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <malloc.h>
#include <mutex>
#include <set>
#include <signal.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
using namespace ltocache;

static cl::OptionCategory Category("ltocache-compile options");
static cl::opt<unsigned>
    Threads("threads",
            cl::desc("Compiles run at once (0: one per hardware thread)"),
            cl::init(0), cl::cat(Category));
static cl::opt<std::string> ClangExecutable(
    "clang",
    cl::desc("The remote compiler's executable, which the driver starts "
             "from (default: each job's argv[0], found on PATH)"),
    cl::cat(Category));

[[noreturn]] static void die(const Twine &Message) {
  WithColor::error(errs(), "ltocache-compile") << Message << "\n";
  errs().flush();
  _exit(1);
}

/// LTOCACHE_TEST_HOLD_COMPILES=<file>, for tests of cancellation: a job
/// logs its start to <file> and then only ends when cancelled (a watchdog
/// kills the server after 2 minutes), so a link ends well only if every
/// compile it started was cancelled.
static void holdUntilCancelled(const std::string &Log,
                               CompileServerGate::Ticket &T) {
  {
    std::error_code EC;
    raw_fd_ostream OS(Log, EC, sys::fs::OF_Append);
    OS << "held\n";
  }
  if (!T.waitForCancel(std::chrono::minutes(2)))
    die("held compile was never cancelled");
}

int main(int argc, char **argv) {
  // As in the distributor: no giving memory back between compiles, no
  // mmap for the few-MiB buffers of one job.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  cl::HideUnrelatedOptions(Category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "ltocache compile server: runs ThinLTO backend jobs with clang's own "
      "code\n\n  Started by ltocache-dtlto, one per link; it speaks a "
      "binary protocol on stdin/stdout.\n");
  // The distributor gone means nobody wants the results.
  signal(SIGPIPE, SIG_IGN);

  std::string Hello;
  appendU32(Hello, CompileServerProtocolVersion);
  appendString(Hello, InProcessCompiler::clangVersion());
  if (Error E = writeFrame(STDOUT_FILENO, FrameKind::Hello, 0, {Hello}))
    die("cannot greet the distributor: " + toString(std::move(E)));

  InProcessCompiler Compiler(ClangExecutable);
  const char *Hold = ::getenv("LTOCACHE_TEST_HOLD_COMPILES");
  std::string HoldLog = Hold ? Hold : "";
  std::mutex WriteLock;
  auto Answer = [&](uint64_t Id, ResultStatus RS, uint64_t Micros,
                    StringRef Body) {
    std::string Head;
    appendU32(Head, uint32_t(RS));
    appendU64(Head, Micros);
    Head += stringHeader(Body.size());
    std::lock_guard<std::mutex> G(WriteLock);
    if (Error E =
            writeFrame(STDOUT_FILENO, FrameKind::Result, Id, {Head, Body})) {
      consumeError(std::move(E));
      _exit(1); // The distributor is gone.
    }
  };

  // Requests wait here for a worker. Workers live as long as the server
  // (a new thread per compile made every compile start with a cold thread:
  // ~20% slower links of many small modules), except one whose compile
  // was abandoned: it runs on at the lowest priority, which an
  // unprivileged process cannot undo, so it ends with that compile and a
  // new worker takes its place at once.
  struct Queued {
    std::shared_ptr<Frame> Request;
    std::shared_ptr<CompileServerGate::Ticket> Ticket;
  };
  std::mutex QueueLock;
  std::condition_variable QueueChanged;
  std::deque<Queued> Queue;
  std::set<int> Lowered; // Under QueueLock.
  std::function<void()> StartWorker;
  CompileServerGate Gate(hardware_concurrency(Threads).compute_thread_count(),
                         [&](int Tid) {
                           ::setpriority(PRIO_PROCESS, Tid, 19);
                           {
                             std::lock_guard<std::mutex> G(QueueLock);
                             Lowered.insert(Tid);
                           }
                           StartWorker();
                         });
  auto Serve = [&](const Queued &Q) {
    StringRef In = Q.Request->Payload;
    uint64_t Id = Q.Request->Id;
    uint32_t Argc = 0;
    std::vector<std::string> Args;
    StringRef A, Capture;
    bool OK = takeU32(In, Argc);
    for (uint32_t I = 0; OK && I < Argc; ++I)
      if ((OK = takeString(In, A)))
        Args.push_back(A.str());
    OK = OK && takeString(In, Capture) && In.empty() && !Args.empty();
    if (!OK)
      die("malformed compile request");
    if (!Gate.enter(*Q.Ticket))
      return Answer(Id, ResultStatus::Cancelled, 0, "");
    std::vector<const char *> Argv;
    for (const std::string &S : Args)
      Argv.push_back(S.c_str());

    SmallVector<char, 0> Object;
    std::string Message;
    auto Start = std::chrono::steady_clock::now();
    InProcessCompiler::Status S = InProcessCompiler::Status::Failed;
    if (HoldLog.empty())
      S = Compiler.compile(Argv, Capture, Object, Message);
    else
      holdUntilCancelled(HoldLog, *Q.Ticket);
    uint64_t Micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - Start)
                          .count();
    bool Wanted = Gate.leave(*Q.Ticket, Id);
    ResultStatus RS =
        S == InProcessCompiler::Status::Compiled  ? ResultStatus::Compiled
        : S == InProcessCompiler::Status::Refused ? ResultStatus::Refused
                                                  : ResultStatus::Failed;
    // Nobody reads a cancelled job's object: do not send it.
    if (!Wanted)
      return Answer(Id, ResultStatus::Cancelled, Micros, "");
    Answer(Id, RS, Micros,
           RS == ResultStatus::Compiled
               ? StringRef(Object.data(), Object.size())
               : StringRef(Message));
  };
  StartWorker = [&] {
    std::thread([&] {
      int Tid = ::gettid();
      std::unique_lock<std::mutex> L(QueueLock);
      for (;;) {
        QueueChanged.wait(L, [&] { return !Queue.empty(); });
        Queued Q = std::move(Queue.front());
        Queue.pop_front();
        L.unlock();
        Serve(Q);
        L.lock();
        if (Lowered.erase(Tid))
          return; // Lowered in priority for good: a new worker took over.
      }
    }).detach();
  };
  for (unsigned I = 0; I < Gate.slots(); ++I)
    StartWorker();

  for (;;) {
    Expected<std::optional<Frame>> F = readFrame(STDIN_FILENO);
    if (!F)
      die(toString(F.takeError()));
    // End of input: the distributor has every answer it wants. Skip
    // LLVM's exit-time destructors; a compile still running has no one
    // to answer to.
    if (!*F)
      _exit(0);
    if ((*F)->Kind == FrameKind::Cancel) {
      Gate.cancel((*F)->Id);
      continue;
    }
    if ((*F)->Kind != FrameKind::Compile)
      die("unexpected frame");
    auto Request = std::make_shared<Frame>(std::move(**F));
    auto Ticket = Gate.add(Request->Id);
    {
      std::lock_guard<std::mutex> G(QueueLock);
      Queue.push_back({std::move(Request), std::move(Ticket)});
    }
    QueueChanged.notify_one();
  }
}
