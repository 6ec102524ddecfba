//===- InProcessEquivalence.h - In-process is the same compile --*- C++ -*-===//
//
// The in-process backend (ltocache-compile) runs clang's driver and cc1 as
// a library, the way clang's own main() does (response files,
// CCC_OVERRIDE_OPTIONS, the target and mode from the program's name,
// configuration files found from the executable's path), in the
// compiler's environment. It is used only where that is exactly what the
// remote compiler would do: the obstacles below say why not, one reason.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_COMPILE_INPROCESSEQUIVALENCE_H
#define LTOCACHE_COMPILE_INPROCESSEQUIVALENCE_H

#include "Key/CompilerCommand.h"
#include "Key/ToolchainIdentity.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace ltocache {

/// Why \p Command cannot be compiled in-process, as far as the command
/// tells, or an empty Reason. Said with a warning where the command does
/// not show it (a launcher not understood, or that may compile on another
/// machine; CCC_OVERRIDE_OPTIONS that may load code into the compiler); a
/// remote compiler that is a wrapper script, or arguments that load
/// plugins, are choices, not faults, and their misses run as processes
/// silently.
struct CommandObstacle {
  std::string Reason;
  bool Warn = false;
};
CommandObstacle inProcessCommandObstacle(const CompilerCommand &Command);

/// Why the compiler \p Toolchain describes is not the compile server's
/// clang \p ServerVersion, or "" if its version text starts with that same
/// full version.
std::string inProcessVersionObstacle(const ToolchainIdentity &Toolchain,
                                     llvm::StringRef ServerVersion);

/// Why the compiler \p Toolchain describes (what \p Command runs), of the
/// server's version, would still compile otherwise, or "": an installation
/// other than the executable's (so other configuration files), a
/// configuration file that may load code into the compiler.
std::string inProcessToolchainObstacle(const ToolchainIdentity &Toolchain,
                                       const CompilerCommand &Command);

} // namespace ltocache

#endif
