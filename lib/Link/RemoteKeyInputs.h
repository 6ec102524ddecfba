//===- RemoteKeyInputs.h - Key inputs shared through the remote -*- C++ -*-===//
//
// SharedKeyInputs (Key/SharedKeyInputs.h) over the link's remote cache:
// values are entries of the remote's own format under their memo keys
// (recipes distinct from every object key's), verified like objects, and
// signed and checked like them where the remote is signed. Lookups run on
// a thread of their own, on a store of their own, one batch after another;
// uploads of what was computed here and found missing go at the end of the
// link, within the upload budget, and never from a read-only link.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_REMOTEKEYINPUTS_H
#define LTOCACHE_LINK_REMOTEKEYINPUTS_H

#include "Key/SharedKeyInputs.h"
#include "Remote/RemoteStore.h"

#include "llvm/Support/Error.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace ltocache {

class RemoteKeyInputs : public SharedKeyInputs {
public:
  using Opener = std::function<llvm::Expected<std::unique_ptr<RemoteStore>>()>;
  /// \p Open is called once, on the first fetch; lookups may take up to
  /// \p LookupBudget; work they would save waits \p HeadStart for them.
  RemoteKeyInputs(Opener Open, std::chrono::milliseconds LookupBudget,
                  std::chrono::milliseconds HeadStart)
      : Open(std::move(Open)), LookupBudget(LookupBudget),
        HeadStart(HeadStart) {}
  /// Stops (finish) if finish was not called.
  ~RemoteKeyInputs() override;

  void fetch(std::vector<Digest> Keys, Answer OnAnswer) override;
  void offer(const Digest &Key, llvm::StringRef Value) override;
  std::chrono::milliseconds headStart() const override { return HeadStart; }

  struct Outcome {
    unsigned Uploaded = 0; ///< Values shared by this link.
    unsigned UploadFailures = 0;
  };
  /// Stops lookups still open (their answers: nullopt), then uploads what
  /// was offered and found missing, until \p UploadDeadline (none: no
  /// uploads).
  Outcome finish(std::optional<RemoteStore::Clock::time_point> UploadDeadline);

private:
  struct Batch {
    std::vector<Digest> Keys;
    Answer OnAnswer;
  };
  void run();

  Opener Open;
  std::chrono::milliseconds LookupBudget, HeadStart;
  std::mutex Lock;
  std::condition_variable Changed;
  std::deque<Batch> Queue;
  std::thread Worker;
  bool Busy = false, Stopping = false, Finished = false;
  bool Healthy = true; ///< Opened, and no lookup timed out or failed.
  std::unique_ptr<RemoteStore> Store;
  std::set<Digest> Asked;
  std::set<Digest> Missing; ///< Asked, and the remote said it lacks them.
  std::map<Digest, std::string> Offered;
};

} // namespace ltocache

#endif
