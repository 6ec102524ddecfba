//===- Entry.h - The on-disk (and on-wire) format of a cache entry -*- C++
//-*-===//
//
// Format 3 (written): the object first, then a 96-byte trailer.
//
//   offset from the trailer's start   size  field
//        0    32  the key the entry was stored under
//       32     8  payload length (u64 LE)
//       40    32  BLAKE3 of the compile time (8 bytes) and the payload
//       72     8  compile time that produced the payload, microseconds
//       80     4  trailer size (u32 LE): 96
//       84     4  format version (u32 LE): 3
//       88     8  magic "LTOCACHE" (the file's last bytes)
//
// With the object at offset 0 the entry file itself is a valid object (ELF
// readers, lld among them, ignore bytes after the section headers), so a
// hit is handed to lld as a hard link or a reflink of the whole entry: no
// new inode, no copy.
//
// Formats 1 and 2 (read, no longer written) put a header first: magic,
// version (1 or 2), header size (96 or 4096), key, length, checksum and
// compile time at the same relative offsets, then the payload at 96 or (2)
// zeros up to 4096 and the payload there.
//
// A reader verifies all of it: a torn, flipped, foreign or misfiled entry
// can never be returned as a hit.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_STORE_ENTRY_H
#define LTOCACHE_STORE_ENTRY_H

#include "Key/CacheKey.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace ltocache {

constexpr uint32_t EntryFormatVersion = 3;
constexpr size_t EntryTrailerSize = 96;
/// The header-first formats, still read.
constexpr uint32_t HeaderEntryFormatVersion = 1;
constexpr size_t HeaderEntryHeaderSize = 96;
constexpr uint32_t AlignedEntryFormatVersion = 2;
constexpr size_t AlignedEntryHeaderSize = 4096;

/// Encodes \p Payload in format 3.
std::string encodeEntry(const Digest &Key, llvm::StringRef Payload,
                        uint64_t CompileMicros);

struct DecodedEntry {
  llvm::StringRef Payload; ///< Points into the encoded bytes.
  uint64_t CompileMicros = 0;
  size_t PayloadOffset = 0; ///< Where the payload starts.
  /// Format 3: the entry file can be given to a linker as the object.
  bool ObjectFirst = true;
};

/// Verifies \p Bytes as an entry (any format) stored under \p Key. The
/// error says what is wrong (bad magic, version, key, length or checksum).
llvm::Expected<DecodedEntry> decodeEntry(llvm::StringRef Bytes,
                                         const Digest &Key);

/// The key \p Bytes says it was stored under, unverified (for tools); none
/// if it is not shaped like an entry.
std::optional<Digest> claimedEntryKey(llvm::StringRef Bytes);

} // namespace ltocache

#endif
