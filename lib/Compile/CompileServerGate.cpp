//===- CompileServerGate.cpp - How many compiles the server runs ----------===//

#include "Compile/CompileServerGate.h"

#include <algorithm>
#include <sys/resource.h>
#include <unistd.h>

namespace ltocache {

CompileServerGate::CompileServerGate(unsigned Slots,
                                     std::function<void(int)> LowerPriority)
    : Slots(std::max(1u, Slots)), LowerPriority(std::move(LowerPriority)) {
  if (!this->LowerPriority)
    this->LowerPriority = [](int Tid) { ::setpriority(PRIO_PROCESS, Tid, 19); };
}

std::shared_ptr<CompileServerGate::Ticket> CompileServerGate::add(uint64_t Id) {
  std::shared_ptr<Ticket> T(new Ticket(*this));
  std::lock_guard<std::mutex> G(Lock);
  Live[Id] = T;
  return T;
}

bool CompileServerGate::enter(Ticket &T) {
  std::unique_lock<std::mutex> L(Lock);
  Changed.wait(L, [&] { return T.Cancelled || Active < Slots; });
  if (T.Cancelled)
    return false;
  ++Active;
  T.Running = T.HoldsSlot = true;
  T.Tid = ::gettid();
  return true;
}

bool CompileServerGate::leave(Ticket &T, uint64_t Id) {
  std::lock_guard<std::mutex> G(Lock);
  if (T.HoldsSlot)
    --Active;
  else if (T.Running)
    --Abandoned;
  T.Running = T.HoldsSlot = false;
  Live.erase(Id);
  Changed.notify_all();
  return !T.Cancelled;
}

void CompileServerGate::cancel(uint64_t Id) {
  std::lock_guard<std::mutex> G(Lock);
  auto It = Live.find(Id);
  if (It == Live.end())
    return;
  Ticket &T = *It->second;
  if (T.Cancelled)
    return;
  T.Cancelled = true;
  if (T.Running && T.HoldsSlot && Abandoned < Slots) {
    T.HoldsSlot = false;
    --Active;
    ++Abandoned;
    LowerPriority(T.Tid);
  }
  // Wakes a request waiting for a slot (it was cancelled, or one is free)
  // and a test's held compile.
  Changed.notify_all();
}

bool CompileServerGate::Ticket::waitForCancel(std::chrono::milliseconds Limit) {
  std::unique_lock<std::mutex> L(Gate.Lock);
  return Gate.Changed.wait_for(L, Limit, [&] { return Cancelled; });
}

unsigned CompileServerGate::active() const {
  std::lock_guard<std::mutex> G(Lock);
  return Active;
}

unsigned CompileServerGate::abandoned() const {
  std::lock_guard<std::mutex> G(Lock);
  return Abandoned;
}

} // namespace ltocache
