//===- remote-store-check.cpp - The HTTP remote store against a server ----===//
//
// Publishes N entries, reads them back, asks whether they and N unknown keys
// are there, reads the unknown keys, tries a read-only store, and prints
// what happened, for lit to check. With --expect-unreachable it only reads,
// against a server that refuses or never answers, and reports how the
// deadline was kept. With --cancel-after-accept-fd=<fd> (a never-answering
// server that writes a byte to <fd> for each connection it accepts) it
// cancels a lookup from another thread once the server holds a connection,
// so the lookup is certainly in progress.
//
//===----------------------------------------------------------------------===//

#include "Remote/RemoteStore.h"
#include "Store/Entry.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <poll.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
using namespace ltocache;

static cl::opt<std::string> Url("url", cl::Required);
static cl::opt<std::string> Layout("layout", cl::init("subdirs"));
static cl::opt<unsigned> Entries("entries", cl::init(64));
static cl::opt<unsigned> DeadlineMs("deadline-ms", cl::init(20000));
static cl::opt<bool> Unreachable("expect-unreachable");
static cl::opt<int> CancelAfterAcceptFd("cancel-after-accept-fd", cl::init(-1));

static std::string payloadOf(unsigned I) {
  return std::string(1000 + I * 37, static_cast<char>('a' + I % 26));
}

static RemoteStore::Clock::time_point deadline() {
  return RemoteStore::Clock::now() + std::chrono::milliseconds(DeadlineMs);
}

/// Runs one call and collects its results by index; every request must have
/// exactly one callback.
template <typename Fn>
static std::vector<RemoteResult> collect(size_t N, Fn Call) {
  std::vector<RemoteResult> Rs(N);
  std::vector<unsigned> Calls(N);
  Call([&](size_t I, RemoteResult R) {
    ++Calls[I];
    Rs[I] = std::move(R);
  });
  for (size_t I = 0; I < N; ++I)
    if (Calls[I] != 1)
      outs() << "request " << I << ": " << Calls[I] << " callbacks\n";
  return Rs;
}

static void report(StringRef What, const std::vector<RemoteResult> &Rs) {
  std::map<std::string, unsigned> Count;
  for (const RemoteResult &R : Rs)
    ++Count[R.What == RemoteResult::Hit         ? "hit"
            : R.What == RemoteResult::Miss      ? "miss"
            : R.What == RemoteResult::TimedOut  ? "timed-out"
            : R.What == RemoteResult::Cancelled ? "cancelled"
                                                : "failed (" + R.Message + ")"];
  outs() << What << ":";
  for (auto &[K, N] : Count)
    outs() << " " << N << " " << K;
  outs() << "\n";
}

static std::vector<RemoteResult> lookup(RemoteStore &S, ArrayRef<Digest> Keys) {
  return collect(Keys.size(), [&](auto OnResult) {
    S.lookupAll(Keys, deadline(), OnResult);
  });
}

static std::vector<RemoteResult> contains(RemoteStore &S,
                                          ArrayRef<Digest> Keys) {
  return collect(Keys.size(), [&](auto OnResult) {
    S.containsAll(Keys, deadline(), OnResult);
  });
}

static std::vector<RemoteResult>
store(RemoteStore &S, ArrayRef<std::pair<Digest, std::string>> Puts) {
  return collect(Puts.size(), [&](auto OnResult) {
    S.storeAll(Puts, deadline(), OnResult);
  });
}

/// Cancels a lookup from this thread while another runs it.
static int cancelDuringLookup(RemoteStore &S, ArrayRef<Digest> Keys) {
  std::vector<RemoteResult> Rs;
  std::thread Lookup([&] { Rs = lookup(S, Keys); });
  // The server writes a byte once it has accepted a connection, which the
  // store opens only inside the call: from then on the call is running.
  // (The timeout only keeps a broken store from hanging the test.)
  pollfd P{CancelAfterAcceptFd, POLLIN, 0};
  char Byte;
  bool Accepted = poll(&P, 1, DeadlineMs + 5000) == 1 &&
                  read(CancelAfterAcceptFd, &Byte, 1) == 1;
  auto Start = RemoteStore::Clock::now();
  S.cancel();
  Lookup.join();
  auto Took = RemoteStore::Clock::now() - Start;
  outs() << "server accepted a connection: " << (Accepted ? "yes" : "no")
         << "\n";
  report("cancelled get", Rs);
  outs() << "returned within a second of cancel: "
         << (Took < std::chrono::seconds(1) ? "yes" : "no") << "\n";
  // The cancel does not stick to the next call.
  DeadlineMs = 300;
  report("next get", lookup(S, Keys));
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv);
  auto L = parseRemoteLayout(Layout);
  if (!L) {
    errs() << toString(L.takeError()) << "\n";
    return 2;
  }
  RemoteOptions O;
  O.BaseUrl = Url;
  O.Layout = *L;
  O.ConnectTimeout = std::chrono::milliseconds(1000);
  O.RequestTimeout = std::chrono::milliseconds(60000);
  auto Store = createHttpRemoteStore(O);
  if (!Store) {
    errs() << "error: " << toString(Store.takeError()) << "\n";
    return 2;
  }
  RemoteStore &S = **Store;
  outs() << "remote: " << S.describe() << "\n";
  std::vector<Digest> Keys, Unknown;
  for (unsigned I = 0; I < Entries; ++I) {
    Keys.push_back(hashBytes("remote-key-" + std::to_string(I)));
    Unknown.push_back(hashBytes("unknown-key-" + std::to_string(I)));
  }
  if (CancelAfterAcceptFd >= 0)
    return cancelDuringLookup(S, Keys);
  if (Unreachable) {
    report("get", lookup(S, Keys));
    return 0;
  }

  std::vector<std::pair<Digest, std::string>> Puts;
  for (unsigned I = 0; I < Entries; ++I)
    Puts.push_back({Keys[I], encodeEntry(Keys[I], payloadOf(I), I)});
  report("put", store(S, Puts));

  std::vector<RemoteResult> Got = lookup(S, Keys);
  report("get", Got);
  unsigned Verified = 0;
  for (unsigned I = 0; I < Entries; ++I) {
    if (Got[I].What != RemoteResult::Hit)
      continue;
    auto D = decodeEntry(Got[I].Body, Keys[I]);
    if (D && D->Payload == payloadOf(I))
      ++Verified;
    else if (!D)
      consumeError(D.takeError());
  }
  outs() << "verified: " << Verified << "\n";
  // An entry served under another key is caught by verification.
  auto Foreign = decodeEntry(Got[0].Body, Keys[1]);
  outs() << "entry of key 0 as key 1: "
         << (Foreign ? "accepted" : toString(Foreign.takeError())) << "\n";

  report("head", contains(S, Keys));
  report("head unknown", contains(S, Unknown));
  report("get unknown", lookup(S, Unknown));

  O.ReadOnly = true;
  auto ReadOnly = createHttpRemoteStore(O);
  if (!ReadOnly) {
    errs() << "error: " << toString(ReadOnly.takeError()) << "\n";
    return 2;
  }
  outs() << "read-only: " << ((*ReadOnly)->readOnly() ? "yes" : "no") << "\n";
  std::vector<std::pair<Digest, std::string>> More{
      {Unknown[0], encodeEntry(Unknown[0], "x", 0)}};
  report("read-only put", store(**ReadOnly, More));
  report("after read-only put", lookup(S, {Unknown[0]}));
  return 0;
}
