#include "Compile/CompileServerGate.h"

#include "gtest/gtest.h"

#include <atomic>
#include <thread>
#include <vector>

using namespace ltocache;

namespace {

/// Spins until \p Done holds: a barrier on the gate's own counters.
template <typename F> void waitUntil(F Done) {
  while (!Done())
    std::this_thread::yield();
}

/// One request on its own thread, as the server runs it: enter, "compile"
/// until told to finish, leave.
struct Request {
  std::shared_ptr<CompileServerGate::Ticket> Ticket;
  std::thread Thread;
  std::atomic<bool> Entered{false}, Refused{false}, Finish{false}, Done{false},
      Wanted{false};

  Request(CompileServerGate &Gate, uint64_t Id) : Ticket(Gate.add(Id)) {
    Thread = std::thread([this, &Gate, Id] {
      if (!Gate.enter(*Ticket)) {
        Refused = true;
        Done = true;
        return;
      }
      Entered = true;
      waitUntil([&] { return Finish.load(); });
      Wanted = Gate.leave(*Ticket, Id);
      Done = true;
    });
  }
  ~Request() { Thread.join(); }
};

TEST(CompileServerGate, RunsAtMostSlotsWantedCompiles) {
  CompileServerGate Gate(2, [](int) {});
  Request A(Gate, 1), B(Gate, 2), C(Gate, 3);
  // The gate counts a slot before the thread says it entered: wait for the
  // threads' own flags, then check the gate agrees and let nobody else in.
  auto EnteredCount = [&] {
    return int(A.Entered) + int(B.Entered) + int(C.Entered);
  };
  waitUntil([&] { return EnteredCount() >= 2; });
  EXPECT_EQ(Gate.active(), 2u);
  EXPECT_EQ(EnteredCount(), 2);
  // One finishes: the one left waiting (any of the three: the threads race
  // to the gate) takes its slot.
  Request &First = A.Entered ? A : B;
  Request &Waiting = !A.Entered ? A : !B.Entered ? B : C;
  First.Finish = true;
  waitUntil([&] { return First.Done.load(); });
  EXPECT_TRUE(First.Wanted);
  waitUntil([&] { return Waiting.Entered.load(); });
  EXPECT_EQ(Gate.active(), 2u);
  A.Finish = B.Finish = C.Finish = true;
}

TEST(CompileServerGate, ACancelledCompileGivesUpItsSlotAtLowPriority) {
  std::vector<int> Lowered;
  CompileServerGate Gate(1, [&](int Tid) { Lowered.push_back(Tid); });
  Request A(Gate, 1);
  waitUntil([&] { return A.Entered.load(); });
  Request B(Gate, 2);
  Gate.cancel(1);
  // B runs beside the abandoned A, which was lowered in priority.
  waitUntil([&] { return B.Entered.load(); });
  EXPECT_EQ(Gate.active(), 1u);
  EXPECT_EQ(Gate.abandoned(), 1u);
  ASSERT_EQ(Lowered.size(), 1u);
  EXPECT_NE(Lowered[0], 0);
  A.Finish = true;
  waitUntil([&] { return A.Done.load(); });
  EXPECT_FALSE(A.Wanted);
  EXPECT_EQ(Gate.abandoned(), 0u);
  B.Finish = true;
  waitUntil([&] { return B.Done.load(); });
  EXPECT_TRUE(B.Wanted);
}

TEST(CompileServerGate, AbandonedCompilesAreBounded) {
  CompileServerGate Gate(1, [](int) {});
  Request A(Gate, 1);
  waitUntil([&] { return A.Entered.load(); });
  Request B(Gate, 2);
  Gate.cancel(1);
  waitUntil([&] { return B.Entered.load(); });
  // One abandoned compile already runs: B, cancelled too, keeps its slot,
  // so C waits until B ends.
  Request C(Gate, 3);
  Gate.cancel(2);
  EXPECT_EQ(Gate.abandoned(), 1u);
  EXPECT_EQ(Gate.active(), 1u);
  EXPECT_FALSE(C.Entered);
  B.Finish = true;
  waitUntil([&] { return C.Entered.load(); });
  EXPECT_FALSE(B.Wanted);
  A.Finish = C.Finish = true;
}

TEST(CompileServerGate, ARequestCancelledBeforeItStartsNeverRuns) {
  CompileServerGate Gate(1, [](int) {});
  Request A(Gate, 1);
  waitUntil([&] { return A.Entered.load(); });
  Request B(Gate, 2);
  Gate.cancel(2);
  waitUntil([&] { return B.Done.load(); });
  EXPECT_TRUE(B.Refused);
  EXPECT_FALSE(B.Entered);
  // Unknown and repeated cancels are ignored.
  Gate.cancel(2);
  Gate.cancel(99);
  A.Finish = true;
  waitUntil([&] { return A.Done.load(); });
  EXPECT_TRUE(A.Wanted);
  EXPECT_EQ(Gate.active(), 0u);
}

TEST(CompileServerGate, ManyRequestsAndCancelsSettle) {
  // Fixed interleavings over many rounds: every request ends, entered or
  // refused, and the counters return to zero.
  for (int Round = 0; Round < 50; ++Round) {
    CompileServerGate Gate(2, [](int) {});
    std::vector<std::unique_ptr<Request>> Rs;
    for (uint64_t Id = 0; Id < 6; ++Id)
      Rs.push_back(std::make_unique<Request>(Gate, Id));
    for (uint64_t Id = Round % 2; Id < 6; Id += 2)
      Gate.cancel(Id);
    for (auto &R : Rs)
      R->Finish = true;
    for (auto &R : Rs)
      waitUntil([&] { return R->Done.load(); });
    EXPECT_EQ(Gate.active(), 0u);
    EXPECT_EQ(Gate.abandoned(), 0u);
    for (uint64_t Id = 0; Id < 6; ++Id)
      if (Rs[Id]->Entered)
        EXPECT_EQ(Rs[Id]->Wanted.load(), Id % 2 != uint64_t(Round % 2));
  }
}

} // namespace
