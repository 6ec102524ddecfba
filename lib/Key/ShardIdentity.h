//===- ShardIdentity.h - A summary shard's digest without paths -*- C++ -*-===//
//
// lld writes one summary shard per job, naming every module by its path;
// archive members get names with lld's process id in them, different every
// link. To remember what a shard canonicalises to across links, it is
// identified by its records with every module path replaced by an identity
// of the file behind it (the digest of its content), read straight from the
// bitstream: no index is parsed, nothing is re-serialised.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_SHARDIDENTITY_H
#define LTOCACHE_KEY_SHARDIDENTITY_H

#include "Key/CacheKey.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <optional>
#include <string>

namespace ltocache {

/// The digest of every record of \p Shard, each module path (the module
/// string table's entries) replaced by \p Identity of it. Nothing if the
/// shard cannot be walked or a path has no identity: the caller then does
/// without (a memo it cannot look up is a miss, never a wrong value).
std::optional<Digest> shardIdentity(
    llvm::MemoryBufferRef Shard,
    llvm::function_ref<std::optional<std::string>(llvm::StringRef Path)>
        Identity);

} // namespace ltocache

#endif
