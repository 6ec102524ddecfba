//===- CompilerLibraries.h - The compiler's shared libraries ----*- C++ -*-===//
//
// Debian's clang is a 130 KB program; its code is in libclang-cpp.so and
// libLLVM.so beside it, found through its DT_RUNPATH ($ORIGIN/../lib). A
// compiler is identified by those libraries too: each one it loads from
// its own directories (LD_LIBRARY_PATH, DT_RUNPATH or DT_RPATH, searched in
// the dynamic loader's order), by its GNU build ID, which the linker
// derives from the library's content (its content digest without one).
// Libraries from the system's directories (the C and C++ runtimes) are not
// the compiler's and are left out.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_COMPILERLIBRARIES_H
#define LTOCACHE_KEY_COMPILERLIBRARIES_H

#include "Support/Environment.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ltocache {

struct CompilerLibrary {
  std::string Name; ///< As DT_NEEDED names it.
  std::string Path; ///< Where the dynamic loader finds it.
};

struct CompilerLibraries {
  std::vector<CompilerLibrary> Libraries;
  /// Every directory searched, in order: a library put in one of them
  /// would be found first.
  std::vector<std::string> Searched;
};

/// The libraries the executable \p Exe loads from its own directories, run
/// with \p Env. None for a file that is not a dynamically linked 64-bit
/// little-endian ELF executable (a script, a static program).
llvm::Expected<CompilerLibraries> findCompilerLibraries(llvm::StringRef Exe,
                                                        const Environment &Env);

/// "build-id:<hex>" for an ELF file with a GNU build ID, else
/// "blake3:<hex>" of its content.
llvm::Expected<std::string> libraryIdentity(llvm::StringRef Path);

} // namespace ltocache

#endif
