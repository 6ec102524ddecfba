//===- LocalStore.h - Cache entries in a local directory --------*- C++ -*-===//
//
// Layout under the cache directory:
//   v1/entries/<2 hex>/<64 hex>   verified entries (Entry.h): objects
//   v1/memo/<2 hex>/<64 hex>      the same format: memoised key inputs
//   v1/tmp/                       writers' temporary files
//   v1/corrupt/                   entries that failed verification
//
// Publication writes a temporary file in v1/tmp (same filesystem) and
// renames it over the final name. If that fails for any reason the entry is
// not written at all: the caller keeps its fresh object ("bypass").
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_STORE_LOCALSTORE_H
#define LTOCACHE_STORE_LOCALSTORE_H

#include "Key/CacheKey.h"
#include "Support/FileSystem.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ltocache {

struct StoreHit {
  std::unique_ptr<ReadableFile> File; ///< The entry, still open.
  llvm::StringRef Payload;            ///< The object, inside File.
  size_t PayloadOffset = 0;
  uint64_t CompileMicros = 0;
  bool ObjectFirst = true; ///< The entry file can be given to lld as is.
};

struct LookupResult {
  std::optional<StoreHit> Hit;
  /// Set when an entry existed but failed verification (it was moved aside).
  std::string Corruption;
};

class LocalStore {
public:
  /// Opens (creating if needed) the store in \p Dir, keeping its entries
  /// in the area \p Area ("entries" for objects, "memo" for memoised key
  /// inputs); temporary and corrupt files are shared by all areas.
  static llvm::Expected<std::unique_ptr<LocalStore>>
  open(llvm::StringRef Dir, FileSystem &FS, llvm::StringRef Area = "entries");

  /// \p MarkUsed refreshes the entry for least-recently-used pruning.
  LookupResult lookup(const Digest &Key, bool MarkUsed = true);
  /// Stores \p Payload under \p Key. An error means nothing was stored.
  /// \p Durable flushes the data before the rename; values that are cheap
  /// to recompute skip it (a torn entry is caught by its checksum anyway).
  llvm::Error publish(const Digest &Key, llvm::StringRef Payload,
                      uint64_t CompileMicros, bool Durable = true);

  /// publish() in two steps, so that the entry's file can also become a
  /// job's output (linkStaged) before it is made durable and named: one
  /// file written, no second inode.
  struct StagedEntry {
    Digest Key;
    std::unique_ptr<WritableFile> File; ///< Open, in v1/tmp.
  };
  /// Writes the entry to a temporary file. An error means nothing is left.
  llvm::Expected<StagedEntry> stage(const Digest &Key, llvm::StringRef Payload,
                                    uint64_t CompileMicros);
  /// Makes \p Output a hard link to the staged entry (the object followed
  /// by its trailer, as placeHit). On error \p Output is not written; a
  /// filesystem that refuses links is not asked again.
  llvm::Error linkStaged(const StagedEntry &Staged, llvm::StringRef Output);
  /// Flushes (if \p Durable), closes and renames the staged entry to its
  /// name. On error the temporary is removed; a link made by linkStaged
  /// keeps its content.
  llvm::Error commit(StagedEntry Staged, bool Durable = true);

  /// How a hit was put at a job's output without writing its bytes.
  enum class Placement { NotPlaced, Linked, Reflinked };
  /// Makes \p Output hold \p Hit's object without copying it: a hard link
  /// to the entry (format 3: the object followed by a trailer linkers
  /// ignore), else a reflink of its blocks. NotPlaced: the caller copies the
  /// payload. A filesystem that cannot do one or the other (another
  /// filesystem than the cache's, no block sharing) is not asked again.
  Placement placeHit(const StoreHit &Hit, llvm::StringRef Output);

  std::string entryPath(const Digest &Key) const;
  /// Moves the bad entry at \p Path to v1/corrupt/ (kept for inspection).
  llvm::Error moveAside(llvm::StringRef Path);
  llvm::StringRef root() const { return Root; }

private:
  LocalStore(std::string Root, std::string Area, FileSystem &FS)
      : Root(std::move(Root)), Area(std::move(Area)), FS(FS) {}

  std::string Root; ///< <cache dir>/v1
  std::string Area;
  FileSystem &FS;
  /// Whether \p Output's directory is sticky (as /tmp): there a user can
  /// remove only the files it owns. Asked once per directory.
  bool inStickyDirectory(llvm::StringRef Output);

  std::atomic<bool> CannotLink{false};
  std::mutex StickyLock;
  llvm::StringMap<bool> StickyDirs; ///< Guarded by StickyLock.
  std::atomic<bool> CannotReflink{false};
  /// Shard directories (by the key's first byte) known to exist.
  std::array<std::atomic<bool>, 256> ShardDirKnown{};
};

} // namespace ltocache

#endif
