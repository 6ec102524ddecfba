//===- Entry.cpp - The format of a cache entry ----------------------------===//

#include "ltocache/Entry.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

using namespace llvm;
using namespace llvm::support;

namespace ltocache {

static constexpr char Magic[8] = {'L', 'T', 'O', 'C', 'A', 'C', 'H', 'E'};

/// The checksum covers what the other header checks do not: the compile
/// time and the payload.
static Digest checksum(const char *CompileMicros, StringRef Payload) {
  BLAKE3 H;
  H.update(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(CompileMicros), 8));
  H.update(arrayRefFromStringRef(Payload));
  return H.final<32>();
}

std::string encodeEntry(const Digest &Key, StringRef Payload,
                        uint64_t CompileMicros) {
  bool Aligned = Payload.size() >= ReflinkMinPayload;
  size_t HeaderSize = Aligned ? AlignedEntryHeaderSize : EntryHeaderSize;
  std::string Out;
  Out.reserve(HeaderSize + Payload.size());
  Out.resize(HeaderSize, '\0');
  char *P = Out.data();
  memcpy(P, Magic, 8);
  endian::write32le(P + 8,
                    Aligned ? AlignedEntryFormatVersion : EntryFormatVersion);
  endian::write32le(P + 12, HeaderSize);
  memcpy(P + 16, Key.data(), 32);
  endian::write64le(P + 48, Payload.size());
  endian::write64le(P + 88, CompileMicros);
  Digest Sum = checksum(P + 88, Payload);
  memcpy(P + 56, Sum.data(), 32);
  Out.append(Payload.data(), Payload.size());
  return Out;
}

Expected<DecodedEntry> decodeEntry(StringRef Bytes, const Digest &Key) {
  if (Bytes.size() < EntryHeaderSize)
    return createStringError("truncated header (%zu bytes)", Bytes.size());
  const char *P = Bytes.data();
  if (memcmp(P, Magic, 8) != 0)
    return createStringError("bad magic");
  uint32_t Version = endian::read32le(P + 8);
  size_t HeaderSize;
  if (Version == EntryFormatVersion)
    HeaderSize = EntryHeaderSize;
  else if (Version == AlignedEntryFormatVersion)
    HeaderSize = AlignedEntryHeaderSize;
  else
    return createStringError("format version %u, expected %u or %u", Version,
                             EntryFormatVersion, AlignedEntryFormatVersion);
  if (endian::read32le(P + 12) != HeaderSize)
    return createStringError("bad header size");
  if (Bytes.size() < HeaderSize)
    return createStringError("truncated header (%zu bytes)", Bytes.size());
  // The padding is part of the header: any flipped bit is caught.
  if (Bytes.slice(EntryHeaderSize, HeaderSize).find_first_not_of('\0') !=
      StringRef::npos)
    return createStringError("bad header padding");
  if (memcmp(P + 16, Key.data(), 32) != 0)
    return createStringError("stored under another key");
  uint64_t Length = endian::read64le(P + 48);
  if (Length != Bytes.size() - HeaderSize)
    return createStringError("payload length %llu, file holds %zu",
                             (unsigned long long)Length,
                             Bytes.size() - HeaderSize);
  StringRef Payload = Bytes.drop_front(HeaderSize);
  Digest Sum = checksum(P + 88, Payload);
  if (memcmp(P + 56, Sum.data(), 32) != 0)
    return createStringError("payload checksum mismatch");
  return DecodedEntry{Payload, endian::read64le(P + 88), HeaderSize};
}

} // namespace ltocache
