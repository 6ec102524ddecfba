//===- MemoStore.h - Key memos kept in a local store ------------*- C++ -*-===//
//
// The KeyMemo of a link: memos are verified entries in the store's "memo"
// area (LocalStore.h), written without a flush by a thread of their own.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_STORE_MEMOSTORE_H
#define LTOCACHE_STORE_MEMOSTORE_H

#include "Key/KeyMemo.h"

#include <memory>

namespace ltocache {

class LocalStore;

/// Memos in \p Store (opened on its "memo" area).
std::unique_ptr<KeyMemo> createStoreKeyMemo(LocalStore &Store);

} // namespace ltocache

#endif
