//===- Config.h - The settings the programs use -----------------*- C++ -*-===//
//
// Typed views of the settings table (Settings.h): the cache directory, the
// pruning policy, the remote cache. Each comes from, in order: a
// command-line flag, an environment variable, the configuration file
// (ConfigFile.h), a default.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_CONFIG_CONFIG_H
#define LTOCACHE_CONFIG_CONFIG_H

#include "Config/ConfigFile.h"
#include "Config/Settings.h"
#include "Remote/RemoteStore.h"
#include "Remote/SignedRemoteStore.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

/// The cache directory: \p Flag if given, else $LTOCACHE_DIR, else the
/// file's cache_dir, else $XDG_CACHE_HOME/ltocache, else
/// $HOME/.cache/ltocache.
Setting resolveCacheDir(std::optional<std::string> Flag,
                        const ConfigFile &File);
/// As above, reading the configuration file itself; a file that cannot be
/// read or parsed is ignored here (use readConfigFile() to report it).
Setting resolveCacheDir(std::optional<std::string> Flag);

/// The pruning policy (lld's --thinlto-cache-policy grammar): \p Flag if
/// given (shown as coming from \p FlagName), else $LTOCACHE_POLICY, else
/// the file's cache_policy, else DefaultPolicy. Not checked.
Setting resolvePolicy(std::optional<std::string> Flag, const ConfigFile &File,
                      llvm::StringRef FlagName = "--cache-policy");
/// As above, reading the configuration file itself (ignored if bad).
Setting resolvePolicy(std::optional<std::string> Flag,
                      llvm::StringRef FlagName = "--cache-policy");

/// Fault injection for tests: \p Flag if given, else $LTOCACHE_FAULT_INJECT,
/// else the file's fault_inject (read here; ignored if bad). Not checked.
Setting resolveFaultInjection(std::optional<std::string> Flag);

/// Whether each new cache entry is flushed (fsync) before it is named:
/// \p Flag if given, else $LTOCACHE_SYNC_ENTRIES, else the file's
/// sync_entries, else false. Values are 1, 0, true or false; anything else
/// is an error naming its source. The Setting's value is "true" or "false".
llvm::Expected<Setting> resolveSyncEntries(std::optional<bool> Flag,
                                           const ConfigFile &File);

/// The remote cache settings given on the command line (unset: not given).
struct RemoteFlags {
  std::optional<std::string> Url, Layout, ConnectTimeout, RequestTimeout,
      Budget, UploadBudget;
  std::optional<bool> ReadOnly;
};

/// Each remote setting as it is shown (the URL with credentials masked,
/// header values as "***"), with its source.
struct RemoteSettings {
  Setting Url, Layout, ConnectTimeout, RequestTimeout, Budget, UploadBudget,
      ReadOnly;
  /// "Name: ***" per header, comma-separated; the values never appear.
  Setting Headers;
  std::vector<std::string> HeaderNames;
};

struct RemoteConfig {
  /// A remote URL is set.
  bool Enabled = false;
  /// For createHttpRemoteStore (BaseUrl unmasked, Headers with values).
  RemoteOptions Options;
  /// How long a link's lookups may still win; after it the remote is a
  /// miss for the rest of the link.
  std::chrono::milliseconds LookupBudget{10000};
  /// How long uploads may take after a link's work is done.
  std::chrono::milliseconds UploadBudget{2000};
  /// How long work a remote answer would save waits for it
  /// (Key/SharedKeyInputs.h).
  std::chrono::milliseconds HeadStart{50};
  /// The signing key and the trusted keys, read from their files.
  RemoteTrust Trust;
  /// For display only.
  RemoteSettings Settings;
};

/// Opens the remote \p C names, with its signing and trusted keys: called
/// only when a link has local misses, so that warm links never load the
/// HTTP module.
llvm::Expected<std::unique_ptr<RemoteStore>> openRemote(const RemoteConfig &C);

/// Sets the process's umask from the umask row, if it is given (the row
/// must be valid).
void applyUmask(const Settings &S);

/// The remote rows of the table.
llvm::ArrayRef<SettingId> remoteSettingIds();

/// The remote cache from resolved settings; an error is the first invalid
/// remote setting, naming where it came from. With a remote, the key files
/// are read here (an error names the file and its setting's source).
llvm::Expected<RemoteConfig> remoteConfig(const Settings &S);

/// The remote cache: each setting from \p Flags, else its environment
/// variable (LTOCACHE_REMOTE, LTOCACHE_REMOTE_LAYOUT, ...), else \p File,
/// else its default. Headers come from LTOCACHE_REMOTE_HEADERS only ("Name:
/// value" per line).
llvm::Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags,
                                           const ConfigFile &File);
/// As above, reading the configuration file itself (errors if bad).
llvm::Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags);

} // namespace ltocache

#endif
