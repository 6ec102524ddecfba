//===- RemoteKeyInputsTest.cpp - Key inputs shared through the remote ----===//

#include "Link/RemoteKeyInputs.h"
#include "Store/Entry.h"

#include "gtest/gtest.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

using namespace llvm;
using namespace ltocache;

namespace {

Digest key(uint8_t N) {
  Digest D{};
  D[0] = N;
  return D;
}

/// An in-memory remote; with Silent set, lookups are answered only by
/// cancel().
class FakeRemote : public RemoteStore {
public:
  struct Shared {
    std::mutex Lock;
    std::map<Digest, std::string> Entries;
    std::vector<Digest> Gets, Puts;
    bool ReadOnly = false, Silent = false;
  };
  explicit FakeRemote(std::shared_ptr<Shared> S) : S(std::move(S)) {}

  void lookupAll(ArrayRef<Digest> Keys, Clock::time_point,
                 const ResultCallback &OnResult) override {
    if (S->Silent) {
      std::unique_lock<std::mutex> L(CancelLock);
      Cancelled.wait(L, [&] { return WasCancelled; });
      for (size_t I = 0; I < Keys.size(); ++I)
        OnResult(I, {RemoteResult::Cancelled, "", ""});
      return;
    }
    for (size_t I = 0; I < Keys.size(); ++I) {
      std::unique_lock<std::mutex> L(S->Lock);
      S->Gets.push_back(Keys[I]);
      auto It = S->Entries.find(Keys[I]);
      RemoteResult R;
      R.What = It == S->Entries.end() ? RemoteResult::Miss : RemoteResult::Hit;
      if (It != S->Entries.end())
        R.Body = It->second;
      L.unlock();
      OnResult(I, std::move(R));
    }
  }
  void containsAll(ArrayRef<Digest>, Clock::time_point,
                   const ResultCallback &) override {}
  void storeAll(ArrayRef<std::pair<Digest, std::string>> Entries,
                Clock::time_point, const ResultCallback &OnResult) override {
    for (size_t I = 0; I < Entries.size(); ++I) {
      std::lock_guard<std::mutex> G(S->Lock);
      S->Puts.push_back(Entries[I].first);
      S->Entries[Entries[I].first] = Entries[I].second;
      OnResult(I, {RemoteResult::Hit, "", ""});
    }
  }
  void cancel() override {
    std::lock_guard<std::mutex> G(CancelLock);
    WasCancelled = true;
    Cancelled.notify_all();
  }
  bool readOnly() const override { return S->ReadOnly; }
  std::string describe() const override { return "fake"; }

private:
  std::shared_ptr<Shared> S;
  std::mutex CancelLock;
  std::condition_variable Cancelled;
  bool WasCancelled = false;
};

RemoteKeyInputs::Opener opener(std::shared_ptr<FakeRemote::Shared> S) {
  return [S]() -> Expected<std::unique_ptr<RemoteStore>> {
    return std::make_unique<FakeRemote>(S);
  };
}

/// Fetches \p Keys and waits for every answer.
std::vector<std::optional<std::string>> fetchAll(RemoteKeyInputs &R,
                                                 std::vector<Digest> Keys) {
  std::vector<std::optional<std::string>> Out(Keys.size());
  std::atomic<size_t> Left{Keys.size()};
  std::promise<void> Done;
  R.fetch(Keys, [&](size_t I, std::optional<std::string> V) {
    Out[I] = std::move(V);
    if (--Left == 0)
      Done.set_value();
  });
  Done.get_future().wait();
  return Out;
}

auto Budget = std::chrono::seconds(10);
auto HeadStart = std::chrono::milliseconds(50);
auto Later = [] {
  return RemoteStore::Clock::now() + std::chrono::seconds(10);
};

} // namespace

TEST(RemoteKeyInputs, TakesWhatTheRemoteHasAndSharesOnlyWhatItLacked) {
  auto S = std::make_shared<FakeRemote::Shared>();
  S->Entries[key(1)] = encodeEntry(key(1), "shared value", 0);
  // Under another key's name: not a value, and not missing either.
  S->Entries[key(3)] = encodeEntry(key(9), "misplaced", 0);
  RemoteKeyInputs R(opener(S), Budget, HeadStart);
  auto Got = fetchAll(R, {key(1), key(2), key(3)});
  EXPECT_EQ(Got[0], std::optional<std::string>("shared value"));
  EXPECT_EQ(Got[1], std::nullopt);
  EXPECT_EQ(Got[2], std::nullopt);
  R.offer(key(1), "mine");       // The remote has its own: kept.
  R.offer(key(2), "computed");   // Missing: shared.
  R.offer(key(3), "recomputed"); // A bad entry: not written over.
  R.offer(key(4), "never asked");
  RemoteKeyInputs::Outcome O = R.finish(Later());
  EXPECT_EQ(O.Uploaded, 1u);
  EXPECT_EQ(O.UploadFailures, 0u);
  ASSERT_EQ(S->Puts.size(), 1u);
  EXPECT_EQ(S->Puts[0], key(2));
  auto D = decodeEntry(S->Entries[key(2)], key(2));
  ASSERT_TRUE(bool(D)) << toString(D.takeError());
  EXPECT_EQ(D->Payload, "computed");
}

TEST(RemoteKeyInputs, ReadOnlyRemotesAreNeverWritten) {
  auto S = std::make_shared<FakeRemote::Shared>();
  S->ReadOnly = true;
  RemoteKeyInputs R(opener(S), Budget, HeadStart);
  fetchAll(R, {key(2)});
  R.offer(key(2), "computed");
  EXPECT_EQ(R.finish(Later()).Uploaded, 0u);
  EXPECT_TRUE(S->Puts.empty());
}

TEST(RemoteKeyInputs, NothingIsUploadedWithoutADeadline) {
  auto S = std::make_shared<FakeRemote::Shared>();
  {
    RemoteKeyInputs R(opener(S), Budget, HeadStart);
    fetchAll(R, {key(2)});
    R.offer(key(2), "computed");
  } // Destroyed without finish(): a link that failed.
  EXPECT_TRUE(S->Puts.empty());
}

TEST(RemoteKeyInputs, ASilentRemoteIsNotWaitedFor) {
  auto S = std::make_shared<FakeRemote::Shared>();
  S->Silent = true;
  RemoteKeyInputs R(opener(S), Budget, HeadStart);
  std::promise<std::optional<std::string>> Answer;
  R.fetch({key(1)}, [&](size_t, std::optional<std::string> V) {
    Answer.set_value(std::move(V));
  });
  R.offer(key(1), "computed");
  // finish() cancels the open lookup: its answer is "none", and a key the
  // remote never said it lacks is not uploaded.
  EXPECT_EQ(R.finish(Later()).Uploaded, 0u);
  EXPECT_EQ(Answer.get_future().get(), std::nullopt);
  EXPECT_TRUE(S->Puts.empty());
  // Asked after the end: answered at once.
  bool Answered = false;
  R.fetch({key(5)},
          [&](size_t, std::optional<std::string> V) { Answered = !V; });
  EXPECT_TRUE(Answered);
}

TEST(RemoteKeyInputs, AnUnusableRemoteAnswersNone) {
  RemoteKeyInputs R(
      []() -> Expected<std::unique_ptr<RemoteStore>> {
        return createStringError("no such remote");
      },
      Budget, HeadStart);
  auto Got = fetchAll(R, {key(1), key(2)});
  EXPECT_EQ(Got[0], std::nullopt);
  EXPECT_EQ(Got[1], std::nullopt);
  R.offer(key(1), "computed");
  EXPECT_EQ(R.finish(Later()).Uploaded, 0u);
}
