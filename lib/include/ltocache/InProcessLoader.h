//===- InProcessLoader.h - Loads the in-process backend on demand -*- C++ -*-===//
#ifndef LTOCACHE_INPROCESSLOADER_H
#define LTOCACHE_INPROCESSLOADER_H

#include "ltocache/BackendJob.h"
#include "ltocache/CompileBackend.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace ltocache {

/// Why \p Common cannot be compiled in-process with a backend built on
/// clang \p LibraryVersion, or an empty string if it can: the remote
/// compiler (whose identity is \p CompilerIdentity, see
/// ToolchainIdentity.h) must be an executable whose version text starts
/// with the same full version, and no argument may load plugins.
std::string inProcessObstacle(const CommonJobArgs &Common,
                              llvm::StringRef CompilerIdentity,
                              llvm::StringRef LibraryVersion);

/// The in-process backend module: LTOCacheInProcess.so in the lib/
/// directory beside the directory of this executable.
std::string inProcessModulePath();

struct LoadedInProcessBackend {
  std::unique_ptr<CompileBackend> Backend;
  std::string ClangVersion;
};

/// Loads the module (once per process) and creates its backend.
llvm::Expected<LoadedInProcessBackend>
loadInProcessBackend(llvm::StringRef ModulePath);

/// Only the module's clang version, loading it if needed.
llvm::Expected<std::string> inProcessClangVersion(llvm::StringRef ModulePath);

} // namespace ltocache

#endif
