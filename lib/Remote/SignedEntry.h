//===- SignedEntry.h - The signed envelope of a remote entry ----*- C++ -*-===//
//
// On the remote, an entry (Store/Entry.h, unchanged) may be followed by a
// signature block of 112 bytes:
//
//   offset  size  field
//        0    64  Ed25519ph signature (RFC 8032, libsodium's crypto_sign_*
//                 multi-part API)
//       64    32  the signer's public key
//       96     4  block size (u32 LE): 112
//      100     4  block version (u32 LE): 1
//      104     8  magic "LTOCSIGN" (the file's last bytes)
//
// What is signed: the domain string "ltocache remote entry signature 1"
// with its NUL, the key the entry is stored under (32 bytes), then every
// byte of the entry: object, key field, format, length, checksum and
// compile time. A valid signature on one key's entry is worthless under
// another key, and no byte a reader trusts is outside it. Local entries
// are never signed: the local store is trusted as the user's own files.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_REMOTE_SIGNEDENTRY_H
#define LTOCACHE_REMOTE_SIGNEDENTRY_H

#include "Key/CacheKey.h"
#include "Remote/SigningKeys.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace ltocache {

constexpr size_t SignatureBlockSize = 112;

/// \p Entry followed by its signature block, signed by \p Key for \p Name.
std::string signEntry(const Digest &Name, llvm::StringRef Entry,
                      const SigningKey &Key);

/// \p Bytes without its signature block, if it has one.
llvm::StringRef stripSignature(llvm::StringRef Bytes);

/// Why a remote entry is not trusted.
struct TrustCheck {
  bool Trusted = false;
  /// The entry's bytes without the signature block.
  llvm::StringRef Entry;
  /// If not trusted: "unsigned", "signed by an untrusted key ed25519:...",
  /// or "its signature does not match its bytes or its key".
  std::string Why;
};

/// Checks that \p Bytes, fetched for \p Name, carry a valid signature by
/// one of \p Trusted.
TrustCheck checkSignature(const Digest &Name, llvm::StringRef Bytes,
                          llvm::ArrayRef<PublicKey> Trusted);

} // namespace ltocache

#endif
