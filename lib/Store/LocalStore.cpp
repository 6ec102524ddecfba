//===- LocalStore.cpp - Cache entries in a local directory ----------------===//

#include "Store/LocalStore.h"
#include "Store/Entry.h"
#include "Store/Pruner.h"

#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace llvm;

namespace ltocache {

Expected<std::unique_ptr<LocalStore>>
LocalStore::open(StringRef Dir, FileSystem &FS, StringRef Area) {
  SmallString<256> Root(Dir);
  sys::path::append(Root, "v1");
  for (StringRef Sub : {Area, StringRef("tmp"), StringRef("corrupt")}) {
    SmallString<256> P(Root);
    sys::path::append(P, Sub);
    if (Error E = FS.createDirectories(P))
      return std::move(E);
  }
  return std::unique_ptr<LocalStore>(
      new LocalStore(std::string(Root), Area.str(), FS));
}

std::string LocalStore::entryPath(const Digest &Key) const {
  std::string Hex = toHex(Key);
  SmallString<256> P(Root);
  sys::path::append(P, Area, StringRef(Hex).take_front(2), Hex);
  return std::string(P);
}

LookupResult LocalStore::lookup(const Digest &Key, bool MarkUsed) {
  LookupResult R;
  std::string Path = entryPath(Key);
  auto File = FS.openFile(Path);
  if (!File) {
    // Absent (or unreadable): a miss either way.
    consumeError(File.takeError());
    return R;
  }
  auto Decoded = decodeEntry((*File)->contents(), Key);
  if (!Decoded) {
    R.Corruption = Path + ": " + toString(Decoded.takeError());
    // If even this fails the entry stays, and is verified (and reported)
    // again next time: never a hit.
    consumeError(moveAside(Path));
    return R;
  }
  // Least recently used pruning goes by modification time, to the minute:
  // an entry used in the last minute is not touched again (one syscall per
  // hit saved on every warm link). Best effort: a hit on a read-only cache
  // is still a hit.
  if (MarkUsed && std::chrono::system_clock::now() - (*File)->modified() >
                      std::chrono::minutes(1))
    consumeError(FS.touch(Path));
  StoreHit Hit;
  Hit.Payload = Decoded->Payload;
  Hit.PayloadOffset = Decoded->PayloadOffset;
  Hit.CompileMicros = Decoded->CompileMicros;
  Hit.ObjectFirst = Decoded->ObjectFirst;
  Hit.File = std::move(*File);
  R.Hit = std::move(Hit);
  return R;
}

/// Whether \p EC says the whole filesystem (pair) refuses, rather than
/// this one file.
static bool refusedEverywhere(std::error_code EC) {
  return EC == std::errc::operation_not_supported ||
         EC == std::errc::cross_device_link ||
         EC == std::errc::invalid_argument ||
         EC == std::errc::inappropriate_io_control_operation ||
         EC == std::errc::function_not_supported;
}

LocalStore::Placement LocalStore::placeHit(const StoreHit &Hit,
                                           StringRef Output) {
  // A hard link creates no inode: on a warm link of 2,000 jobs on ext4 the
  // outputs' inode allocations were most of the distributor's time. But
  // the link is the entry's inode, owned by whoever published it: in a
  // sticky directory (/tmp) the linking user could not remove it (in a
  // cache shared by a group, lld run by one member failed to remove its
  // outputs linked to another's entries, and they kept the entries' space).
  if (Hit.ObjectFirst && !CannotLink.load(std::memory_order_relaxed) &&
      (Hit.File->ownedByCaller() || !inStickyDirectory(Output))) {
    Error E = Hit.File->linkTo(Output);
    if (!E)
      return Placement::Linked;
    // Refused for this file only (another user's entry under
    // protected_hardlinks, too many links, removed meanwhile): next time.
    if (refusedEverywhere(errorToErrorCode(std::move(E))))
      CannotLink.store(true, std::memory_order_relaxed);
  }
  // Blocks are shared whole: the payload must start on one (formats 3 and
  // 2, at 0 and 4096; not format 1, at 96).
  if (Hit.PayloadOffset % 4096 != 0 ||
      CannotReflink.load(std::memory_order_relaxed))
    return Placement::NotPlaced;
  Error E = Hit.File->cloneTailTo(Hit.PayloadOffset, Output);
  if (!E)
    return Placement::Reflinked;
  if (refusedEverywhere(errorToErrorCode(std::move(E))))
    CannotReflink.store(true, std::memory_order_relaxed);
  return Placement::NotPlaced;
}

bool LocalStore::inStickyDirectory(StringRef Output) {
  StringRef Dir = sys::path::parent_path(Output);
  if (Dir.empty())
    Dir = ".";
  std::lock_guard<std::mutex> G(StickyLock);
  auto [It, New] = StickyDirs.try_emplace(Dir, true);
  if (New) {
    // Unknown counts as sticky: a copy is always removable.
    sys::fs::file_status St;
    if (!sys::fs::status(Dir, St))
      It->second = (St.permissions() & sys::fs::sticky_bit) != 0;
  }
  return It->second;
}

Error LocalStore::moveAside(StringRef Path) {
  // A unique name, so that two readers moving the same entry, or the same
  // key going bad twice, never overwrite kept evidence.
  SmallString<256> Aside(Root);
  sys::path::append(Aside, "corrupt",
                    sys::path::filename(Path) + "." +
                        Twine(sys::Process::getProcessId()) + "." +
                        Twine(sys::Process::GetRandomNumber()));
  return FS.rename(Path, Aside);
}

Error LocalStore::publish(const Digest &Key, StringRef Payload,
                          uint64_t CompileMicros, bool Durable) {
  Expected<StagedEntry> Staged = stage(Key, Payload, CompileMicros);
  if (!Staged)
    return Staged.takeError();
  return commit(std::move(*Staged), Durable);
}

Expected<LocalStore::StagedEntry> LocalStore::stage(const Digest &Key,
                                                    StringRef Payload,
                                                    uint64_t CompileMicros) {
  SmallString<256> Model(Root);
  // "<host>-<pid>-...": the pruner removes temporaries of dead writers only.
  sys::path::append(Model, "tmp",
                    temporaryPrefix() + toHex(Key).substr(0, 16) + ".%%%%%%%%");
  auto File = FS.createUniqueFile(Model);
  if (!File)
    return File.takeError();
  if (Error E = (*File)->write(encodeEntry(Key, Payload, CompileMicros))) {
    std::string Path = (*File)->path();
    File->reset();
    consumeError(FS.remove(Path));
    return std::move(E);
  }
  return StagedEntry{Key, std::move(*File)};
}

Error LocalStore::linkStaged(const StagedEntry &Staged, StringRef Output) {
  if (CannotLink.load(std::memory_order_relaxed))
    return createFileError(Output,
                           std::make_error_code(std::errc::cross_device_link));
  Error E = Staged.File->linkTo(Output);
  if (!E)
    return E;
  std::error_code EC = errorToErrorCode(std::move(E));
  if (refusedEverywhere(EC))
    CannotLink.store(true, std::memory_order_relaxed);
  return createFileError(Output, EC);
}

Error LocalStore::commit(StagedEntry Staged, bool Durable) {
  std::string Tmp = Staged.File->path();
  Error E = Durable ? Staged.File->sync() : Error::success();
  if (!E)
    E = Staged.File->close();
  if (E) {
    Staged.File.reset();
    consumeError(FS.remove(Tmp));
    return E;
  }
  std::string Final = entryPath(Staged.Key);
  // Each shard directory is created once per process, not per entry: a
  // mkdir, even of an existing directory, locks its parent against every
  // other writer.
  std::atomic<bool> &Known = ShardDirKnown[Staged.Key[0]];
  if (!Known.load(std::memory_order_acquire)) {
    if (Error E = FS.createDirectories(sys::path::parent_path(Final))) {
      consumeError(FS.remove(Tmp));
      return E;
    }
    Known.store(true, std::memory_order_release);
  }
  if (Error E = FS.rename(Tmp, Final)) {
    consumeError(FS.remove(Tmp));
    // Removed meanwhile (`ltocache clear`)? The next publish creates it.
    Known.store(false, std::memory_order_release);
    return E;
  }
  return Error::success();
}

} // namespace ltocache
