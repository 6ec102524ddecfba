//===- DefinitionKeyCache.cpp - Definition keys, once per module ----------===//

#include "Key/DefinitionKeyCache.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"

using namespace llvm;

namespace ltocache {

Digest DefinitionKeyCache::memoKey(const Digest &Content) {
  KeyBuilder KB("definition-keys", DefinitionKeysVersion);
  KB.add(KeyField::ToolVersion, LLVM_VERSION_STRING);
  KB.add(KeyField::Module, Content);
  return KB.finish();
}

// "keys\n" "source <name>\n" "context <hex> <0|1>\n", then one
// "<guid hex> <key hex> <0|1> <name>" line per definition and one
// "absent <guid hex>" line per GUID the module does not define; or
// "error <message>". Names and messages are single lines.
std::string DefinitionKeyCache::serialize(const Keys &Result) {
  auto OneLine = [](StringRef S) {
    std::string Out = S.str();
    std::replace(Out.begin(), Out.end(), '\n', ' ');
    return Out;
  };
  if (!Result.Module)
    return "error " + OneLine(Result.Error);
  const ModuleDefinitionKeys *K = &*Result.Module;
  std::string Out = "keys\nsource " + OneLine(K->SourceName) + "\ncontext " +
                    toHex(K->Context) +
                    (K->ContextRefersToLocals ? " 1\n" : " 0\n");
  for (const auto &[GUID, D] : K->Definitions)
    Out += utohexstr(GUID) + " " + toHex(D.Key) +
           (D.RefersToLocals ? " 1 " : " 0 ") + OneLine(D.Name) + "\n";
  for (uint64_t GUID : K->Absent)
    Out += "absent " + utohexstr(GUID) + "\n";
  return Out;
}

std::optional<DefinitionKeyCache::Keys>
DefinitionKeyCache::deserialize(StringRef Text) {
  if (Text.consume_front("error "))
    return Keys{std::nullopt, Text.str()};
  SmallVector<StringRef, 64> Lines;
  Text.split(Lines, '\n', -1, /*KeepEmpty=*/false);
  if (Lines.size() < 3 || Lines[0] != "keys" ||
      !Lines[1].starts_with("source ") || !Lines[2].starts_with("context "))
    return std::nullopt;
  ModuleDefinitionKeys K;
  K.SourceName = Lines[1].drop_front(7).str();
  auto [Hex, Flag] = Lines[2].drop_front(8).split(' ');
  std::optional<Digest> C = digestFromHex(Hex);
  if (!C || (Flag != "0" && Flag != "1"))
    return std::nullopt;
  K.Context = *C;
  K.ContextRefersToLocals = Flag == "1";
  for (StringRef Line : ArrayRef<StringRef>(Lines).drop_front(3)) {
    if (Line.consume_front("absent ")) {
      uint64_t GUID;
      if (Line.getAsInteger(16, GUID))
        return std::nullopt;
      K.Absent.insert(GUID);
      continue;
    }
    SmallVector<StringRef, 4> F;
    Line.split(F, ' ', 3);
    uint64_t GUID;
    std::optional<Digest> Key =
        F.size() == 4 ? digestFromHex(F[1]) : std::nullopt;
    if (!Key || F[0].getAsInteger(16, GUID) || (F[2] != "0" && F[2] != "1"))
      return std::nullopt;
    K.Definitions[GUID] = {*Key, F[2] == "1", F[3].str()};
  }
  return Keys{std::move(K), ""};
}

DefinitionKeyCache::Result DefinitionKeyCache::get(StringRef Path,
                                                   const Digest &Content,
                                                   ArrayRef<uint64_t> GUIDs) {
  Module *M;
  {
    std::lock_guard<std::mutex> G(Lock);
    std::unique_ptr<Module> &Slot = Modules[Content];
    if (!Slot)
      Slot = std::make_unique<Module>();
    M = Slot.get();
  }
  std::lock_guard<std::mutex> G(M->Lock);
  Digest MemoKey = memoKey(Content);
  if (!M->Read) {
    M->Read = true;
    if (Memo)
      if (std::optional<std::string> V = Memo->get(MemoKey))
        if (std::optional<Keys> K = deserialize(*V))
          M->Known = std::make_shared<const Keys>(std::move(*K));
  }
  if (M->Known && !M->Known->Module)
    return M->Known; // The module cannot be keyed by definition.
  std::vector<uint64_t> Missing;
  for (uint64_t GUID : GUIDs)
    if (!M->Known || (!M->Known->Module->Definitions.count(GUID) &&
                      !M->Known->Module->Absent.count(GUID)))
      Missing.push_back(GUID);
  if (!Missing.empty() || !M->Known) {
    Keys K;
    auto Buf = readWholeFile(Path);
    if (!Buf) // Not memoised: the file may come back.
      return std::make_shared<const Keys>(
          Keys{std::nullopt, toString(Buf.takeError())});
    if (auto New = computeDefinitionKeys((*Buf)->getMemBufferRef(), Missing)) {
      // What was known, and what was asked now.
      if (M->Known) {
        ModuleDefinitionKeys Merged = *M->Known->Module;
        Merged.Definitions.insert(New->Definitions.begin(),
                                  New->Definitions.end());
        Merged.Absent.insert(New->Absent.begin(), New->Absent.end());
        K.Module = std::move(Merged);
      } else {
        K.Module = std::move(*New);
      }
    } else {
      K.Error = toString(New.takeError());
    }
    M->Known = std::make_shared<const Keys>(std::move(K));
    if (Memo)
      Memo->put(MemoKey, serialize(*M->Known));
  }
  return M->Known;
}

} // namespace ltocache
