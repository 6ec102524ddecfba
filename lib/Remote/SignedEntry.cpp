//===- SignedEntry.cpp - The signed envelope of a remote entry ------------===//

#include "Remote/SignedEntry.h"

#include "llvm/Support/Endian.h"

#include <sodium.h>

#include <cstring>

using namespace llvm;
using namespace llvm::support;

namespace ltocache {

static constexpr char Magic[8] = {'L', 'T', 'O', 'C', 'S', 'I', 'G', 'N'};
static constexpr uint32_t BlockVersion = 1;
static constexpr char Domain[] = "ltocache remote entry signature 1";

static_assert(crypto_sign_BYTES == 64 && crypto_sign_PUBLICKEYBYTES == 32);

/// The message: the domain with its NUL, the key, the entry.
static void hashMessage(crypto_sign_state &S, const Digest &Name,
                        StringRef Entry) {
  crypto_sign_init(&S);
  crypto_sign_update(&S, reinterpret_cast<const uint8_t *>(Domain),
                     sizeof(Domain));
  crypto_sign_update(&S, Name.data(), Name.size());
  crypto_sign_update(&S, reinterpret_cast<const uint8_t *>(Entry.data()),
                     Entry.size());
}

static bool hasBlock(StringRef Bytes) {
  return Bytes.size() >= SignatureBlockSize &&
         memcmp(Bytes.end() - 8, Magic, 8) == 0;
}

std::string signEntry(const Digest &Name, StringRef Entry,
                      const SigningKey &Key) {
  // SigningKey exists only once libsodium is initialised.
  std::string Out;
  Out.reserve(Entry.size() + SignatureBlockSize);
  Out.append(Entry.data(), Entry.size());
  Out.resize(Entry.size() + SignatureBlockSize, '\0');
  uint8_t *B = reinterpret_cast<uint8_t *>(Out.data() + Entry.size());
  crypto_sign_state S;
  hashMessage(S, Name, Entry);
  crypto_sign_final_create(&S, B, nullptr, Key.secret());
  memcpy(B + 64, Key.publicKey().Bytes.data(), 32);
  endian::write32le(B + 96, SignatureBlockSize);
  endian::write32le(B + 100, BlockVersion);
  memcpy(B + 104, Magic, 8);
  return Out;
}

StringRef stripSignature(StringRef Bytes) {
  return hasBlock(Bytes) ? Bytes.drop_back(SignatureBlockSize) : Bytes;
}

TrustCheck checkSignature(const Digest &Name, StringRef Bytes,
                          ArrayRef<PublicKey> Trusted) {
  TrustCheck C;
  C.Entry = Bytes;
  if (!hasBlock(Bytes)) {
    C.Why = "unsigned";
    return C;
  }
  C.Entry = Bytes.drop_back(SignatureBlockSize);
  const uint8_t *B = reinterpret_cast<const uint8_t *>(C.Entry.end());
  if (endian::read32le(B + 96) != SignatureBlockSize ||
      endian::read32le(B + 100) != BlockVersion) {
    C.Why = "unknown signature block";
    return C;
  }
  PublicKeyBytes Signer;
  memcpy(Signer.data(), B + 64, 32);
  const PublicKey *Key = nullptr;
  for (const PublicKey &K : Trusted)
    if (K.Bytes == Signer)
      Key = &K;
  if (!Key) {
    C.Why = "signed by an untrusted key " + keyFingerprint(Signer);
    return C;
  }
  if (Error E = initSodium()) {
    C.Why = toString(std::move(E));
    return C;
  }
  crypto_sign_state S;
  hashMessage(S, Name, C.Entry);
  // The signature is copied: libsodium's verify takes a non-const pointer.
  uint8_t Sig[64];
  memcpy(Sig, B, 64);
  if (crypto_sign_final_verify(&S, Sig, Key->Bytes.data()) != 0) {
    C.Why = "its signature does not match its bytes or its key";
    return C;
  }
  C.Trusted = true;
  return C;
}

} // namespace ltocache
