//===- SignedRemoteStore.h - Signatures on a remote's entries ---*- C++ -*-===//
//
// A RemoteStore in front of another: uploads are signed (SignedEntry.h)
// when a signing key is set, and answers are checked against the trusted
// keys when any are set (otherwise a signature is stripped unread: "trusts
// every writer"). A GET whose entry is not trusted is answered Untrusted.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_REMOTE_SIGNEDREMOTESTORE_H
#define LTOCACHE_REMOTE_SIGNEDREMOTESTORE_H

#include "Remote/RemoteStore.h"
#include "Remote/SigningKeys.h"

#include <memory>
#include <vector>

namespace ltocache {

struct RemoteTrust {
  /// Signs uploads; null: they go unsigned.
  std::shared_ptr<const SigningKey> Signer;
  /// Only entries signed by one of these are used; empty: every entry is.
  std::vector<PublicKey> Trusted;
};

/// \p Inner with \p Trust applied. With trusted keys and no signing key it
/// is read-only: its unsigned uploads would be rejected by every reader
/// that checks signatures.
std::unique_ptr<RemoteStore> withSignatures(std::unique_ptr<RemoteStore> Inner,
                                            RemoteTrust Trust);

} // namespace ltocache

#endif
