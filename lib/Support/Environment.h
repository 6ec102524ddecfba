//===- Environment.h - Environment variables --------------------*- C++ -*-===//
//
// Settings read the environment the way shells are used: a variable set to
// the empty string is as good as unset.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_SUPPORT_ENVIRONMENT_H
#define LTOCACHE_SUPPORT_ENVIRONMENT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Process.h"

#include <optional>
#include <string>

namespace ltocache {

/// $\p Name, unless it is unset or empty.
inline std::optional<std::string> nonEmptyEnv(llvm::StringRef Name) {
  std::optional<std::string> V = llvm::sys::Process::GetEnv(Name);
  if (V && V->empty())
    return std::nullopt;
  return V;
}

} // namespace ltocache

#endif
