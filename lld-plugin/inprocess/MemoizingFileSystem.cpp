//===- MemoizingFileSystem.cpp - Remembers what the driver looked up ------===//

#include "MemoizingFileSystem.h"

#include "llvm/ADT/StringMap.h"

#include <memory>
#include <mutex>
#include <vector>

using namespace llvm;

namespace ltocache {
namespace {

using Listing = std::vector<vfs::directory_entry>;

/// Walks a remembered listing.
class ListingIterator : public vfs::detail::DirIterImpl {
public:
  explicit ListingIterator(std::shared_ptr<const Listing> Entries)
      : Entries(std::move(Entries)) {
    if (!this->Entries->empty())
      CurrentEntry = (*this->Entries)[0];
  }
  std::error_code increment() override {
    ++Next;
    CurrentEntry =
        Next < Entries->size() ? (*Entries)[Next] : vfs::directory_entry();
    return {};
  }

private:
  std::shared_ptr<const Listing> Entries;
  size_t Next = 0;
};

class MemoizingFileSystem : public vfs::ProxyFileSystem {
public:
  explicit MemoizingFileSystem(IntrusiveRefCntPtr<vfs::FileSystem> Base)
      : ProxyFileSystem(std::move(Base)) {}

  ErrorOr<vfs::Status> status(const Twine &Path) override {
    SmallString<256> Key;
    Path.toVector(Key);
    {
      std::lock_guard<std::mutex> G(Lock);
      auto It = Statuses.find(Key);
      if (It != Statuses.end())
        return It->second;
    }
    ErrorOr<vfs::Status> S = ProxyFileSystem::status(Key);
    std::lock_guard<std::mutex> G(Lock);
    return Statuses.try_emplace(Key, S).first->second;
  }

  bool exists(const Twine &Path) override { return bool(status(Path)); }

  vfs::directory_iterator dir_begin(const Twine &Dir,
                                    std::error_code &EC) override {
    SmallString<256> Key;
    Dir.toVector(Key);
    std::shared_ptr<const Listing> Entries;
    {
      std::lock_guard<std::mutex> G(Lock);
      auto It = Listings.find(Key);
      if (It != Listings.end()) {
        EC = It->second.first;
        Entries = It->second.second;
      }
    }
    if (!Entries) {
      auto Read = std::make_shared<Listing>();
      std::error_code ReadEC;
      for (vfs::directory_iterator I = ProxyFileSystem::dir_begin(Key, ReadEC),
                                   End;
           !ReadEC && I != End; I.increment(ReadEC))
        Read->push_back(*I);
      std::lock_guard<std::mutex> G(Lock);
      auto &Slot =
          Listings.try_emplace(Key, ReadEC, std::move(Read)).first->second;
      EC = Slot.first;
      Entries = Slot.second;
    }
    if (EC)
      return {};
    return vfs::directory_iterator(
        std::make_shared<ListingIterator>(std::move(Entries)));
  }

private:
  std::mutex Lock;
  StringMap<ErrorOr<vfs::Status>> Statuses;
  StringMap<std::pair<std::error_code, std::shared_ptr<const Listing>>>
      Listings;
};

} // namespace

IntrusiveRefCntPtr<vfs::FileSystem>
createMemoizingFileSystem(IntrusiveRefCntPtr<vfs::FileSystem> Base) {
  return makeIntrusiveRefCnt<MemoizingFileSystem>(std::move(Base));
}

} // namespace ltocache
