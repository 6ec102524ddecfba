//===- KeyMemo.h - Remembered key inputs ------------------------*- C++ -*-===//
//
// Values that are pure functions of their memo key (the canonical digest of
// a shard, the recipe of a module) are remembered across links, so warm
// links skip parsing bitcode. Where they are kept is the caller's choice
// (Store/MemoStore.h keeps them as verified entries); a lost or bad value is
// simply computed again.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_KEYMEMO_H
#define LTOCACHE_KEY_KEYMEMO_H

#include "Key/CacheKey.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace ltocache {

class KeyMemo {
public:
  virtual ~KeyMemo() = default;
  virtual std::optional<std::string> get(const Digest &Key) = 0;
  /// As get(), where a miss is not yet news (another memo may answer):
  /// a wrapper that acts on misses does not.
  virtual std::optional<std::string> peek(const Digest &Key) {
    return get(Key);
  }
  virtual void put(const Digest &Key, llvm::StringRef Value) = 0;
};

} // namespace ltocache

#endif
