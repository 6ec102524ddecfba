//===- DefinitionKeyCache.h - Definition keys, once per module --*- C++ -*-===//
//
// A link asks for the definition keys (DefinitionKeys.h) of each module its
// jobs import from; each module is read and hashed once per link, and once
// ever per content: the keys are a function of the module's bytes alone,
// memoised under its digest (KeyMemo), so a warm link, or a relink after an
// edit, reads no bitcode but the edited modules'.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_DEFINITIONKEYCACHE_H
#define LTOCACHE_KEY_DEFINITIONKEYCACHE_H

#include "Key/DefinitionKeys.h"
#include "Key/FileDigests.h"
#include "Key/KeyMemo.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ltocache {

class DefinitionKeyCache {
public:
  /// \p Memo may be null (nothing is remembered across links).
  explicit DefinitionKeyCache(KeyMemo *Memo) : Memo(Memo) {}

  /// The keys of (at least) the definitions \p GUIDs of the module at
  /// \p Path, whose content digest is \p Content. An error: the module
  /// cannot be keyed by definition (its importers key on its whole
  /// content). Only definitions some job imports are ever hashed; each
  /// module's memo grows with what is asked of it. Thread-safe; callers for
  /// one module take turns.
  struct Keys {
    std::optional<ModuleDefinitionKeys> Module;
    std::string Error; ///< Why there are none.
  };
  using Result = std::shared_ptr<const Keys>;
  Result get(llvm::StringRef Path, const Digest &Content,
             llvm::ArrayRef<uint64_t> GUIDs);

  /// The memo key of a module's definition keys.
  static Digest memoKey(const Digest &Content);
  /// The memoised form, and back (an error is memoised too: a module the
  /// hasher cannot key is not read again).
  static std::string serialize(const Keys &K);
  static std::optional<Keys> deserialize(llvm::StringRef Text);

private:
  struct Module {
    std::mutex Lock;
    bool Read = false; ///< The memo was read.
    Result Known;      ///< Null: nothing known yet.
  };
  KeyMemo *Memo;
  std::mutex Lock;
  std::map<Digest, std::unique_ptr<Module>> Modules;
};

} // namespace ltocache

#endif
