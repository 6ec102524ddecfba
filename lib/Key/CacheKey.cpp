//===- CacheKey.cpp - Digests and the tagged-field key builder ------------===//

#include "Key/CacheKey.h"
#include "Support/WholeFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace ltocache {

std::string toHex(const Digest &D) {
  return llvm::toHex(D, /*LowerCase=*/true);
}

std::optional<Digest> digestFromHex(StringRef Hex) {
  if (Hex.size() != 64)
    return std::nullopt;
  std::string Bytes;
  if (!tryGetFromHex(Hex, Bytes) || Bytes.size() != 32)
    return std::nullopt;
  Digest D;
  std::copy(Bytes.begin(), Bytes.end(), D.begin());
  return D;
}

Digest hashBytes(StringRef Data) {
  return BLAKE3::hash<32>(ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(Data.data()), Data.size()));
}

Expected<Digest> hashFile(const Twine &Path) {
  auto Buf = readWholeFile(Path);
  if (!Buf)
    return Buf.takeError();
  return hashBytes((*Buf)->getBuffer());
}

StringRef keyFieldName(KeyField F) {
  switch (F) {
  case KeyField::Recipe:
    return "recipe";
  case KeyField::CompilerIdentity:
    return "compiler-identity";
  case KeyField::CompilerArg:
    return "compiler-arg";
  case KeyField::ReferencedFile:
    return "referenced-file";
  case KeyField::HostCPU:
    return "host-cpu";
  case KeyField::Module:
    return "module";
  case KeyField::SummaryShard:
    return "summary-shard";
  case KeyField::ImportedModule:
    return "imported-module";
  case KeyField::ModuleRecipe:
    return "module-recipe";
  case KeyField::CommonInput:
    return "common-input";
  case KeyField::ToolVersion:
    return "tool-version";
  case KeyField::MemoInput:
    return "memo-input";
  case KeyField::ImportedPart:
    return "imported-part";
  case KeyField::ImportedDefinition:
    return "imported-definition";
  case KeyField::JobBase:
    return "job-base";
  case KeyField::CarriedModuleHash:
    return "carried-module-hash";
  case KeyField::Launcher:
    return "launcher";
  case KeyField::CompilerLibrary:
    return "compiler-library";
  case KeyField::Environment:
    return "environment";
  case KeyField::ConfigFile:
    return "config-file";
  case KeyField::ConfigArg:
    return "config-arg";
  case KeyField::ResponseFile:
    return "response-file";
  }
  return "unknown";
}

KeyBuilder::KeyBuilder(StringRef RecipeName, uint32_t RecipeVersion) {
  add(KeyField::Recipe, (RecipeName + "/" + Twine(RecipeVersion)).str());
}

void KeyBuilder::add(KeyField Field, const Digest &Value) {
  add(Field,
      StringRef(reinterpret_cast<const char *>(Value.data()), Value.size()));
  Trace.back().Value = "blake3:" + toHex(Value);
}

void KeyBuilder::add(KeyField Field, StringRef Value) {
  // tag (u16 LE) | length (u64 LE) | bytes: an unambiguous encoding.
  uint8_t Header[10];
  support::endian::write16le(Header, static_cast<uint16_t>(Field));
  support::endian::write64le(Header + 2, Value.size());
  Hasher.update(ArrayRef<uint8_t>(Header, sizeof(Header)));
  Hasher.update(ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(Value.data()), Value.size()));
  bool Printable = Value.size() <= 160 &&
                   llvm::all_of(Value, [](char C) { return isPrint(C); });
  Trace.push_back(
      {Field, Printable ? Value.str() : "blake3:" + toHex(hashBytes(Value))});
}

void KeyBuilder::add(KeyField Field, StringRef Value, StringRef TraceText) {
  add(Field, Value);
  Trace.back().Value = TraceText.str();
}

Digest KeyBuilder::finish() { return Hasher.final<32>(); }

} // namespace ltocache
