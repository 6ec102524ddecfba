//===- remote-store-check.cpp - HttpRemoteStore against a real server -----===//
//
// Publishes N entries, reads them back, reads N unknown keys, tries a
// read-only store, and prints what happened, for lit to check. With
// --expect-unreachable it only reads, against a server that refuses or
// never answers, and reports how the deadline was kept.
//
//===----------------------------------------------------------------------===//

#include "ltocache/Entry.h"
#include "ltocache/RemoteStore.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace llvm;
using namespace ltocache;

static cl::opt<std::string> Url("url", cl::Required);
static cl::opt<std::string> Layout("layout", cl::init("subdirs"));
static cl::opt<unsigned> Entries("entries", cl::init(64));
static cl::opt<unsigned> DeadlineMs("deadline-ms", cl::init(20000));
static cl::opt<bool> Unreachable("expect-unreachable");

static std::string payloadOf(unsigned I) {
  return std::string(1000 + I * 37, static_cast<char>('a' + I % 26));
}

static void report(StringRef What, const std::vector<RemoteResult> &Rs) {
  std::map<std::string, unsigned> Count;
  for (const RemoteResult &R : Rs)
    ++Count[R.What == RemoteResult::Hit    ? "hit"
            : R.What == RemoteResult::Miss ? "miss"
            : R.What == RemoteResult::TimedOut
                ? "timed-out"
                : "failed (" + R.Message + ")"];
  outs() << What << ":";
  for (auto &[K, N] : Count)
    outs() << " " << N << " " << K;
  outs() << "\n";
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
  auto Deadline = [] {
    return HttpRemoteStore::Clock::now() +
           std::chrono::milliseconds(DeadlineMs);
  };
  auto Store = HttpRemoteStore::create(O);
  if (!Store) {
    errs() << toString(Store.takeError()) << "\n";
    return 2;
  }
  std::vector<Digest> Keys, Unknown;
  for (unsigned I = 0; I < Entries; ++I) {
    Keys.push_back(hashBytes("remote-key-" + std::to_string(I)));
    Unknown.push_back(hashBytes("unknown-key-" + std::to_string(I)));
  }
  if (Unreachable) {
    report("get", (*Store)->getAll(Keys, Deadline()));
    return 0;
  }

  std::vector<std::pair<Digest, std::string>> Puts;
  for (unsigned I = 0; I < Entries; ++I)
    Puts.push_back({Keys[I], encodeEntry(Keys[I], payloadOf(I), I)});
  report("put", (*Store)->putAll(Puts, Deadline()));

  std::vector<RemoteResult> Got = (*Store)->getAll(Keys, Deadline());
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

  report("get unknown", (*Store)->getAll(Unknown, Deadline()));

  O.ReadOnly = true;
  auto ReadOnly = HttpRemoteStore::create(O);
  std::vector<std::pair<Digest, std::string>> More{
      {Unknown[0], encodeEntry(Unknown[0], "x", 0)}};
  report("read-only put", (*ReadOnly)->putAll(More, Deadline()));
  report("after read-only put", (*Store)->getAll({Unknown[0]}, Deadline()));
  return 0;
}
