#include "Compile/CompileBackend.h"

#include "gtest/gtest.h"

#include <atomic>
#include <thread>

using namespace ltocache;

namespace {

TEST(CancelToken, HookRunsOnceOnCancel) {
  CancelToken T;
  int Runs = 0;
  T.onCancel([&] { ++Runs; });
  EXPECT_FALSE(T.cancelled());
  T.cancel();
  T.cancel();
  EXPECT_TRUE(T.cancelled());
  EXPECT_EQ(Runs, 1);
}

TEST(CancelToken, HookRunsAtOnceWhenAlreadyCancelled) {
  CancelToken T;
  T.cancel();
  int Runs = 0;
  T.onCancel([&] { ++Runs; });
  EXPECT_EQ(Runs, 1);
}

TEST(CancelToken, ClearedHookNeverRuns) {
  CancelToken T;
  int Runs = 0;
  T.onCancel([&] { ++Runs; });
  T.clearOnCancel();
  T.cancel();
  EXPECT_EQ(Runs, 0);
  EXPECT_TRUE(T.cancelled());
}

// Whatever the interleaving, once cancel() has returned, work that was
// started has been stopped: the property that lets the distributor exit
// right after its last job is settled without leaving a process behind.
TEST(CancelToken, NothingStartedOutlivesACancel) {
  for (int Round = 0; Round < 2000; ++Round) {
    CancelToken T;
    std::atomic<bool> Started{false}, Stopped{false}, Go{false};
    std::thread Starter([&] {
      while (!Go)
        ;
      T.startUnlessCancelled([&]() -> std::function<void()> {
        Started = true;
        return [&] { Stopped = true; };
      });
    });
    Go = true;
    T.cancel();
    bool StartedAtCancel = Started, StoppedAtCancel = Stopped;
    Starter.join();
    EXPECT_EQ(StartedAtCancel, StoppedAtCancel) << "round " << Round;
    EXPECT_EQ(Started.load(), Stopped.load()) << "round " << Round;
  }
}

// A process that never ends on its own is stopped by a cancel, whenever
// the cancel comes: before the process starts, or while it runs.
TEST(RunProcess, CancelStopsAProcessThatWouldNeverEnd) {
  for (int Round = 0; Round < 20; ++Round) {
    CancelToken T;
    std::atomic<bool> Returned{false};
    llvm::Expected<std::string> Result = std::string();
    std::thread Runner([&] {
      Result = runProcess("/bin/sleep", {"sleep", "infinity"}, &T);
      Returned = true;
    });
    if (Round % 2)
      std::this_thread::yield(); // Vary where the cancel lands.
    T.cancel();
    Runner.join();
    ASSERT_TRUE(Returned);
    ASSERT_TRUE(bool(Result));
    EXPECT_FALSE(Result->empty()) << "a killed process is not a success";
  }
}

TEST(RunProcess, ReportsExitStatus) {
  auto Ok = runProcess("/bin/true", {"true"}, nullptr);
  ASSERT_TRUE(bool(Ok));
  EXPECT_EQ(*Ok, "");
  auto Bad = runProcess("/bin/false", {"false"}, nullptr);
  ASSERT_TRUE(bool(Bad));
  EXPECT_EQ(*Bad, "exit code 1");
  auto Missing = runProcess("/nonexistent/program", {"x"}, nullptr);
  EXPECT_FALSE(bool(Missing));
  llvm::consumeError(Missing.takeError());
}

TEST(ArgsWithOutput, ReplacesOnlyTheOutput) {
  BackendJob J;
  J.Args = {"m.o", "-fthinlto-index=m.thinlto.bc", "-o", "m.native.o"};
  EXPECT_EQ(argsWithOutput(J, "tmp.o"),
            (std::vector<std::string>{"m.o", "-fthinlto-index=m.thinlto.bc",
                                      "-o", "tmp.o"}));
}

} // namespace
