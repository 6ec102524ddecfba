//===- SigningKeys.cpp - Ed25519 keys that sign remote entries ------------===//

#include "Remote/SigningKeys.h"
#include "Key/CacheKey.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/FileSystem.h"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace ltocache {

static constexpr StringLiteral SecretTag = "ltocache-ed25519-secret-key";
static constexpr StringLiteral PublicTag = "ltocache-ed25519-public-key";

std::string keyFingerprint(const PublicKeyBytes &Key) {
  Digest D = hashBytes(
      StringRef(reinterpret_cast<const char *>(Key.data()), Key.size()));
  return "ed25519:" + toHex(D).substr(0, 16);
}

Error initSodium() {
  static const int Result = sodium_init();
  if (Result < 0)
    return createStringError("cannot initialise libsodium");
  return Error::success();
}

SigningKey::~SigningKey() { sodium_memzero(Secret.data(), Secret.size()); }

Expected<std::unique_ptr<SigningKey>>
SigningKey::fromSeed(ArrayRef<uint8_t> Seed, std::string File) {
  if (Error E = initSodium())
    return std::move(E);
  if (Seed.size() != crypto_sign_SEEDBYTES)
    return createStringError("%s: a seed of %zu bytes, expected %u",
                             File.c_str(), Seed.size(),
                             unsigned(crypto_sign_SEEDBYTES));
  std::unique_ptr<SigningKey> K(new SigningKey());
  K->Public.File = std::move(File);
  if (crypto_sign_seed_keypair(K->Public.Bytes.data(), K->Secret.data(),
                               Seed.data()) != 0)
    return createStringError("%s: cannot derive the key pair",
                             K->Public.File.c_str());
  return std::move(K);
}

/// The 32 bytes of a key file: "<Tag> <64 hex>" on one line. The bytes
/// never appear in a message.
static Expected<std::array<uint8_t, 32>>
readKeyFile(StringRef Path, StringRef Tag, StringRef Other, StringRef Kind) {
  auto Buf = readWholeFile(Path);
  if (!Buf)
    return createStringError(
        "%s file '%s': %s", Kind.str().c_str(), Path.str().c_str(),
        errorToErrorCode(Buf.takeError()).message().c_str());
  StringRef Text = (*Buf)->getBuffer().trim();
  auto [Found, Hex] = Text.split(' ');
  auto Bad = [&](const Twine &Why) {
    return createStringError("%s file '%s': %s", Kind.str().c_str(),
                             Path.str().c_str(), Why.str().c_str());
  };
  if (Found == Other)
    return Bad("this is a " + Twine(Other == SecretTag ? "secret" : "public") +
               " key file; expected a " +
               (Tag == SecretTag ? "secret" : "public") +
               " key file (`ltocache keygen` writes <name>.key and "
               "<name>.pub)");
  if (Found != Tag)
    return Bad("not an ltocache key file (expected '" + Tag +
               " <64 hex digits>')");
  Hex = Hex.trim();
  std::array<uint8_t, 32> Bytes;
  std::string Raw;
  if (Hex.size() != 64 || !tryGetFromHex(Hex, Raw) || Raw.size() != 32)
    return Bad("the key is not 64 hex digits");
  memcpy(Bytes.data(), Raw.data(), 32);
  sodium_memzero(Raw.data(), Raw.size());
  return Bytes;
}

Expected<std::unique_ptr<SigningKey>> readSigningKey(StringRef Path) {
  auto Seed = readKeyFile(Path, SecretTag, PublicTag, "signing key");
  if (!Seed)
    return Seed.takeError();
  auto K = SigningKey::fromSeed(*Seed, Path.str());
  sodium_memzero(Seed->data(), Seed->size());
  return K;
}

Expected<PublicKey> readPublicKey(StringRef Path) {
  auto Bytes = readKeyFile(Path, PublicTag, SecretTag, "trusted key");
  if (!Bytes)
    return Bytes.takeError();
  return PublicKey{*Bytes, Path.str()};
}

std::vector<std::string> splitKeyFiles(StringRef List) {
  SmallVector<StringRef, 4> Items;
  List.split(Items, ',');
  std::vector<std::string> Out;
  for (StringRef I : Items)
    if (!I.trim().empty())
      Out.push_back(I.trim().str());
  return Out;
}

Expected<std::vector<PublicKey>> readTrustedKeys(ArrayRef<std::string> Files) {
  std::vector<PublicKey> Keys;
  for (const std::string &F : Files) {
    auto K = readPublicKey(F);
    if (!K)
      return K.takeError();
    Keys.push_back(std::move(*K));
  }
  return Keys;
}

/// Creates \p Path with \p Mode, failing if it exists, and writes \p Line.
static Error createKeyFile(const std::string &Path, mode_t Mode,
                           StringRef Line) {
  int FD = ::open(Path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, Mode);
  if (FD < 0)
    return createFileError(Path, errnoAsErrorCode());
  // The umask may have taken bits away; never added any.
  bool Failed = ::fchmod(FD, Mode) != 0;
  while (!Failed && !Line.empty()) {
    ssize_t N =
        sys::RetryAfterSignal(-1, ::write, FD, Line.data(), Line.size());
    Failed = N < 0;
    if (!Failed)
      Line = Line.drop_front(N);
  }
  Failed |= ::close(FD) != 0;
  if (Failed) {
    Error E = createFileError(Path, errnoAsErrorCode());
    ::unlink(Path.c_str());
    return E;
  }
  return Error::success();
}

Expected<PublicKey> generateKeyFiles(StringRef Name) {
  if (Error E = initSodium())
    return std::move(E);
  std::string Secret = Name.str() + ".key", Public = Name.str() + ".pub";
  for (const std::string &P : {Secret, Public})
    if (sys::fs::exists(P))
      return createStringError("'%s' exists; not overwriting it", P.c_str());
  std::array<uint8_t, crypto_sign_SEEDBYTES> Seed;
  randombytes_buf(Seed.data(), Seed.size());
  auto K = SigningKey::fromSeed(Seed, Secret);
  std::string SecretLine =
      (SecretTag + " " + toHex(ArrayRef<uint8_t>(Seed), /*LowerCase=*/true) +
       "\n")
          .str();
  sodium_memzero(Seed.data(), Seed.size());
  if (!K)
    return K.takeError();
  Error E = createKeyFile(Secret, 0600, SecretLine);
  sodium_memzero(SecretLine.data(), SecretLine.size());
  if (E)
    return std::move(E);
  PublicKey Pub{(*K)->publicKey().Bytes, Public};
  std::string PublicLine =
      (PublicTag + " " + toHex(ArrayRef<uint8_t>(Pub.Bytes), true) + "\n")
          .str();
  if (Error E = createKeyFile(Public, 0644, PublicLine)) {
    ::unlink(Secret.c_str());
    return std::move(E);
  }
  return Pub;
}

} // namespace ltocache
