#include "Store/Entry.h"

#include "TestUtil.h"

#include "llvm/Support/Endian.h"

#include "gtest/gtest.h"

using namespace ltocache;
using namespace ltocache::test;
using namespace llvm::support;

namespace {

const Digest KeyA = hashBytes("key A");
const Digest KeyB = hashBytes("key B");

std::string samplePayload() {
  std::string P;
  for (int I = 0; I < 1000; ++I)
    P.push_back(static_cast<char>(I * 7));
  return P;
}

/// Decodes \p Bytes under \p Key expecting an error; returns its message.
std::string decodeError(llvm::StringRef Bytes, const Digest &Key) {
  auto D = decodeEntry(Bytes, Key);
  if (D) {
    ADD_FAILURE() << "decoded a bad entry; payload size " << D->Payload.size();
    return "";
  }
  return toString(D.takeError());
}

/// Where the trailer of a format-3 entry \p E starts.
size_t trailer(const std::string &E) { return E.size() - EntryTrailerSize; }

TEST(Entry, LayoutMatchesDocumentation) {
  std::string Payload = "object";
  std::string E = encodeEntry(KeyA, Payload, 0x0102030405060708ULL);
  ASSERT_EQ(E.size(), Payload.size() + EntryTrailerSize);
  EXPECT_EQ(E.substr(0, Payload.size()), Payload);
  const char *T = E.data() + trailer(E);
  EXPECT_EQ(0, memcmp(T, KeyA.data(), 32));
  EXPECT_EQ(endian::read64le(T + 32), Payload.size());
  Digest Sum = hashBytes(std::string(T + 72, 8) + Payload);
  EXPECT_EQ(0, memcmp(T + 40, Sum.data(), 32));
  EXPECT_EQ(endian::read64le(T + 72), 0x0102030405060708ULL);
  EXPECT_EQ(endian::read32le(T + 80), EntryTrailerSize);
  EXPECT_EQ(endian::read32le(T + 84), 3u);
  EXPECT_EQ(E.substr(E.size() - 8), "LTOCACHE");
  EXPECT_EQ(claimedEntryKey(E), KeyA);
}

TEST(Entry, RoundTrip) {
  std::string Payload = samplePayload();
  std::string E = encodeEntry(KeyA, Payload, 1234567);
  auto D = decodeEntry(E, KeyA);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(D->Payload, Payload);
  EXPECT_EQ(D->CompileMicros, 1234567u);
  // The object comes first: the entry file can be linked as is.
  EXPECT_EQ(D->Payload.data(), E.data());
  EXPECT_EQ(D->PayloadOffset, 0u);
  EXPECT_TRUE(D->ObjectFirst);
}

TEST(Entry, RoundTripEmptyPayloadAndLargeMicros) {
  std::string E = encodeEntry(KeyA, "", UINT64_MAX);
  EXPECT_EQ(E.size(), EntryTrailerSize);
  auto D = decodeEntry(E, KeyA);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_TRUE(D->Payload.empty());
  EXPECT_EQ(D->CompileMicros, UINT64_MAX);
}

TEST(Entry, RoundTripBinaryPayload) {
  std::string Payload("\0\xff\x7f\x80\0", 5);
  std::string E = encodeEntry(KeyB, Payload, 0);
  auto D = decodeEntry(E, KeyB);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(D->Payload, Payload);
  EXPECT_EQ(D->CompileMicros, 0u);
}

TEST(Entry, PayloadThatLooksLikeAnOldHeaderStillDecodes) {
  // Only a header-first entry of a known version is read as one.
  std::string Payload = "LTOCACHE";
  Payload += std::string("\x07\0\0\0", 4) + samplePayload();
  std::string E = encodeEntry(KeyA, Payload, 3);
  auto D = decodeEntry(E, KeyA);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(D->Payload, Payload);
}

TEST(Entry, EmptyInputIsError) {
  EXPECT_CONTAINS(decodeError("", KeyA), "truncated");
  EXPECT_FALSE(claimedEntryKey("").has_value());
}

TEST(Entry, TruncatedEntryIsError) {
  // A torn write keeps a prefix: the trailer (and its magic) is gone.
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  for (size_t N : {size_t(1), size_t(8), EntryTrailerSize - 1, EntryTrailerSize,
                   size_t(600), E.size() - 1})
    EXPECT_FALSE(decodeError(llvm::StringRef(E).take_front(N), KeyA).empty());
  EXPECT_CONTAINS(decodeError(llvm::StringRef(E).take_front(95), KeyA),
                  "truncated");
  EXPECT_CONTAINS(decodeError(llvm::StringRef(E).drop_back(1), KeyA),
                  "bad magic");
}

TEST(Entry, TrailingGarbageIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  EXPECT_CONTAINS(decodeError(E + "x", KeyA), "bad magic");
  // A second entry appended (two writers interleaving) is not accepted.
  EXPECT_CONTAINS(decodeError(E + E, KeyA), "payload length 1000, file holds");
}

TEST(Entry, FlippedPayloadByteIsChecksumError) {
  std::string Payload = samplePayload();
  std::string E = encodeEntry(KeyA, Payload, 1);
  for (size_t Off : {size_t(0), Payload.size() / 2, Payload.size() - 1}) {
    std::string Bad = E;
    Bad[Off] ^= 0x01;
    EXPECT_CONTAINS(decodeError(Bad, KeyA), "checksum");
  }
}

TEST(Entry, FlippedStoredChecksumIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  E[trailer(E) + 40 + 5] ^= 0x40;
  EXPECT_CONTAINS(decodeError(E, KeyA), "checksum");
}

TEST(Entry, FlippedMagicIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  for (size_t Off = E.size() - 8; Off < E.size(); ++Off) {
    std::string Bad = E;
    Bad[Off] ^= 0x20;
    EXPECT_CONTAINS(decodeError(Bad, KeyA), "bad magic");
  }
}

TEST(Entry, WrongVersionOrTrailerSizeIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  endian::write32le(E.data() + trailer(E) + 84, 4);
  EXPECT_CONTAINS(decodeError(E, KeyA), "format version 4, expected 3");
  E = encodeEntry(KeyA, samplePayload(), 1);
  endian::write32le(E.data() + trailer(E) + 80, 4096);
  EXPECT_CONTAINS(decodeError(E, KeyA), "trailer size");
}

TEST(Entry, WrongKeyIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  EXPECT_CONTAINS(decodeError(E, KeyB), "another key");
  // One flipped bit in the stored key.
  std::string Bad = E;
  Bad[trailer(E) + 31] ^= 0x80;
  EXPECT_CONTAINS(decodeError(Bad, KeyA), "another key");
}

TEST(Entry, CorruptLengthFieldIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  // A huge length must not overflow into acceptance or a crash.
  endian::write64le(E.data() + trailer(E) + 32, UINT64_MAX);
  EXPECT_CONTAINS(decodeError(E, KeyA), "payload length");
  endian::write64le(E.data() + trailer(E) + 32, 999);
  EXPECT_CONTAINS(decodeError(E, KeyA), "payload length 999, file holds 1000");
}

/// Flips one bit of every \p Step-th byte of \p E in [Begin, End) in turn;
/// each damaged copy must fail verification.
void expectEveryFlipDetected(const std::string &E, const Digest &Key,
                             size_t Begin, size_t End, size_t Step) {
  for (size_t Off = Begin; Off < End; Off += Step) {
    std::string Bad = E;
    Bad[Off] ^= 0x01;
    auto D = decodeEntry(Bad, Key);
    EXPECT_FALSE(static_cast<bool>(D)) << "byte " << Off << " flip accepted";
    if (!D)
      llvm::consumeError(D.takeError());
  }
}

TEST(Entry, EveryByteFlipIsDetected) {
  // Any single byte, trailer or object (the checksum covers the compile
  // time too).
  std::string E = encodeEntry(KeyA, samplePayload(), 42);
  expectEveryFlipDetected(E, KeyA, 0, E.size(), 1);
}

TEST(Entry, OlderFormatsAreStillRead) {
  std::string Payload = samplePayload();
  for (uint32_t Version : {1u, 2u}) {
    std::string E = headerFirstEntry(KeyA, Payload, 77, Version);
    auto D = decodeEntry(E, KeyA);
    ASSERT_TRUE(static_cast<bool>(D)) << Version << ": " << errorMessage(D);
    EXPECT_EQ(D->Payload, Payload);
    EXPECT_EQ(D->CompileMicros, 77u);
    EXPECT_EQ(D->PayloadOffset, Version == 1 ? 96u : 4096u);
    EXPECT_FALSE(D->ObjectFirst);
    EXPECT_EQ(claimedEntryKey(E), KeyA);
    EXPECT_CONTAINS(decodeError(E, KeyB), "another key");
  }
}

TEST(Entry, OlderFormatDamageIsDetected) {
  std::string Payload = samplePayload();
  std::string V1 = headerFirstEntry(KeyA, Payload, 5, 1);
  // Every byte of the header bar the magic and version (changing those
  // makes it another format), and some of the payload.
  expectEveryFlipDetected(V1, KeyA, 12, V1.size(), 1);
  std::string V2 = headerFirstEntry(KeyA, Payload, 5, 2);
  // Stepping by 7 keeps the test fast and still visits every field and
  // the padding.
  expectEveryFlipDetected(V2, KeyA, 12, V2.size(), 7);
  EXPECT_CONTAINS(decodeError(llvm::StringRef(V2).take_front(4000), KeyA),
                  "truncated header");
  std::string Bad = V2;
  Bad[2000] = 'x';
  EXPECT_CONTAINS(decodeError(Bad, KeyA), "bad header padding");
  Bad = V1;
  endian::write32le(Bad.data() + 12, 104);
  EXPECT_CONTAINS(decodeError(Bad, KeyA), "header size");
}

} // namespace
