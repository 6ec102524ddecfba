//===- CacheKey.h - Digests and the tagged-field key builder ----*- C++ -*-===//
//
// Every cache key is built by KeyBuilder: each input is added as a tagged,
// length-prefixed field, so two different field sequences can never hash to
// the same byte stream, and the list of fields a recipe uses is visible in
// one place (the KeyField enum).
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_CACHEKEY_H
#define LTOCACHE_KEY_CACHEKEY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

using Digest = std::array<uint8_t, 32>;

std::string toHex(const Digest &D);
std::optional<Digest> digestFromHex(llvm::StringRef Hex);
Digest hashBytes(llvm::StringRef Data);
llvm::Expected<Digest> hashFile(const llvm::Twine &Path);

/// The fields a key can contain. Values are part of the hashed stream: never
/// renumber, only append.
enum class KeyField : uint16_t {
  Recipe = 1,         ///< Recipe name and version (domain separation).
  CompilerIdentity,   ///< Remote compiler: binary content + version text.
  CompilerArg,        ///< One effective compiler argument, paths removed.
  ReferencedFile,     ///< Content of a file named by an argument.
  HostCPU,            ///< Host CPU and features, when an arg says "native".
  Module,             ///< Content of the module being compiled.
  SummaryShard,       ///< The job's summary index, module paths canonical.
  ImportedModule,     ///< Content of one module the job imports from.
  ModuleRecipe,       ///< The Clang plugin's recipe of the compiled module.
  CommonInput,        ///< Content of a file every job reads.
  ToolVersion,        ///< Version of the code computing a memoised value.
  MemoInput,          ///< One input of a memoised computation.
  ImportedPart,       ///< What a job takes from one module, by definition.
  ImportedDefinition, ///< One imported definition: name and key.
  JobBase,            ///< A job's key without the module hashes below.
  CarriedModuleHash,  ///< A module hash the job's object carries.
  Launcher,           ///< A program in front of the compiler: name + content.
  CompilerLibrary,    ///< A shared library the compiler loads from its own
                      ///< directories: name + build ID (or content).
  Environment,        ///< A variable of the compiler's environment that
                      ///< clang's driver reads: NAME=VALUE.
  ConfigFile,         ///< A clang configuration file read: name + content.
  ConfigArg,          ///< One option from the configuration files, paths
                      ///< removed.
  ResponseFile,       ///< An @file of the common arguments: name + content.
};

llvm::StringRef keyFieldName(KeyField F);

/// One field as recorded for explanation: its tag and its value, verbatim
/// when short and printable, else a digest prefix.
struct KeyFieldTrace {
  KeyField Field;
  std::string Value;
};

class KeyBuilder {
public:
  KeyBuilder(llvm::StringRef RecipeName, uint32_t RecipeVersion);

  void add(KeyField Field, llvm::StringRef Value);
  /// A digest is hashed as its 32 bytes and traced as its hex form.
  void add(KeyField Field, const Digest &Value);
  /// \p Value hashed, \p TraceText shown (a long name, readable).
  void add(KeyField Field, llvm::StringRef Value, llvm::StringRef TraceText);

  Digest finish();
  const std::vector<KeyFieldTrace> &trace() const { return Trace; }

private:
  llvm::BLAKE3 Hasher;
  std::vector<KeyFieldTrace> Trace;
};

} // namespace ltocache

#endif
