//===- DriverEnvironment.h - Variables that change a compile ----*- C++ -*-===//
//
// The environment variables that clang 22's driver reads (clang/tools/
// driver/driver.cpp, clang/lib/Driver/Driver.cpp and its ToolChains) and
// that can change the object of a backend compile from bitcode, plus the
// dynamic loader's LD_PRELOAD. docs/KEYS.md lists them and those left out
// (include paths, diagnostics, crash reports, temporary files), with why.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_DRIVERENVIRONMENT_H
#define LTOCACHE_KEY_DRIVERENVIRONMENT_H

#include "Support/Environment.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace ltocache {

/// The variables, by name.
llvm::ArrayRef<llvm::StringLiteral> driverEnvironmentVariables();

/// "NAME=VALUE" for each of them that \p Env sets (to anything, empty
/// included), by name.
std::vector<std::string> driverEnvironment(const Environment &Env);

} // namespace ltocache

#endif
