#include "ltocache/Entry.h"

#include "TestUtil.h"

#include "llvm/Support/Endian.h"

#include "gtest/gtest.h"

using namespace ltocache;
using namespace ltocache::test;

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

TEST(Entry, LayoutMatchesDocumentation) {
  std::string Payload = "object";
  std::string E = encodeEntry(KeyA, Payload, 0x0102030405060708ULL);
  using namespace llvm::support;
  ASSERT_EQ(E.size(), EntryHeaderSize + Payload.size());
  EXPECT_EQ(E.substr(0, 8), "LTOCACHE");
  EXPECT_EQ(endian::read32le(E.data() + 8), EntryFormatVersion);
  EXPECT_EQ(endian::read32le(E.data() + 12), EntryHeaderSize);
  EXPECT_EQ(0, memcmp(E.data() + 16, KeyA.data(), 32));
  EXPECT_EQ(endian::read64le(E.data() + 48), Payload.size());
  Digest Sum = hashBytes(E.substr(88, 8) + Payload);
  EXPECT_EQ(0, memcmp(E.data() + 56, Sum.data(), 32));
  EXPECT_EQ(endian::read64le(E.data() + 88), 0x0102030405060708ULL);
  EXPECT_EQ(E.substr(EntryHeaderSize), Payload);
}

TEST(Entry, RoundTrip) {
  std::string Payload = samplePayload();
  std::string E = encodeEntry(KeyA, Payload, 1234567);
  auto D = decodeEntry(E, KeyA);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(D->Payload, Payload);
  EXPECT_EQ(D->CompileMicros, 1234567u);
  // The payload points into the encoded bytes (no copy).
  EXPECT_EQ(D->Payload.data(), E.data() + EntryHeaderSize);
}

TEST(Entry, RoundTripEmptyPayloadAndLargeMicros) {
  std::string E = encodeEntry(KeyA, "", UINT64_MAX);
  EXPECT_EQ(E.size(), EntryHeaderSize);
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

TEST(Entry, EmptyInputIsError) {
  EXPECT_CONTAINS(decodeError("", KeyA), "truncated header");
}

TEST(Entry, TruncatedHeaderIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  for (size_t N : {size_t(1), size_t(8), size_t(55), EntryHeaderSize - 1})
    EXPECT_CONTAINS(decodeError(llvm::StringRef(E).take_front(N), KeyA),
                    "truncated header");
}

TEST(Entry, TruncatedPayloadIsError) {
  std::string Payload = samplePayload();
  std::string E = encodeEntry(KeyA, Payload, 1);
  // Header only, and header plus part of the payload.
  EXPECT_CONTAINS(
      decodeError(llvm::StringRef(E).take_front(EntryHeaderSize), KeyA),
      "payload length 1000, file holds 0");
  EXPECT_CONTAINS(decodeError(llvm::StringRef(E).drop_back(1), KeyA),
                  "payload length 1000, file holds 999");
  EXPECT_CONTAINS(
      decodeError(llvm::StringRef(E).drop_back(Payload.size() / 2), KeyA),
      "payload length");
}

TEST(Entry, TrailingGarbageIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  EXPECT_CONTAINS(decodeError(E + "x", KeyA),
                  "payload length 1000, file holds 1001");
  // A second entry appended (two writers interleaving) is not accepted.
  EXPECT_CONTAINS(decodeError(E + E, KeyA), "payload length");
}

TEST(Entry, FlippedPayloadByteIsChecksumError) {
  std::string Payload = samplePayload();
  std::string E = encodeEntry(KeyA, Payload, 1);
  for (size_t Off : {size_t(0), Payload.size() / 2, Payload.size() - 1}) {
    std::string Bad = E;
    Bad[EntryHeaderSize + Off] ^= 0x01;
    EXPECT_CONTAINS(decodeError(Bad, KeyA), "checksum");
  }
}

TEST(Entry, FlippedStoredChecksumIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  E[56 + 5] ^= 0x40;
  EXPECT_CONTAINS(decodeError(E, KeyA), "checksum");
}

TEST(Entry, FlippedMagicIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  for (size_t Off = 0; Off < 8; ++Off) {
    std::string Bad = E;
    Bad[Off] ^= 0x20;
    EXPECT_CONTAINS(decodeError(Bad, KeyA), "bad magic");
  }
}

TEST(Entry, WrongVersionIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  llvm::support::endian::write32le(E.data() + 8, 3);
  EXPECT_CONTAINS(decodeError(E, KeyA), "format version 3, expected 1 or 2");
  // Version 2 says the header is 4096 bytes; this one's is 96.
  llvm::support::endian::write32le(E.data() + 8, AlignedEntryFormatVersion);
  EXPECT_CONTAINS(decodeError(E, KeyA), "header size");
  llvm::support::endian::write32le(E.data() + 8, 0);
  EXPECT_CONTAINS(decodeError(E, KeyA), "format version 0");
}

TEST(Entry, WrongHeaderSizeIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  llvm::support::endian::write32le(E.data() + 12, EntryHeaderSize + 8);
  EXPECT_CONTAINS(decodeError(E, KeyA), "header size");
}

TEST(Entry, WrongKeyIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  EXPECT_CONTAINS(decodeError(E, KeyB), "another key");
  // One flipped bit in the stored key.
  std::string Bad = E;
  Bad[16 + 31] ^= 0x80;
  EXPECT_CONTAINS(decodeError(Bad, KeyA), "another key");
}

TEST(Entry, CorruptLengthFieldIsError) {
  std::string E = encodeEntry(KeyA, samplePayload(), 1);
  // A huge length must not overflow into acceptance or a crash.
  llvm::support::endian::write64le(E.data() + 48, UINT64_MAX);
  EXPECT_CONTAINS(decodeError(E, KeyA), "payload length");
  llvm::support::endian::write64le(E.data() + 48, 999);
  EXPECT_CONTAINS(decodeError(E, KeyA), "payload length 999, file holds 1000");
}

/// Flips one bit of every \p Step-th byte of \p E's first \p End bytes in
/// turn; each damaged copy must fail verification.
void expectEveryFlipDetected(const std::string &E, size_t End, size_t Step) {
  for (size_t Off = 0; Off < End; Off += Step) {
    std::string Bad = E;
    Bad[Off] ^= 0x01;
    auto D = decodeEntry(Bad, KeyA);
    EXPECT_FALSE(static_cast<bool>(D)) << "byte " << Off << " flip accepted";
    if (!D)
      llvm::consumeError(D.takeError());
  }
}

TEST(Entry, EveryHeaderByteFlipIsDetected) {
  // Flipping any single byte of the header makes the entry fail
  // verification (the checksum covers the compile time too).
  expectEveryFlipDetected(encodeEntry(KeyA, samplePayload(), 42),
                          EntryHeaderSize, 1);
}

std::string largePayload() {
  std::string P;
  for (size_t I = 0; I < ReflinkMinPayload + 123; ++I)
    P.push_back(static_cast<char>(I * 13 + I / 7));
  return P;
}

TEST(Entry, LargePayloadStartsOnABlock) {
  std::string Payload = largePayload();
  std::string E = encodeEntry(KeyA, Payload, 77);
  using namespace llvm::support;
  ASSERT_EQ(E.size(), AlignedEntryHeaderSize + Payload.size());
  EXPECT_EQ(endian::read32le(E.data() + 8), AlignedEntryFormatVersion);
  EXPECT_EQ(endian::read32le(E.data() + 12), AlignedEntryHeaderSize);
  EXPECT_EQ(llvm::StringRef(E).slice(EntryHeaderSize, AlignedEntryHeaderSize),
            std::string(AlignedEntryHeaderSize - EntryHeaderSize, '\0'));
  EXPECT_EQ(E.substr(AlignedEntryHeaderSize), Payload);
  auto D = decodeEntry(E, KeyA);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(D->PayloadOffset, AlignedEntryHeaderSize);
  EXPECT_EQ(D->Payload, Payload);
  EXPECT_EQ(D->CompileMicros, 77u);
}

TEST(Entry, JustBelowTheThresholdStaysVersion1) {
  std::string Payload(ReflinkMinPayload - 1, 'x');
  std::string E = encodeEntry(KeyA, Payload, 1);
  EXPECT_EQ(E.size(), EntryHeaderSize + Payload.size());
  auto D = decodeEntry(E, KeyA);
  ASSERT_TRUE(static_cast<bool>(D)) << errorMessage(D);
  EXPECT_EQ(D->PayloadOffset, EntryHeaderSize);
}

TEST(Entry, AlignedHeaderDamageIsDetected) {
  std::string E = encodeEntry(KeyA, largePayload(), 5);
  // Any byte of the 4096-byte header, padding included; stepping by 7
  // keeps the test fast and still visits every field.
  expectEveryFlipDetected(E, AlignedEntryHeaderSize, 7);
  EXPECT_CONTAINS(decodeError(llvm::StringRef(E).take_front(4000), KeyA),
                  "truncated header");
  std::string Bad = E;
  Bad[2000] = 'x';
  EXPECT_CONTAINS(decodeError(Bad, KeyA), "bad header padding");
}

} // namespace
