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
/// tells, or "": a launcher that is not understood or may compile on
/// another machine, a compiler that is not an executable (a wrapper
/// script), an argument or CCC_OVERRIDE_OPTIONS that may load code into the
/// compiler.
std::string inProcessCommandObstacle(const CompilerCommand &Command);

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
