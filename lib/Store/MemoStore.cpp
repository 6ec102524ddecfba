//===- MemoStore.cpp - Key memos kept in a local store --------------------===//

#include "Store/MemoStore.h"
#include "Store/LocalStore.h"

#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

using namespace llvm;

namespace ltocache {

namespace {
class StoreKeyMemo : public KeyMemo {
public:
  explicit StoreKeyMemo(LocalStore &Store) : Store(Store) {}
  /// Memos still being written are finished (a link that exits without
  /// destructors loses them: they are only ever computed again).
  ~StoreKeyMemo() override { Writer.wait(); }
  std::optional<std::string> get(const Digest &Key) override {
    // Memos follow their objects when pruned; no need to mark them used.
    LookupResult R = Store.lookup(Key, /*MarkUsed=*/false);
    if (!R.Hit)
      return std::nullopt;
    return R.Hit->Payload.str();
  }
  /// Written by a thread of its own: creating a file costs ~1 ms of
  /// kernel time here, and keying is on every cold link's critical path.
  void put(const Digest &Key, StringRef Value) override {
    Writer.async([this, Key, Value = Value.str()] {
      consumeError(Store.publish(Key, Value, 0, /*Durable=*/false));
    });
  }

private:
  LocalStore &Store;
  DefaultThreadPool Writer{hardware_concurrency(1)};
};
} // namespace

std::unique_ptr<KeyMemo> createStoreKeyMemo(LocalStore &Store) {
  return std::make_unique<StoreKeyMemo>(Store);
}

} // namespace ltocache
