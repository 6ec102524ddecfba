//===- DigestTable.cpp - Input digests kept for one linker output ---------===//

#include "Store/DigestTable.h"
#include "Store/Pruner.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ltocache {

static constexpr StringLiteral Magic = "ltocache-digests 1";

std::string digestTablePath(StringRef Root, StringRef LinkerOutput) {
  SmallString<256> P(Root);
  sys::path::append(P, "digests", toHex(hashBytes(LinkerOutput)).substr(0, 16));
  return std::string(P);
}

std::unique_ptr<DigestTable> DigestTable::load(StringRef Root,
                                               StringRef LinkerOutput,
                                               StringRef WorkingDir,
                                               FileSystem &FS) {
  std::unique_ptr<DigestTable> T(new DigestTable(
      Root.str(), digestTablePath(Root, LinkerOutput), WorkingDir.str(), FS));
  sys::TimePoint<> Modified;
  if (auto Buf = readWholeFile(T->File, nullptr, &Modified)) {
    if (!T->parse((*Buf)->getBuffer()))
      T->Rows.clear();
    // Read every link but written only on change: kept fresh for the
    // pruner's prune_after, a syscall a day.
    if (std::chrono::system_clock::now() - Modified > std::chrono::hours(24))
      consumeError(FS.touch(T->File));
  } else {
    consumeError(Buf.takeError());
  }
  return T;
}

/// One line: "<dev> <ino> <size> <mtime ns> <ctime ns> <digest> <path>".
bool DigestTable::parse(StringRef Text) {
  auto [Head, Rest] = Text.split('\n');
  auto [CwdLine, Rest2] = Rest.split('\n');
  auto [SumLine, Body] = Rest2.split('\n');
  if (Head != Magic || !CwdLine.consume_front("cwd ") ||
      CwdLine != WorkingDir || !SumLine.consume_front("sum ") ||
      SumLine != toHex(hashBytes(Body)))
    return false;
  while (!Body.empty()) {
    StringRef Line;
    std::tie(Line, Body) = Body.split('\n');
    SmallVector<StringRef, 7> F;
    Line.split(F, ' ', /*MaxSplit=*/6, /*KeepEmpty=*/true);
    Row R;
    if (F.size() != 7 || F[0].getAsInteger(10, R.Sig.Device) ||
        F[1].getAsInteger(10, R.Sig.Inode) ||
        F[2].getAsInteger(10, R.Sig.Size) ||
        F[3].getAsInteger(10, R.Sig.ModifiedNanos) ||
        F[4].getAsInteger(10, R.Sig.ChangedNanos) || F[6].empty())
      return false;
    std::optional<Digest> D = digestFromHex(F[5]);
    if (!D)
      return false;
    R.D = *D;
    Rows[F[6]] = R;
  }
  return true;
}

std::optional<Digest> DigestTable::find(StringRef Path,
                                        const FileSignature &S) {
  std::lock_guard<std::mutex> G(Lock);
  auto It = Rows.find(Path);
  if (It == Rows.end() || !(It->second.Sig == S))
    return std::nullopt;
  It->second.Used = true;
  return It->second.D;
}

void DigestTable::record(StringRef Path, const FileSignature &S,
                         const Digest &D) {
  if (Path.contains('\n'))
    return; // Not representable in a line: hashed every time.
  std::lock_guard<std::mutex> G(Lock);
  Row &R = Rows[Path];
  R.Sig = S;
  R.D = D;
  R.Used = true;
  Changed = true;
}

std::string DigestTable::text() const {
  std::string Body;
  raw_string_ostream OS(Body);
  for (const auto &E : Rows)
    if (E.second.Used) {
      const FileSignature &S = E.second.Sig;
      OS << S.Device << ' ' << S.Inode << ' ' << S.Size << ' '
         << S.ModifiedNanos << ' ' << S.ChangedNanos << ' ' << toHex(E.second.D)
         << ' ' << E.first() << '\n';
    }
  return (Magic + "\ncwd " + WorkingDir + "\nsum " + toHex(hashBytes(Body)) +
          "\n" + Body)
      .str();
}

Error DigestTable::save() {
  std::string Text;
  {
    std::lock_guard<std::mutex> G(Lock);
    bool Stale =
        llvm::any_of(Rows, [](const auto &E) { return !E.second.Used; });
    if (!Changed && !Stale)
      return Error::success();
    Text = text();
  }
  SmallString<256> Model(Root);
  sys::path::append(Model, "tmp", temporaryPrefix() + "digests-%%%%%%%%");
  auto Out = FS.createUniqueFile(Model);
  if (!Out)
    return Out.takeError();
  std::string Tmp = (*Out)->path();
  Error E = (*Out)->write(Text);
  if (!E)
    E = (*Out)->close();
  Out->reset();
  if (!E) {
    E = FS.rename(Tmp, File);
    if (E) { // The first table (or the pruner took the directory).
      consumeError(std::move(E));
      E = FS.createDirectories(sys::path::parent_path(File));
      if (!E)
        E = FS.rename(Tmp, File);
    }
  }
  if (E)
    consumeError(FS.remove(Tmp));
  return E;
}

} // namespace ltocache
