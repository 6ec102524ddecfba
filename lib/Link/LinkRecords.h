//===- LinkRecords.h - Where link records are kept --------------*- C++ -*-===//
//
//   v1/links/<16 hex of BLAKE3(linker output)>/<record id>.json
//
// One file per link, written once: a temporary in v1/tmp renamed into
// place (a reader sees a whole record or none), then the output's oldest
// records beyond the few kept are removed. That is the whole cost on a
// link: one file written, a rename and a directory listing. Records of an
// output no longer linked go with the pruner's prune_after (Pruner.h).
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_LINK_LINKRECORDS_H
#define LTOCACHE_LINK_LINKRECORDS_H

#include "Link/LinkRecord.h"
#include "Support/FileSystem.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ltocache {

/// A linker output as records name it: absolute, without "." or "..".
std::string absoluteOutput(llvm::StringRef Output);

/// Writes \p R under \p Root (the store's "v1" directory) and removes its
/// output's oldest records beyond the newest \p Keep.
llvm::Error writeLinkRecord(llvm::StringRef Root, const LinkRecordText &R,
                            unsigned Keep, FileSystem &FS);

struct LinkRecordFile {
  std::string Id, Path;
};

/// The records of \p Output (absoluteOutput), or of every output if empty,
/// oldest first.
std::vector<LinkRecordFile> listLinkRecords(llvm::StringRef Root,
                                            llvm::StringRef Output = "");

llvm::Expected<LinkRecord> readLinkRecord(llvm::StringRef Path);

} // namespace ltocache

#endif
