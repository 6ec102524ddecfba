//===- DriverFiles.h - Arguments clang reads from files ---------*- C++ -*-===//
//
// A configuration file (clang.cfg beside the compiler, --config=...) and a
// response file (@file) hold arguments, and may pull in more files. They
// are read here with the code clang's driver reads them with (LLVM's
// cl::ExpansionContext, the same tokenizer and settings), so the key holds
// the very arguments the compiler gets, and names every file they came
// from.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_DRIVERFILES_H
#define LTOCACHE_KEY_DRIVERFILES_H

#include "Key/CacheKey.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace ltocache {

struct DriverFileArgs {
  std::vector<std::string> Args;
  /// Every file read, in the order read, with the digest of its content.
  std::vector<std::pair<std::string, Digest>> Files;
};

/// The options of the configuration file \p Path as clang's driver reads
/// them: "@file" and "--config=" inside it resolved against its directory
/// (a bare --config=<name> in \p SearchDirs, as clang searches its user,
/// system and installation directories), "<CFGDIR>" replaced.
llvm::Expected<DriverFileArgs>
readDriverConfigFile(llvm::StringRef Path,
                     llvm::ArrayRef<std::string> SearchDirs);

/// \p Args with every "@file" naming an existing file replaced by the
/// file's arguments, recursively, as clang's driver expands a command line
/// (GNU quoting, Windows quoting in clang-cl mode; relative names against
/// the current directory).
llvm::Expected<DriverFileArgs>
expandDriverResponseFiles(llvm::ArrayRef<std::string> Args, bool CLMode);

} // namespace ltocache

#endif
