//===- LinkRecords.cpp - Where link records are kept ----------------------===//

#include "Link/LinkRecords.h"
#include "Store/Pruner.h"
#include "Support/WholeFile.h"

#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace llvm;

namespace ltocache {

static constexpr StringLiteral Suffix = ".json";

std::string absoluteOutput(StringRef Output) {
  SmallString<256> P(Output);
  sys::fs::make_absolute(P);
  sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

static std::string recordsDir(StringRef Root, StringRef Output) {
  SmallString<256> P(Root);
  sys::path::append(P, "links", toHex(hashBytes(Output)).substr(0, 16));
  return std::string(P);
}

/// The records in \p Dir, oldest first (ids begin with the time).
static std::vector<LinkRecordFile> recordsIn(StringRef Dir) {
  std::vector<LinkRecordFile> Out;
  std::error_code EC;
  for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
       It.increment(EC)) {
    StringRef Name = sys::path::filename(It->path());
    if (Name.starts_with(".") || !Name.ends_with(Suffix))
      continue;
    Out.push_back({Name.drop_back(Suffix.size()).str(), It->path()});
  }
  llvm::sort(Out, [](const LinkRecordFile &A, const LinkRecordFile &B) {
    return A.Id < B.Id;
  });
  return Out;
}

Error writeLinkRecord(StringRef Root, const LinkRecordText &R, unsigned Keep,
                      FileSystem &FS) {
  // The record's id is unique (time and process): no random name needed.
  SmallString<256> Model(Root);
  sys::path::append(Model, "tmp", temporaryPrefix() + "link-" + R.Id);
  auto File = FS.createUniqueFile(Model);
  if (!File)
    return File.takeError();
  std::string Tmp = (*File)->path();
  Error E = (*File)->write(R.Text);
  if (!E)
    E = (*File)->close();
  File->reset();
  std::string Dir = recordsDir(Root, R.Output);
  SmallString<256> Final(Dir);
  sys::path::append(Final, R.Id + Suffix);
  if (!E) {
    E = FS.rename(Tmp, Final);
    // The output's first record (or the pruner removed its directory).
    if (E) {
      consumeError(std::move(E));
      E = FS.createDirectories(Dir);
      if (!E)
        E = FS.rename(Tmp, Final);
    }
  }
  if (E) {
    consumeError(FS.remove(Tmp));
    return E;
  }
  std::vector<LinkRecordFile> Kept = recordsIn(Dir);
  for (size_t I = 0; I + Keep < Kept.size(); ++I)
    consumeError(FS.remove(Kept[I].Path)); // Another link's prune won.
  return Error::success();
}

std::vector<LinkRecordFile> listLinkRecords(StringRef Root, StringRef Output) {
  if (!Output.empty())
    return recordsIn(recordsDir(Root, Output));
  SmallString<256> Links(Root);
  sys::path::append(Links, "links");
  std::vector<LinkRecordFile> All;
  std::error_code EC;
  for (sys::fs::directory_iterator It(Links, EC), End; It != End && !EC;
       It.increment(EC)) {
    std::vector<LinkRecordFile> Of = recordsIn(It->path());
    All.insert(All.end(), Of.begin(), Of.end());
  }
  llvm::sort(All, [](const LinkRecordFile &A, const LinkRecordFile &B) {
    return A.Id < B.Id;
  });
  return All;
}

Expected<LinkRecord> readLinkRecord(StringRef Path) {
  auto Buf = readWholeFile(Path);
  if (!Buf)
    return Buf.takeError();
  return parseLinkRecord((*Buf)->getBuffer(), Path);
}

} // namespace ltocache
