//===- DefinitionKeys.h - What an importer takes from a module --*- C++ -*-===//
//
// A ThinLTO backend job reads from each module it imports from only the
// definitions its shard lists, with what IRMover brings along with each (the
// prototypes of what they reference, types, attributes, metadata), plus a
// few module-level things every import takes (module flags, named metadata,
// data layout, triple, module asm). This computes a key for each such
// definition, and one for the module-level part, from the module's bitcode
// read as the importer reads it (lazily, metadata on demand), so that an
// edit to code nobody imports changes no importer's key.
//
// The keys are canonical hashes of everything reachable from a definition:
// values by content, globals by prototype, the metadata graph by its
// strongly connected components (each node's own fields as LLVM's printer
// writes them, references by hash), so equal content gives equal keys in
// any module and any process. Whatever the hasher does not know (an
// instruction, constant, type or record kind new to it) makes the whole
// module an error: its importers then key on the whole module, as before.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_DEFINITIONKEYS_H
#define LTOCACHE_KEY_DEFINITIONKEYS_H

#include "Key/CacheKey.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace ltocache {

/// Bumped whenever what a key covers changes: memoised keys of another
/// version are never used.
constexpr uint32_t DefinitionKeysVersion = 1;

struct DefinitionKey {
  Digest Key{};
  /// Imported code names a local (internal or private) global of its
  /// module: the importer knows it by its promoted name, which carries the
  /// module's hash (`<name>.llvm.<hash>`).
  bool RefersToLocals = false;
  std::string Name;
};

struct ModuleDefinitionKeys {
  /// The module's source_filename (for messages and the key log).
  std::string SourceName;
  /// What every importer takes from the module whatever it imports.
  Digest Context{};
  bool ContextRefersToLocals = false;
  /// By GUID; a GUID asked for that the module does not define is absent
  /// here and listed in Absent.
  std::map<uint64_t, DefinitionKey> Definitions;
  std::set<uint64_t> Absent;
};

/// The keys of the definitions \p GUIDs (or every definition, with
/// \p AllDefinitions) of the module in \p Bitcode; only those are read
/// from its bitcode. An error means the module cannot be keyed by
/// definition; it names the construct.
llvm::Expected<ModuleDefinitionKeys>
computeDefinitionKeys(llvm::MemoryBufferRef Bitcode,
                      llvm::ArrayRef<uint64_t> GUIDs,
                      bool AllDefinitions = false);

} // namespace ltocache

#endif
