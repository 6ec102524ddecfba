//===- CompileServerGate.h - How many compiles the server runs --*- C++ -*-===//
//
// The compile server runs at most N wanted compiles at once. A cancelled
// compile cannot be stopped (clang's code on a thread), so it gives its
// slot to the next request and runs on at the lowest priority, its result
// dropped; at most N such abandoned compiles run at once (a burst of
// cancels must not pile up compiles and their memory): past that, a
// cancelled compile keeps its slot until it ends. A request cancelled
// before it starts never runs.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_COMPILE_COMPILESERVERGATE_H
#define LTOCACHE_COMPILE_COMPILESERVERGATE_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace ltocache {

class CompileServerGate {
public:
  /// One request's place at the gate.
  class Ticket {
  public:
    /// Waits until the request is cancelled or \p Limit passes; true if
    /// it was cancelled.
    bool waitForCancel(std::chrono::milliseconds Limit);

  private:
    friend class CompileServerGate;
    explicit Ticket(CompileServerGate &Gate) : Gate(Gate) {}
    CompileServerGate &Gate;
    bool Cancelled = false;
    bool Running = false;
    bool HoldsSlot = false;
    int Tid = 0;
  };

  /// \p LowerPriority is called (under the gate's lock) with the thread id
  /// of a compile that gave up its slot; by default it renices the thread
  /// to 19.
  explicit CompileServerGate(unsigned Slots,
                             std::function<void(int Tid)> LowerPriority = {});

  /// Registers request \p Id, so that a cancel can find it.
  std::shared_ptr<Ticket> add(uint64_t Id);
  /// Waits for a slot, on the thread that will compile; false if the
  /// request was cancelled first (it must not run).
  bool enter(Ticket &T);
  /// The compile ended; true if its result is still wanted.
  bool leave(Ticket &T, uint64_t Id);
  /// The client no longer wants request \p Id (unknown ids are ignored:
  /// the request was already answered).
  void cancel(uint64_t Id);

  /// How many wanted compiles run at once.
  unsigned slots() const { return Slots; }
  /// Slots held, and abandoned compiles running (for tests).
  unsigned active() const;
  unsigned abandoned() const;

private:
  const unsigned Slots;
  std::function<void(int)> LowerPriority;
  mutable std::mutex Lock;
  std::condition_variable Changed;
  unsigned Active = 0;
  unsigned Abandoned = 0;
  std::map<uint64_t, std::shared_ptr<Ticket>> Live;
};

} // namespace ltocache

#endif
