//===- BackendSelector.h - Chooses how misses are compiled ------*- C++ -*-===//
#ifndef LTOCACHE_COMPILE_BACKENDSELECTOR_H
#define LTOCACHE_COMPILE_BACKENDSELECTOR_H

#include "Compile/CompileBackend.h"
#include "Job/BackendJob.h"
#include "Key/CompilerCommand.h"
#include "Key/ToolchainIdentity.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ltocache {

enum class BackendMode {
  Auto,        ///< In-process when the remote compiler allows, else process.
  InProcess,   ///< In-process, or fail.
  Process,     ///< The remote compiler, one process per job.
  Distributor, ///< Another DTLTO distributor, given all misses at once.
};

struct BackendChoice {
  BackendMode Mode = BackendMode::Auto;
  std::string Distributor;                  ///< For Distributor.
  std::vector<std::string> DistributorArgs; ///< For Distributor.
  std::string WorkDir;                      ///< For Distributor.
  unsigned Workers = 0;      ///< Compiles at once (0: one per hardware thread).
  std::string CompileServer; ///< For in-process: the server (empty: default).
};

/// "auto", "in-process", "process" or "distributor:<exe>".
llvm::Expected<BackendChoice> parseBackendChoice(llvm::StringRef Name);

/// What the selector is told about the remote compiler: what lld's command
/// runs, known at once (or why not), and its identity, known later.
struct RemoteCompilerInfo {
  const CompilerCommand *Command = nullptr; ///< Null: CommandError says why.
  std::string CommandError;
  /// Waits for the identity (ToolchainIdentity.h), or the reason it is not
  /// known. The pointee lives as long as the backend.
  std::function<llvm::Expected<const ToolchainIdentity *>()> Identity;
  /// Whether Identity would answer at once.
  std::function<bool()> IdentityKnown;
};

/// A backend that makes its choice on the first compile, so a link whose
/// jobs all hit never starts clang's code. In-process is chosen only where
/// it compiles as the remote compiler would (InProcessEquivalence.h).
std::unique_ptr<CompileBackend>
createSelectedBackend(const BackendChoice &Choice, RemoteCompilerInfo Remote);

} // namespace ltocache

#endif
