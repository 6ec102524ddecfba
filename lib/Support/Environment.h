//===- Environment.h - Environment variables --------------------*- C++ -*-===//
//
// Settings read the environment the way shells are used: a variable set to
// the empty string is as good as unset. A compiler, though, sees exactly
// the environment it is given: Environment holds one, to be edited the way
// a launcher (env -u, env NAME=VALUE) edits it and handed to a process.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_SUPPORT_ENVIRONMENT_H
#define LTOCACHE_SUPPORT_ENVIRONMENT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Process.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

/// $\p Name, unless it is unset or empty.
inline std::optional<std::string> nonEmptyEnv(llvm::StringRef Name) {
  std::optional<std::string> V = llvm::sys::Process::GetEnv(Name);
  if (V && V->empty())
    return std::nullopt;
  return V;
}

/// The directories of a search path (PATH, CCACHE_PATH) as execvp(3)
/// searches them: an empty entry is the current directory.
std::vector<std::string> splitSearchPath(llvm::StringRef Value);

/// A process environment: variable names and their values (set to the
/// empty string is set).
class Environment {
public:
  /// This process's environment.
  static Environment current();
  /// From "NAME=VALUE" entries; an entry without '=' is ignored, as the C
  /// library ignores it.
  static Environment fromEntries(llvm::ArrayRef<std::string> Entries);

  std::optional<llvm::StringRef> get(llvm::StringRef Name) const;
  void set(llvm::StringRef Name, llvm::StringRef Value);
  void unset(llvm::StringRef Name);
  void clear() { Vars.clear(); }

  /// "NAME=VALUE" for every variable, by name.
  std::vector<std::string> entries() const;
  /// The directories of $PATH (splitSearchPath); unset, the C library's
  /// default.
  std::vector<std::string> searchPath() const;

  bool operator==(const Environment &O) const { return Vars == O.Vars; }

private:
  std::map<std::string, std::string, std::less<>> Vars;
};

} // namespace ltocache

#endif
