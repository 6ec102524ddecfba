//===- CompilerCommand.h - What lld's compiler command runs -----*- C++ -*-===//
//
// lld's common arguments start with --thinlto-remote-compiler and every
// --thinlto-remote-compiler-prepend-arg, then lld's own "-c --target=...".
// The program first may be a launcher (env, ccache, distcc, ...) that runs
// the compiler: it is found here as that launcher would find it (through
// the PATH the compiler is run with, past the launcher's own masquerading
// links), with the environment the compiler gets. A program ltocache does
// not know, or a launcher option it does not understand, ends the walk:
// what it runs is then known only as far as the probe (ToolchainIdentity.h)
// and the programs named among its arguments tell.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_COMPILERCOMMAND_H
#define LTOCACHE_KEY_COMPILERCOMMAND_H

#include "Support/Environment.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ltocache {

enum class LauncherKind { Env, Ccache, Sccache, Distcc, Icecc };

llvm::StringRef launcherName(LauncherKind K);

/// A program of the command: the word that names it, and the executable
/// that word runs.
struct CommandProgram {
  std::string Word;
  std::string Path;
};

struct CompilerCommand {
  /// The launchers in front of the compiler, outermost first.
  std::vector<std::pair<LauncherKind, CommandProgram>> Launchers;
  /// What the last launcher runs (the first program when there is none).
  CommandProgram Compiler;
  /// The compiler's arguments after argv[0] (which is Compiler.Word).
  std::vector<std::string> Args;
  /// The environment the compiler runs with.
  Environment Env;
  /// Why what the command runs is not fully known (an unknown launcher, a
  /// launcher option not understood), or empty.
  std::string NotUnderstood;
  /// With NotUnderstood: the programs named among the unknown program's
  /// arguments (words found on PATH), which it may run.
  std::vector<CommandProgram> Named;
  /// Why the compiler may run on another machine (distcc, a ccache
  /// prefix command), or empty.
  std::string MayRunElsewhere;
};

/// Where lld's own arguments start in \p Args: the "-c" that precedes
/// "--target=". 1 if there is no such pair.
size_t lldArgumentsStart(llvm::ArrayRef<std::string> Args);

/// What \p Args (lld's common arguments) run, in the environment \p Env
/// (the distributor's, which lld's jobs inherit). An error if a program of
/// it cannot be found.
llvm::Expected<CompilerCommand>
resolveCompilerCommand(llvm::ArrayRef<std::string> Args,
                       const Environment &Env);

} // namespace ltocache

#endif
