//===- Config.h - Where settings come from ----------------------*- C++ -*-===//
#ifndef LTOCACHE_CONFIG_H
#define LTOCACHE_CONFIG_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace ltocache {

/// A setting's effective value and where it came from ("--cache-dir",
/// "LTOCACHE_DIR", "default ($XDG_CACHE_HOME)", ...).
struct Setting {
  std::string Value;
  std::string Source;
};

/// The cache directory: \p Flag if given, else $LTOCACHE_DIR, else
/// $XDG_CACHE_HOME/ltocache, else $HOME/.cache/ltocache.
Setting resolveCacheDir(std::optional<std::string> Flag);

/// The pruning policy (lld's --thinlto-cache-policy grammar): \p Flag if
/// given, else $LTOCACHE_POLICY, else DefaultPolicy.
Setting resolvePolicy(std::optional<std::string> Flag,
                      llvm::StringRef FlagName = "--cache-policy");

/// Fault injection for tests: \p Flag if given, else $LTOCACHE_FAULT_INJECT.
Setting resolveFaultInjection(std::optional<std::string> Flag);

} // namespace ltocache

#endif
