//===- CompileServerClient.h - The in-process backend's server -*- C++ -*-===//
//
// The in-process backend runs clang's code in ltocache-compile, one server
// process per link started on the first miss, instead of in the
// distributor: warm links never load clang, and the statically linked
// server is ready in ~20 ms where loading clang's shared libraries into
// the distributor took 60-95 ms.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_COMPILE_COMPILESERVERCLIENT_H
#define LTOCACHE_COMPILE_COMPILESERVERCLIENT_H

#include "Compile/CompileBackend.h"
#include "Job/BackendJob.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace ltocache {

/// Why \p Common's jobs cannot be compiled in-process, as far as their
/// arguments tell, or an empty string: the remote compiler must be an
/// executable (not a wrapper script), and no argument may load plugins.
std::string inProcessArgumentObstacle(const CommonJobArgs &Common);

/// Why a remote compiler whose identity is \p CompilerIdentity (see
/// ToolchainIdentity.h) is not the clang \p ServerVersion, or an empty
/// string if its version text starts with that same full version.
std::string inProcessVersionObstacle(llvm::StringRef CompilerIdentity,
                                     llvm::StringRef ServerVersion);

/// ltocache-compile, beside this executable.
std::string compileServerPath();

struct StartedCompileServer {
  std::unique_ptr<CompileBackend> Backend;
  std::string ClangVersion; ///< What the server's clang calls itself.
};

/// Starts the server at \p Path running up to \p Threads compiles at once
/// (0: one per hardware thread) and waits for its greeting. The backend
/// sends each compile to the server and gets the object back in memory.
/// Jobs the server refuses (other process-wide options), and every job
/// once the server has died, go to \p Fallback.
llvm::Expected<StartedCompileServer>
startCompileServer(llvm::StringRef Path, unsigned Threads,
                   std::unique_ptr<CompileBackend> Fallback);

} // namespace ltocache

#endif
