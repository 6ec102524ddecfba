//===- SigningKeys.h - Ed25519 keys that sign remote entries ----*- C++ -*-===//
//
// Writers sign the entries they upload with a secret key; readers accept
// only entries signed by one of their trusted public keys (SignedEntry.h).
// Keys are libsodium's Ed25519 (linked statically: no library to load at
// process start, and the code is paged in only by links that use it).
//
// Key files are one line of text:
//   <name>.key  ltocache-ed25519-secret-key <64 hex: the 32-byte seed>
//   <name>.pub  ltocache-ed25519-public-key <64 hex: the public key>
// Secret bytes are never put in a message: errors name the file and what is
// wrong with it, and keys are shown by fingerprint.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_REMOTE_SIGNINGKEYS_H
#define LTOCACHE_REMOTE_SIGNINGKEYS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace ltocache {

using PublicKeyBytes = std::array<uint8_t, 32>;

/// "ed25519:" and 16 hex digits of the key's BLAKE3: how keys are shown.
std::string keyFingerprint(const PublicKeyBytes &Key);

struct PublicKey {
  PublicKeyBytes Bytes;
  std::string File; ///< Where it was read from.
  std::string fingerprint() const { return keyFingerprint(Bytes); }
};

/// A secret key, wiped from memory when destroyed. Not copyable.
class SigningKey {
public:
  ~SigningKey();
  SigningKey(const SigningKey &) = delete;
  SigningKey &operator=(const SigningKey &) = delete;

  const PublicKey &publicKey() const { return Public; }
  /// libsodium's 64-byte secret key (seed and public key).
  const uint8_t *secret() const { return Secret.data(); }

  static llvm::Expected<std::unique_ptr<SigningKey>>
  fromSeed(llvm::ArrayRef<uint8_t> Seed, std::string File);

private:
  SigningKey() = default;
  PublicKey Public;
  std::array<uint8_t, 64> Secret{};
};

/// libsodium, initialised once per process; an error if it cannot be.
llvm::Error initSodium();

/// Reads a secret key file (<name>.key). Errors name \p Path.
llvm::Expected<std::unique_ptr<SigningKey>>
readSigningKey(llvm::StringRef Path);
/// Reads a public key file (<name>.pub). Errors name \p Path.
llvm::Expected<PublicKey> readPublicKey(llvm::StringRef Path);
/// The files of a comma-separated list, blanks trimmed, empty items
/// dropped.
std::vector<std::string> splitKeyFiles(llvm::StringRef List);
/// Reads every public key file of \p Files.
llvm::Expected<std::vector<PublicKey>>
readTrustedKeys(llvm::ArrayRef<std::string> Files);

/// `ltocache keygen`: a new key pair as <Name>.key (mode 0600, created,
/// never overwritten) and <Name>.pub. Returns the public key.
llvm::Expected<PublicKey> generateKeyFiles(llvm::StringRef Name);

} // namespace ltocache

#endif
