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
  H.update(ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(CompileMicros),
                             8));
  H.update(arrayRefFromStringRef(Payload));
  return H.final<32>();
}

std::string encodeEntry(const Digest &Key, StringRef Payload,
                        uint64_t CompileMicros) {
  std::string Out(EntryHeaderSize, '\0');
  char *P = Out.data();
  memcpy(P, Magic, 8);
  endian::write32le(P + 8, EntryFormatVersion);
  endian::write32le(P + 12, EntryHeaderSize);
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
  if (Version != EntryFormatVersion)
    return createStringError("format version %u, expected %u", Version,
                             EntryFormatVersion);
  if (endian::read32le(P + 12) != EntryHeaderSize)
    return createStringError("bad header size");
  if (memcmp(P + 16, Key.data(), 32) != 0)
    return createStringError("stored under another key");
  uint64_t Length = endian::read64le(P + 48);
  if (Length != Bytes.size() - EntryHeaderSize)
    return createStringError("payload length %llu, file holds %zu",
                             (unsigned long long)Length,
                             Bytes.size() - EntryHeaderSize);
  StringRef Payload = Bytes.drop_front(EntryHeaderSize);
  Digest Sum = checksum(P + 88, Payload);
  if (memcmp(P + 56, Sum.data(), 32) != 0)
    return createStringError("payload checksum mismatch");
  return DecodedEntry{Payload, endian::read64le(P + 88)};
}

} // namespace ltocache
