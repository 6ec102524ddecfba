//===- SignedRemoteStore.cpp - Signatures on a remote's entries -----------===//

#include "Remote/SignedRemoteStore.h"
#include "Remote/SignedEntry.h"

using namespace llvm;

namespace ltocache {

namespace {

class SignedRemoteStore : public RemoteStore {
public:
  SignedRemoteStore(std::unique_ptr<RemoteStore> Inner, RemoteTrust Trust)
      : Inner(std::move(Inner)), Trust(std::move(Trust)) {}

  void lookupAll(ArrayRef<Digest> Keys, Clock::time_point Deadline,
                 const ResultCallback &OnResult) override {
    Inner->lookupAll(Keys, Deadline, [&](size_t I, RemoteResult R) {
      if (R.What == RemoteResult::Hit)
        check(Keys[I], R);
      OnResult(I, std::move(R));
    });
  }

  void containsAll(ArrayRef<Digest> Keys, Clock::time_point Deadline,
                   const ResultCallback &OnResult) override {
    Inner->containsAll(Keys, Deadline, OnResult);
  }

  void storeAll(ArrayRef<std::pair<Digest, std::string>> Entries,
                Clock::time_point Deadline,
                const ResultCallback &OnResult) override {
    if (!Trust.Signer || readOnly())
      return Inner->storeAll(Entries, Deadline, OnResult);
    std::vector<std::pair<Digest, std::string>> Signed;
    Signed.reserve(Entries.size());
    for (const auto &[Key, Entry] : Entries)
      Signed.emplace_back(Key, signEntry(Key, Entry, *Trust.Signer));
    Inner->storeAll(Signed, Deadline, OnResult);
  }

  void cancel() override { Inner->cancel(); }
  bool readOnly() const override {
    return Inner->readOnly() || (!Trust.Trusted.empty() && !Trust.Signer);
  }
  std::string describe() const override { return Inner->describe(); }

private:
  /// Leaves \p R a Hit with the entry alone, or makes it Untrusted.
  void check(const Digest &Key, RemoteResult &R) const {
    if (Trust.Trusted.empty()) {
      R.Body.resize(stripSignature(R.Body).size());
      return;
    }
    TrustCheck C = checkSignature(Key, R.Body, Trust.Trusted);
    if (C.Trusted) {
      R.Body.resize(C.Entry.size());
      return;
    }
    R.What = RemoteResult::Untrusted;
    R.Message = std::move(C.Why);
    std::string().swap(R.Body);
  }

  std::unique_ptr<RemoteStore> Inner;
  RemoteTrust Trust;
};

} // namespace

std::unique_ptr<RemoteStore> withSignatures(std::unique_ptr<RemoteStore> Inner,
                                            RemoteTrust Trust) {
  return std::make_unique<SignedRemoteStore>(std::move(Inner),
                                             std::move(Trust));
}

} // namespace ltocache
