//===- FileDigests.h - Input digests, once per link -------------*- C++ -*-===//
#ifndef LTOCACHE_KEY_FILEDIGESTS_H
#define LTOCACHE_KEY_FILEDIGESTS_H

#include "Key/CacheKey.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <mutex>

namespace ltocache {

/// Digests of input files, each file read and hashed once per link.
/// Thread-safe.
class FileDigests {
public:
  llvm::Expected<Digest> get(llvm::StringRef Path);
  void remember(llvm::StringRef Path, const Digest &D);

private:
  std::mutex Lock;
  llvm::StringMap<Digest> Known;
};

} // namespace ltocache

#endif
