//===- SignedEntryTest.cpp - Signed remote entries and their keys ---------===//

#include "Remote/SignedEntry.h"
#include "Remote/RemoteStore.h"
#include "Remote/SigningKeys.h"
#include "Store/Entry.h"
#include "TestUtil.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace ltocache;
using namespace ltocache::test;

namespace {

std::string fileText(const std::string &Path) {
  auto B = llvm::MemoryBuffer::getFile(Path);
  return B ? (*B)->getBuffer().str() : std::string();
}

class SignedEntryTest : public ::testing::Test {
protected:
  void SetUp() override {
    for (const char *Name : {"ci", "other"}) {
      auto Pub = generateKeyFiles(Dir.sub(Name));
      ASSERT_TRUE(bool(Pub)) << llvm::toString(Pub.takeError());
    }
    auto K = readSigningKey(Dir.sub("ci.key"));
    ASSERT_TRUE(bool(K)) << llvm::toString(K.takeError());
    Key = std::move(*K);
    auto Other = readSigningKey(Dir.sub("other.key"));
    ASSERT_TRUE(bool(Other));
    OtherKey = std::move(*Other);
    auto T = readTrustedKeys({Dir.sub("ci.pub")});
    ASSERT_TRUE(bool(T));
    Trusted = std::move(*T);
  }

  TempDir Dir;
  std::unique_ptr<SigningKey> Key, OtherKey;
  std::vector<PublicKey> Trusted;
  Digest Name = hashBytes("job"), OtherName = hashBytes("another job");
  std::string Entry = encodeEntry(Name, "object bytes", 42);
};

TEST_F(SignedEntryTest, SignedEntryIsTrustedAndUnwrapped) {
  std::string Signed = signEntry(Name, Entry, *Key);
  EXPECT_EQ(Signed.size(), Entry.size() + SignatureBlockSize);
  TrustCheck C = checkSignature(Name, Signed, Trusted);
  EXPECT_TRUE(C.Trusted) << C.Why;
  EXPECT_EQ(C.Entry, Entry);
  EXPECT_EQ(stripSignature(Signed), Entry);
  EXPECT_EQ(stripSignature(Entry), Entry);
  EXPECT_EQ(Trusted[0].fingerprint(), Key->publicKey().fingerprint());
}

TEST_F(SignedEntryTest, EveryByteIsCovered) {
  // A flip anywhere in the entry or the signature, or in the signer's key,
  // is caught (the signer's key then names an untrusted key).
  std::string Signed = signEntry(Name, Entry, *Key);
  for (size_t I = 0; I + 16 < Signed.size(); ++I) {
    std::string Bad = Signed;
    Bad[I] ^= 1;
    TrustCheck C = checkSignature(Name, Bad, Trusted);
    EXPECT_FALSE(C.Trusted) << "byte " << I;
  }
}

TEST_F(SignedEntryTest, RejectionsSayWhy) {
  EXPECT_EQ(checkSignature(Name, Entry, Trusted).Why, "unsigned");
  TrustCheck Foreign =
      checkSignature(Name, signEntry(Name, Entry, *OtherKey), Trusted);
  EXPECT_FALSE(Foreign.Trusted);
  EXPECT_EQ(Foreign.Why, "signed by an untrusted key " +
                             OtherKey->publicKey().fingerprint());
  // A valid signature for another key's name.
  TrustCheck Moved =
      checkSignature(OtherName, signEntry(Name, Entry, *Key), Trusted);
  EXPECT_FALSE(Moved.Trusted);
  EXPECT_EQ(Moved.Why, "its signature does not match its bytes or its key");
  // Resealed: other object bytes, a valid entry, the old signature block.
  std::string Signed = signEntry(Name, Entry, *Key);
  std::string Forged =
      encodeEntry(Name, "object bytez", 42) + Signed.substr(Entry.size());
  EXPECT_FALSE(checkSignature(Name, Forged, Trusted).Trusted);
  // Rotation: either trusted key will do.
  auto Both = readTrustedKeys({Dir.sub("other.pub"), Dir.sub("ci.pub")});
  ASSERT_TRUE(bool(Both));
  EXPECT_TRUE(
      checkSignature(Name, signEntry(Name, Entry, *OtherKey), *Both).Trusted);
  EXPECT_TRUE(checkSignature(Name, Signed, *Both).Trusted);
}

TEST_F(SignedEntryTest, KeygenWritesASecretFileOnlyTheOwnerReads) {
  llvm::sys::fs::file_status St;
  ASSERT_FALSE(llvm::sys::fs::status(Dir.sub("ci.key"), St));
  EXPECT_EQ(St.permissions(),
            llvm::sys::fs::owner_read | llvm::sys::fs::owner_write);
  // Never overwritten.
  auto Again = generateKeyFiles(Dir.sub("ci"));
  ASSERT_FALSE(bool(Again));
  EXPECT_NE(llvm::toString(Again.takeError()).find("exists"),
            std::string::npos);
}

TEST_F(SignedEntryTest, BadKeyFilesNameTheFileNeverTheBytes) {
  std::string Secret = fileText(Dir.sub("ci.key"));
  std::string Hex = llvm::StringRef(Secret).split(' ').second.trim().str();
  auto Message = [](auto Result) {
    EXPECT_FALSE(bool(Result));
    return Result ? std::string() : llvm::toString(Result.takeError());
  };
  std::string Swapped = Message(readPublicKey(Dir.sub("ci.key")));
  EXPECT_NE(Swapped.find("ci.key': this is a secret key file"),
            std::string::npos)
      << Swapped;
  EXPECT_EQ(Swapped.find(Hex), std::string::npos);
  EXPECT_NE(Message(readSigningKey(Dir.sub("ci.pub")))
                .find("ci.pub': this is a public key file"),
            std::string::npos);
  writeFile(Dir.sub("short.key"),
            "ltocache-ed25519-secret-key " + Hex.substr(0, 62) + "\n");
  std::string Short = Message(readSigningKey(Dir.sub("short.key")));
  EXPECT_NE(Short.find("short.key': the key is not 64 hex digits"),
            std::string::npos)
      << Short;
  EXPECT_EQ(Short.find(Hex.substr(0, 62)), std::string::npos);
  writeFile(Dir.sub("junk.pub"), "hello\n");
  EXPECT_NE(Message(readPublicKey(Dir.sub("junk.pub")))
                .find("junk.pub': not an ltocache key file"),
            std::string::npos);
  EXPECT_NE(Message(readPublicKey(Dir.sub("none.pub")))
                .find("none.pub': No such file or directory"),
            std::string::npos);
  EXPECT_EQ(splitKeyFiles(" a.pub, ,b.pub "),
            (std::vector<std::string>{"a.pub", "b.pub"}));
}

TEST(S3Url, PathStyleUnderAnEndpointElseAwsVirtualHosted) {
  auto U = s3HttpUrl("s3://team-cache/lto/x/", "eu-west-1",
                     "http://127.0.0.1:9000/");
  ASSERT_TRUE(bool(U));
  EXPECT_EQ(*U, "http://127.0.0.1:9000/team-cache/lto/x");
  U = s3HttpUrl("s3://team-cache", "eu-west-1", "");
  ASSERT_TRUE(bool(U));
  EXPECT_EQ(*U, "https://team-cache.s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(bool(s3HttpUrl("s3://Bad_Bucket/x", "us-east-1", "")));
  consumeError(s3HttpUrl("s3://Bad_Bucket/x", "us-east-1", "").takeError());
  EXPECT_TRUE(isS3Url("S3://b/p"));
  EXPECT_FALSE(isS3Url("https://b/p"));
}

} // namespace
