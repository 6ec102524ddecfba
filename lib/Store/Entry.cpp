//===- Entry.cpp - The format of a cache entry ----------------------------===//

#include "Store/Entry.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

using namespace llvm;
using namespace llvm::support;

namespace ltocache {

static constexpr char Magic[8] = {'L', 'T', 'O', 'C', 'A', 'C', 'H', 'E'};

/// The checksum covers what the other checks do not: the compile time and
/// the payload.
static Digest checksum(const char *CompileMicros, StringRef Payload) {
  BLAKE3 H;
  H.update(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(CompileMicros), 8));
  H.update(arrayRefFromStringRef(Payload));
  return H.final<32>();
}

std::string encodeEntry(const Digest &Key, StringRef Payload,
                        uint64_t CompileMicros) {
  std::string Out;
  Out.reserve(Payload.size() + EntryTrailerSize);
  Out.append(Payload.data(), Payload.size());
  Out.resize(Payload.size() + EntryTrailerSize, '\0');
  char *T = Out.data() + Payload.size();
  memcpy(T, Key.data(), 32);
  endian::write64le(T + 32, Payload.size());
  endian::write64le(T + 72, CompileMicros);
  Digest Sum = checksum(T + 72, Payload);
  memcpy(T + 40, Sum.data(), 32);
  endian::write32le(T + 80, EntryTrailerSize);
  endian::write32le(T + 84, EntryFormatVersion);
  memcpy(T + 88, Magic, 8);
  return Out;
}

/// The fields every format has, at these offsets from \p Fields: key (0),
/// payload length (32), checksum (40), compile time (72).
static Error checkFields(const char *Fields, StringRef Payload,
                         const Digest &Key) {
  if (memcmp(Fields, Key.data(), 32) != 0)
    return createStringError("stored under another key");
  uint64_t Length = endian::read64le(Fields + 32);
  if (Length != Payload.size())
    return createStringError("payload length %llu, file holds %zu",
                             (unsigned long long)Length, Payload.size());
  Digest Sum = checksum(Fields + 72, Payload);
  if (memcmp(Fields + 40, Sum.data(), 32) != 0)
    return createStringError("payload checksum mismatch");
  return Error::success();
}

static Expected<DecodedEntry> decodeHeaderFirst(StringRef Bytes,
                                                const Digest &Key) {
  const char *P = Bytes.data();
  uint32_t Version = endian::read32le(P + 8);
  size_t HeaderSize = Version == HeaderEntryFormatVersion
                          ? HeaderEntryHeaderSize
                          : AlignedEntryHeaderSize;
  if (endian::read32le(P + 12) != HeaderSize)
    return createStringError("bad header size");
  if (Bytes.size() < HeaderSize)
    return createStringError("truncated header (%zu bytes)", Bytes.size());
  // The padding is part of the header: any flipped bit is caught.
  if (Bytes.slice(HeaderEntryHeaderSize, HeaderSize).find_first_not_of('\0') !=
      StringRef::npos)
    return createStringError("bad header padding");
  StringRef Payload = Bytes.drop_front(HeaderSize);
  if (Error E = checkFields(P + 16, Payload, Key))
    return std::move(E);
  return DecodedEntry{Payload, endian::read64le(P + 88), HeaderSize,
                      /*ObjectFirst=*/false};
}

/// Formats 1 and 2 begin with the magic and their version; a format-3
/// entry begins with its object, which never does.
static bool isHeaderFirst(StringRef Bytes) {
  if (Bytes.size() < 12 || memcmp(Bytes.data(), Magic, 8) != 0)
    return false;
  uint32_t Version = endian::read32le(Bytes.data() + 8);
  return Version == HeaderEntryFormatVersion ||
         Version == AlignedEntryFormatVersion;
}

std::optional<Digest> claimedEntryKey(StringRef Bytes) {
  const char *Fields;
  if (isHeaderFirst(Bytes) && Bytes.size() >= HeaderEntryHeaderSize)
    Fields = Bytes.data() + 16;
  else if (Bytes.size() >= EntryTrailerSize &&
           memcmp(Bytes.end() - 8, Magic, 8) == 0)
    Fields = Bytes.end() - EntryTrailerSize;
  else
    return std::nullopt;
  Digest Key;
  memcpy(Key.data(), Fields, Key.size());
  return Key;
}

Expected<DecodedEntry> decodeEntry(StringRef Bytes, const Digest &Key) {
  if (isHeaderFirst(Bytes))
    return decodeHeaderFirst(Bytes, Key);
  if (Bytes.size() < EntryTrailerSize)
    return createStringError("truncated (%zu bytes)", Bytes.size());
  const char *T = Bytes.end() - EntryTrailerSize;
  if (memcmp(T + 88, Magic, 8) != 0)
    return createStringError("bad magic");
  uint32_t Version = endian::read32le(T + 84);
  if (Version != EntryFormatVersion)
    return createStringError("format version %u, expected %u", Version,
                             EntryFormatVersion);
  if (endian::read32le(T + 80) != EntryTrailerSize)
    return createStringError("bad trailer size");
  StringRef Payload = Bytes.drop_back(EntryTrailerSize);
  if (Error E = checkFields(T, Payload, Key))
    return std::move(E);
  return DecodedEntry{Payload, endian::read64le(T + 72), 0,
                      /*ObjectFirst=*/true};
}

} // namespace ltocache
