//===- DigestTable.h - Input digests kept for one linker output -*- C++ -*-===//
//
//   v1/digests/<16 hex of BLAKE3(linker output)>
//
// The DigestMemo of a link: the digests of its inputs by path and file
// signature (Key/FileDigests.h), as the last link of the same output (in
// the same working directory) left them. Read once at the start of a link,
// written back (a temporary renamed into place) only when something
// changed, holding exactly this link's inputs. A table that does not parse
// or fails its checksum is ignored: every input is hashed, as without one.
// Tables of outputs no longer linked go with the pruner's prune_after.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_STORE_DIGESTTABLE_H
#define LTOCACHE_STORE_DIGESTTABLE_H

#include "Key/FileDigests.h"
#include "Support/FileSystem.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <string>

namespace ltocache {

class DigestTable : public DigestMemo {
public:
  /// The table of \p LinkerOutput (absolute) under \p Root (the store's
  /// "v1" directory), for links run in \p WorkingDir; empty if there is
  /// none yet.
  static std::unique_ptr<DigestTable> load(llvm::StringRef Root,
                                           llvm::StringRef LinkerOutput,
                                           llvm::StringRef WorkingDir,
                                           FileSystem &FS);

  std::optional<Digest> find(llvm::StringRef Path,
                             const FileSignature &S) override;
  void record(llvm::StringRef Path, const FileSignature &S,
              const Digest &D) override;

  /// Writes the table back if this link found something it did not hold,
  /// or did not ask for something it held.
  llvm::Error save();

  /// The table's file, for tests and the pruner.
  const std::string &path() const { return File; }

private:
  struct Row {
    FileSignature Sig;
    Digest D;
    bool Used = false;
  };
  DigestTable(std::string Root, std::string File, std::string WorkingDir,
              FileSystem &FS)
      : Root(std::move(Root)), File(std::move(File)),
        WorkingDir(std::move(WorkingDir)), FS(FS) {}
  bool parse(llvm::StringRef Text);
  std::string text() const;

  std::string Root, File, WorkingDir;
  FileSystem &FS;
  std::mutex Lock;
  llvm::StringMap<Row> Rows;
  bool Changed = false;
};

/// The table file \p LinkerOutput's links use under \p Root.
std::string digestTablePath(llvm::StringRef Root, llvm::StringRef LinkerOutput);

} // namespace ltocache

#endif
