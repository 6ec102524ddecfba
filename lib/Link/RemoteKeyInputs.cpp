//===- RemoteKeyInputs.cpp - Key inputs shared through the remote ---------===//

#include "Link/RemoteKeyInputs.h"
#include "Store/Entry.h"

using namespace llvm;

namespace ltocache {

RemoteKeyInputs::~RemoteKeyInputs() { finish(std::nullopt); }

void RemoteKeyInputs::fetch(std::vector<Digest> Keys, Answer OnAnswer) {
  std::unique_lock<std::mutex> L(Lock);
  if (Stopping) {
    L.unlock();
    for (size_t I = 0; I < Keys.size(); ++I)
      OnAnswer(I, std::nullopt);
    return;
  }
  Asked.insert(Keys.begin(), Keys.end());
  Queue.push_back({std::move(Keys), std::move(OnAnswer)});
  if (!Worker.joinable())
    Worker = std::thread([this] { run(); });
  Changed.notify_all();
}

void RemoteKeyInputs::offer(const Digest &Key, StringRef Value) {
  std::lock_guard<std::mutex> G(Lock);
  if (Asked.count(Key)) // Only what was asked can be found missing.
    Offered.try_emplace(Key, Value.str());
}

void RemoteKeyInputs::run() {
  std::unique_lock<std::mutex> L(Lock);
  for (;;) {
    Changed.wait(L, [&] { return Stopping || !Queue.empty(); });
    if (Queue.empty())
      return;
    Batch B = std::move(Queue.front());
    Queue.pop_front();
    if (Stopping || !Healthy) {
      L.unlock();
      for (size_t I = 0; I < B.Keys.size(); ++I)
        B.OnAnswer(I, std::nullopt);
      L.lock();
      continue;
    }
    Busy = true;
    L.unlock();
    if (!Store) {
      // The link's first use of the remote loads the HTTP module.
      auto S = Open();
      if (S)
        Store = std::move(*S);
      else
        consumeError(S.takeError()); // Phase 2 reports the remote's state.
    }
    std::vector<bool> Answered(B.Keys.size(), false);
    bool Failed = !Store;
    if (Store)
      Store->lookupAll(B.Keys, RemoteStore::Clock::now() + LookupBudget,
                       [&](size_t I, RemoteResult R) {
                         std::optional<std::string> Value;
                         if (R.What == RemoteResult::Hit) {
                           if (auto D = decodeEntry(R.Body, B.Keys[I]))
                             Value = D->Payload.str();
                           else
                             consumeError(D.takeError());
                         }
                         {
                           std::lock_guard<std::mutex> G(Lock);
                           if (R.What == RemoteResult::Miss ||
                               R.What == RemoteResult::Untrusted)
                             Missing.insert(B.Keys[I]);
                           if (R.What == RemoteResult::Failed ||
                               R.What == RemoteResult::TimedOut)
                             Failed = true;
                         }
                         Answered[I] = true;
                         B.OnAnswer(I, std::move(Value));
                       });
    for (size_t I = 0; I < B.Keys.size(); ++I)
      if (!Answered[I])
        B.OnAnswer(I, std::nullopt);
    L.lock();
    Healthy &= !Failed;
    Busy = false;
    Changed.notify_all();
  }
}

RemoteKeyInputs::Outcome RemoteKeyInputs::finish(
    std::optional<RemoteStore::Clock::time_point> UploadDeadline) {
  std::unique_lock<std::mutex> L(Lock);
  if (Finished)
    return {};
  Finished = true;
  Stopping = true;
  Changed.notify_all();
  // A lookup still open is a remote slower than computing: not waited for.
  while (Busy) {
    if (Store)
      Store->cancel(); // Repeated: a cancel before the call starts is lost.
    Changed.wait_for(L, std::chrono::milliseconds(5));
  }
  L.unlock();
  if (Worker.joinable())
    Worker.join();
  L.lock();
  Outcome O;
  if (!UploadDeadline || !Store || !Healthy || Store->readOnly())
    return O;
  std::vector<std::pair<Digest, std::string>> Entries;
  for (auto &[Key, Value] : Offered)
    if (Missing.count(Key))
      Entries.emplace_back(Key, encodeEntry(Key, Value, 0));
  L.unlock();
  if (Entries.empty())
    return O;
  Store->storeAll(Entries, *UploadDeadline, [&](size_t, RemoteResult R) {
    if (R.What == RemoteResult::Hit)
      ++O.Uploaded;
    else
      ++O.UploadFailures;
  });
  return O;
}

} // namespace ltocache
