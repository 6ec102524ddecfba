//===- store-torture.cpp - Many processes, one store, kills and a pruner --===//
//
// Forks W worker processes per round that publish and look up overlapping
// keys in one LocalStore (every writer of a key writes the same payload, as
// a real cache does), plus one pruner that prunes to a tiny limit in a loop.
// Each worker reports every finished operation as one byte on a pipe; the
// parent SIGKILLs a random subset of workers after a random number of
// operations, so kills land at arbitrary points of publication (a delay
// before rename, from the fault-injecting filesystem, widens that window).
//
// Every hit is also put at an output as a link does (a hard link to the
// entry) and read back from there.
//
// It fails if any lookup ever returns a payload other than its key's (or
// places one at an output), if an entry left in the store does not verify,
// or if a temporary file outlives the final clean-up.
//
//===----------------------------------------------------------------------===//

#include "Store/Entry.h"
#include "Store/LocalStore.h"
#include "Store/Pruner.h"
#include "Support/FileSystem.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <poll.h>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;
using namespace ltocache;

static cl::opt<std::string> Dir("dir", cl::Required, cl::desc("cache dir"));
static cl::opt<unsigned> Workers("workers", cl::init(16));
static cl::opt<unsigned> Rounds("rounds", cl::init(5));
static cl::opt<unsigned> Ops("ops", cl::init(100),
                             cl::desc("operations per worker per round"));
static cl::opt<unsigned> Keys("keys", cl::init(24));
static cl::opt<unsigned> Seed("seed", cl::init(1));
static cl::opt<std::string>
    WorkerFaults("worker-faults", cl::init("delay:rename=1"),
                 cl::desc("fault injection for the workers' filesystem"));
static cl::opt<std::string> PrunePolicy("prune-policy",
                                        cl::init("prune_interval=0s:"
                                                 "cache_size_files=6"));

static Digest keyOf(unsigned K) {
  return hashBytes("torture-key-" + std::to_string(K));
}

static std::string payloadOf(unsigned K) {
  std::mt19937 Rng(K * 7919 + 1);
  std::string P(1024 + (Rng() % (48 * 1024)), '\0');
  for (char &C : P)
    C = static_cast<char>(Rng());
  return P;
}

/// Puts \p Hit at an output as a link does (hard link or reflink of the
/// entry, while other workers replace entries and the pruner removes
/// them): what is placed must be a valid entry holding the key's payload.
static bool placedHitIsRight(LocalStore &Store, const StoreHit &Hit, unsigned K,
                             unsigned Id) {
  SmallString<256> Out(Dir);
  sys::path::append(Out, "out-" + std::to_string(::getpid()) + "-" +
                             std::to_string(Id) + ".o");
  if (Store.placeHit(Hit, Out) == LocalStore::Placement::NotPlaced)
    return true; // The caller would copy the verified payload.
  auto Placed = MemoryBuffer::getFile(Out, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  bool Right = false;
  if (Placed)
    if (auto D = decodeEntry((*Placed)->getBuffer(), keyOf(K)))
      Right = D->Payload == payloadOf(K);
    else
      consumeError(D.takeError());
  sys::fs::remove(Out);
  return Right;
}

[[noreturn]] static void runWorker(unsigned Id, unsigned Round, int Out) {
  auto FS = createFileSystem(WorkerFaults);
  auto Store = FS ? LocalStore::open(Dir, **FS)
                  : Expected<std::unique_ptr<LocalStore>>(FS.takeError());
  if (!Store) {
    errs() << "worker: " << toString(Store.takeError()) << "\n";
    _exit(2);
  }
  std::mt19937 Rng(Seed * 1000003 + Round * 1009 + Id);
  for (unsigned I = 0; I < Ops; ++I) {
    unsigned K = Rng() % Keys;
    char Report;
    if (Rng() % 2) {
      Error E = (*Store)->publish(keyOf(K), payloadOf(K), 1);
      Report = E ? 'b' : 'p';
      consumeError(std::move(E));
    } else {
      LookupResult L = (*Store)->lookup(keyOf(K));
      if (!L.Corruption.empty())
        Report = 'c';
      else if (!L.Hit)
        Report = 'm';
      else
        Report = L.Hit->Payload == payloadOf(K) &&
                         placedHitIsRight(**Store, *L.Hit, K, Id)
                     ? 'h'
                     : 'X';
    }
    if (::write(Out, &Report, 1) != 1 || Report == 'X')
      _exit(3);
  }
  _exit(0);
}

[[noreturn]] static void runPruner() {
  auto FS = createFileSystem("");
  auto Policy = parsePolicy(PrunePolicy);
  if (!Policy) {
    errs() << toString(Policy.takeError()) << "\n";
    _exit(2);
  }
  SmallString<256> Root(Dir);
  sys::path::append(Root, "v1");
  for (;;) // Until the parent kills it.
    if (auto R = pruneStore(Root, *Policy, **FS, /*Force=*/true); !R)
      consumeError(R.takeError());
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ltocache store torture test\n");
  if (auto FS = createFileSystem(WorkerFaults); !FS) {
    errs() << toString(FS.takeError()) << "\n";
    return 2;
  }
  std::mt19937 Rng(Seed);
  std::map<char, uint64_t> Tally;
  uint64_t Kills = 0, Failures = 0;

  for (unsigned Round = 0; Round < Rounds; ++Round) {
    pid_t Pruner = fork();
    if (Pruner == 0)
      runPruner();
    std::vector<pid_t> Pids(Workers);
    std::vector<int> Pipes(Workers);
    std::vector<unsigned> KillAfter(Workers), Done(Workers, 0);
    for (unsigned W = 0; W < Workers; ++W) {
      int P[2];
      if (pipe(P) != 0)
        return 2;
      // A third of the workers die somewhere in their run.
      KillAfter[W] = Rng() % 3 == 0 ? Rng() % Ops : Ops + 1;
      Pids[W] = fork();
      if (Pids[W] == 0) {
        close(P[0]);
        runWorker(W, Round, P[1]);
      }
      close(P[1]);
      Pipes[W] = P[0];
    }
    unsigned Open = Workers;
    while (Open) {
      std::vector<pollfd> Fds;
      std::vector<unsigned> Who;
      for (unsigned W = 0; W < Workers; ++W)
        if (Pipes[W] >= 0) {
          Fds.push_back({Pipes[W], POLLIN, 0});
          Who.push_back(W);
        }
      if (poll(Fds.data(), Fds.size(), -1) < 0)
        continue;
      for (size_t I = 0; I < Fds.size(); ++I) {
        if (!Fds[I].revents)
          continue;
        unsigned W = Who[I];
        char Buf[256];
        ssize_t N = read(Pipes[W], Buf, sizeof(Buf));
        for (ssize_t J = 0; J < N; ++J)
          ++Tally[Buf[J]];
        Done[W] += N > 0 ? N : 0;
        if (N > 0 && Done[W] >= KillAfter[W] && KillAfter[W] <= Ops) {
          kill(Pids[W], SIGKILL);
          ++Kills;
          KillAfter[W] = Ops + 1;
        }
        if (N <= 0) {
          close(Pipes[W]);
          Pipes[W] = -1;
          --Open;
        }
      }
    }
    for (unsigned W = 0; W < Workers; ++W) {
      int Status;
      waitpid(Pids[W], &Status, 0);
      bool Killed = WIFSIGNALED(Status) && WTERMSIG(Status) == SIGKILL;
      if (!Killed && !(WIFEXITED(Status) && WEXITSTATUS(Status) == 0)) {
        errs() << "round " << Round << ": worker " << W << " failed\n";
        ++Failures;
      }
    }
    kill(Pruner, SIGKILL);
    waitpid(Pruner, nullptr, 0);
  }

  // Every writer is gone: one last prune must remove every temporary, and
  // every entry left must verify and hold its key's payload.
  auto FS = createFileSystem("");
  SmallString<256> Root(Dir);
  sys::path::append(Root, "v1");
  auto Final = pruneStore(Root, *parsePolicy("prune_interval=0s"), **FS, true);
  if (!Final) {
    errs() << toString(Final.takeError()) << "\n";
    return 1;
  }
  std::map<Digest, unsigned> KeyIndex;
  for (unsigned K = 0; K < Keys; ++K)
    KeyIndex[keyOf(K)] = K;
  uint64_t Verified = 0, Bad = 0, TempsLeft = 0;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator It(Root + "/entries", EC), End;
       It != End && !EC; It.increment(EC)) {
    if (It->type() != sys::fs::file_type::regular_file)
      continue;
    std::optional<Digest> Key = digestFromHex(sys::path::filename(It->path()));
    auto Bytes = MemoryBuffer::getFile(It->path());
    auto Decoded =
        Key && Bytes ? decodeEntry((*Bytes)->getBuffer(), *Key)
                     : Expected<DecodedEntry>(createStringError("unreadable"));
    if (!Decoded || !KeyIndex.count(*Key) ||
        Decoded->Payload != payloadOf(KeyIndex[*Key])) {
      errs() << "bad entry " << It->path() << "\n";
      if (!Decoded)
        consumeError(Decoded.takeError());
      ++Bad;
      continue;
    }
    ++Verified;
  }
  for (sys::fs::directory_iterator It(Root + "/tmp", EC), End; It != End && !EC;
       It.increment(EC)) {
    errs() << "temporary file left: " << It->path() << "\n";
    ++TempsLeft;
  }

  uint64_t OpsDone = 0;
  for (auto &[C, N] : Tally)
    OpsDone += N;
  outs() << Rounds << " rounds x " << Workers << " workers: " << OpsDone
         << " operations (" << Tally['p'] << " published, " << Tally['b']
         << " bypassed, " << Tally['h'] << " hits, " << Tally['m']
         << " misses, " << Tally['c'] << " corrupt entries found), " << Kills
         << " writers killed\n";
  outs() << "corrupt payloads returned: " << Tally['X'] << "\n";
  outs() << "worker failures: " << Failures << "\n";
  outs() << "entries verified: " << Verified << ", bad: " << Bad << "\n";
  outs() << "stale temporaries removed at the end: " << Final->StaleTemporaries
         << ", left: " << TempsLeft << "\n";
  return Tally['X'] || Failures || Bad || TempsLeft ? 1 : 0;
}
