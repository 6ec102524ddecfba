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
#include <vector>

namespace ltocache {

/// ltocache-compile, beside this executable.
std::string compileServerPath();

/// The compiler the server is to be: its driver starts as this clang
/// would (Compile/InProcessEquivalence.h).
struct ServerCompiler {
  /// The clang executable; its path decides the installation directory,
  /// where configuration files are found.
  std::string Executable;
  /// What the compiler is started with before a job's own arguments:
  /// argv[0] (as its launcher passes it), then lld's common arguments.
  std::vector<std::string> Argv;
  /// Its environment, "NAME=VALUE" entries: the server runs in it.
  std::vector<std::string> Environment;
};

struct StartedCompileServer {
  std::unique_ptr<CompileBackend> Backend;
  std::string ClangVersion; ///< What the server's clang calls itself.
};

/// Starts the server at \p Path running up to \p Threads compiles at once
/// (0: one per hardware thread) as \p Compiler, and waits for its
/// greeting. The backend sends each compile to the server and gets the
/// object back in memory. Jobs the server refuses (other process-wide
/// options), and every job once the server has died, go to \p Fallback
/// (which runs lld's command, launcher and all).
llvm::Expected<StartedCompileServer>
startCompileServer(llvm::StringRef Path, unsigned Threads,
                   const ServerCompiler &Compiler,
                   std::unique_ptr<CompileBackend> Fallback);

} // namespace ltocache

#endif
