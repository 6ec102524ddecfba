//===- InProcessCompiler.h - clang's compile as a library -------*- C++ -*-===//
//
// Each job's driver arguments become a CompilerInvocation (exactly as the
// clang driver would build the cc1 command, after what clang's main() does
// first: response files, CCC_OVERRIDE_OPTIONS, CL and _CL_ in clang-cl
// mode, the target and mode in the program's name), run as an
// EmitObjAction in this process: the same code the remote compiler runs,
// without a process start per job. The driver reads the configuration
// files the remote compiler would, found from its executable's path, and
// the environment is this process's: the compiler's (ltocache-dtlto starts
// this server in it). Thread-safe: one compile per calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_INPROCESSCOMPILER_H
#define LTOCACHE_INPROCESSCOMPILER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/IntrusiveRefCntPtr.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

class InProcessCompiler {
public:
  /// Registers every target, as clang does. \p ClangExecutable: the
  /// remote compiler's executable, whose path the driver starts from
  /// (empty: argv[0], found on PATH).
  explicit InProcessCompiler(std::string ClangExecutable);

  enum class Status {
    Compiled,
    Failed,  ///< clang reported an error.
    Refused, ///< Needs process-wide options other than this process's.
  };

  /// Compiles one job given its clang driver arguments (argv[0] as the
  /// compiler is started with it first). The output clang would write at \p
  /// CapturePath is put in \p Object instead (the file is not touched); other
  /// outputs (such as split DWARF) are written as usual. Otherwise \p Message
  /// says why.
  Status compile(llvm::ArrayRef<const char *> Argv, llvm::StringRef CapturePath,
                 llvm::SmallVectorImpl<char> &Object, std::string &Message);

  /// clang's full version text ("... clang version 22.1.8 (...)").
  static std::string clangVersion();

private:
  /// -mllvm options are process-global: the first job sets them, every
  /// later job must ask for the same. Empty if they could be applied.
  std::string applyGlobalOptions(const std::vector<std::string> &Args);

  /// The executable path clang's main() would give its driver.
  std::string driverPath(llvm::StringRef Argv0, bool CanonicalPrefixes) const;

  std::string ClangExecutable;
  std::mutex Lock;
  std::optional<std::vector<std::string>> Applied;
  /// The driver's view of the filesystem, shared by every job.
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> DriverFS;
};

} // namespace ltocache

#endif
