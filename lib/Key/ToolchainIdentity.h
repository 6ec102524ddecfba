//===- ToolchainIdentity.h - What the compiler that runs is -----*- C++ -*-===//
//
// What a job's command runs, beyond its arguments: the compiler's
// executable and version, the launchers in front of it, its own shared
// libraries, and which clang configuration files it reads for these
// arguments. The compiler itself says the last: once per toolchain, the
// command lld gave is run with "-v -### -x ir /dev/null" (the probe),
// which prints clang's version, where it is installed, where it looks for
// configuration files and every configuration file it read.
//
// The result is remembered under <cache>/v1/toolchains/, keyed by what it
// is a function of: the command's arguments, every program of it (path and
// stat signature), the environment the driver reads, and (when a
// configuration path may be relative) the current directory. A memo
// records the stat signatures of the directories clang searched and of the
// libraries found: a file added to or removed from one of them, a library
// replaced, invalidates it. A warm link so runs no compiler; it stats the
// command's programs, the searched directories and the libraries, and
// reads one memo.
//
// A machine whose cache has no memo (a CI runner, a new developer machine)
// may take the probe's answer from a remote instead (SharedKeyInputs.h),
// keyed by content (programs by digest, libraries by build ID) and checked
// against what its own configuration directories hold: the probe and the
// remote race, and a slow or dead remote costs nothing.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_TOOLCHAINIDENTITY_H
#define LTOCACHE_KEY_TOOLCHAINIDENTITY_H

#include "Key/CompilerCommand.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ltocache {

class SharedKeyInputs;

struct ToolchainIdentity {
  /// "blake3:<digest of the compiler's executable>\n<version text>" (the
  /// version text as clang --version prints it, up to InstalledDir).
  std::string Compiler;
  /// "<name>=blake3:<digest>" for each launcher, then for each program an
  /// unknown launcher names.
  std::vector<std::string> Launchers;
  /// "<name>=<libraryIdentity>" for each of the compiler's own libraries.
  std::vector<std::string> Libraries;
  /// Where the compiler that answered the probe is installed.
  std::string InstalledDir;
  /// Where it searches for configuration files, in its order (user,
  /// system, installation directory; empty when not configured).
  std::vector<std::string> ConfigSearchDirs;
  /// The configuration files it reads for these arguments, in order.
  std::vector<std::string> ConfigFiles;
  /// Why the compiler that answered is not the executable the command was
  /// resolved to (installed elsewhere: a wrapper, an unknown launcher), or
  /// empty.
  std::string Mismatch;
};

/// The version text of a ToolchainIdentity::Compiler value.
llvm::StringRef compilerVersionText(llvm::StringRef CompilerIdentity);

/// The identity of what \p Command (resolved from lld's common arguments
/// \p CommonArgs) runs. \p MemoDir may be empty (no memo). \p BeforeRun,
/// if given, is called just before the compiler is run: the memo is
/// missing, so this link is probably the first with this toolchain (not
/// called when \p Shared may answer instead). \p Shared (may be null) is
/// asked for the probe's answer while the probe runs; \p FromShared (may
/// be null) says whether its answer was taken.
llvm::Expected<ToolchainIdentity> computeToolchainIdentity(
    const CompilerCommand &Command, llvm::ArrayRef<std::string> CommonArgs,
    llvm::StringRef MemoDir, llvm::function_ref<void()> BeforeRun = {},
    SharedKeyInputs *Shared = nullptr, bool *FromShared = nullptr);

} // namespace ltocache

#endif
