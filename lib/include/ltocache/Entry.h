//===- Entry.h - The on-disk (and on-wire) format of a cache entry -*- C++
//-*-===//
//
//   offset  size  field
//        0     8  magic "LTOCACHE"
//        8     4  format version (u32 LE): 1 or 2
//       12     4  header size (u32 LE): 96 in version 1, 4096 in version 2
//       16    32  the key the entry was stored under
//       48     8  payload length (u64 LE)
//       56    32  BLAKE3 of the compile time (8 bytes) and the payload
//       88     8  compile time that produced the payload, microseconds
//       96     -  version 1: payload (the object file)
//                 version 2: zeros up to 4096, then the payload
//
// Version 2 is written for payloads of ReflinkMinPayload bytes or more: the
// payload starts on a filesystem block, so a hit can hand it to lld as a
// reflink (shared blocks) instead of a copy. Smaller payloads stay version
// 1, where 4 KiB of padding would cost more than the copy it saves.
//
// A reader verifies all of it: a torn, flipped, foreign or misfiled entry
// can never be returned as a hit.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_ENTRY_H
#define LTOCACHE_ENTRY_H

#include "ltocache/CacheKey.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace ltocache {

constexpr uint32_t EntryFormatVersion = 1;
constexpr size_t EntryHeaderSize = 96;
constexpr uint32_t AlignedEntryFormatVersion = 2;
constexpr size_t AlignedEntryHeaderSize = 4096;
constexpr size_t ReflinkMinPayload = 64 * 1024;

/// Version 1 for small payloads, version 2 (payload at 4096) for payloads of
/// ReflinkMinPayload bytes or more.
std::string encodeEntry(const Digest &Key, llvm::StringRef Payload,
                        uint64_t CompileMicros);

struct DecodedEntry {
  llvm::StringRef Payload; ///< Points into the encoded bytes.
  uint64_t CompileMicros = 0;
  size_t PayloadOffset = EntryHeaderSize; ///< Where the payload starts.
};

/// Verifies \p Bytes as an entry stored under \p Key. The error says what
/// is wrong (bad magic, version, key, length or checksum).
llvm::Expected<DecodedEntry> decodeEntry(llvm::StringRef Bytes,
                                         const Digest &Key);

} // namespace ltocache

#endif
