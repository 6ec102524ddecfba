//===- Config.h - Where settings come from ----------------------*- C++ -*-===//
//
// Every setting comes from, in order: a command-line flag, an environment
// variable, the configuration file, a default. The file is
// $LTOCACHE_CONFIG, else $XDG_CONFIG_HOME/ltocache/ltocache.conf, else
// ~/.config/ltocache/ltocache.conf: "key = value" lines, "#" comments.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_CONFIG_CONFIG_H
#define LTOCACHE_CONFIG_CONFIG_H

#include "Remote/RemoteStore.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace ltocache {

/// A setting's effective value and where it came from ("--cache-dir",
/// "LTOCACHE_DIR", "config file /path:3", "default ($XDG_CACHE_HOME)", ...).
struct Setting {
  std::string Value;
  std::string Source;
};

/// The configuration file's settings.
struct ConfigFile {
  /// Where the file is looked for, and why there ("LTOCACHE_CONFIG",
  /// "default ($XDG_CONFIG_HOME/ltocache/ltocache.conf)", ...).
  Setting Path;
  bool Exists = false;
  struct Value {
    std::string Text;
    unsigned Line = 0;
  };
  std::map<std::string, Value> Values;

  /// \p Key's value with its source ("config file <path>:<line>"), if set.
  std::optional<Setting> get(llvm::StringRef Key) const;
};

/// Where the configuration file is looked for: $LTOCACHE_CONFIG, else
/// $XDG_CONFIG_HOME/ltocache/ltocache.conf, else
/// $HOME/.config/ltocache/ltocache.conf.
Setting configFilePath();

/// Parses a configuration file's text: "key = value" lines, blank lines,
/// and comments ("#" at the start of a line, or after a blank). A bad line,
/// an unknown key or a key given twice is an error naming \p Path:line.
llvm::Expected<ConfigFile> parseConfigFile(llvm::StringRef Path,
                                           llvm::StringRef Text);

/// Reads the configuration file (configFilePath()). A missing file is
/// empty, unless $LTOCACHE_CONFIG names it; an unreadable or bad one is an
/// error.
llvm::Expected<ConfigFile> readConfigFile();

/// The cache directory: \p Flag if given, else $LTOCACHE_DIR, else the
/// file's cache_dir, else $XDG_CACHE_HOME/ltocache, else
/// $HOME/.cache/ltocache.
Setting resolveCacheDir(std::optional<std::string> Flag,
                        const ConfigFile &File);
/// As above, reading the configuration file itself; a file that cannot be
/// read or parsed is ignored here (use readConfigFile() to report it).
Setting resolveCacheDir(std::optional<std::string> Flag);

/// The pruning policy (lld's --thinlto-cache-policy grammar): \p Flag if
/// given, else $LTOCACHE_POLICY, else the file's cache_policy, else
/// DefaultPolicy.
Setting resolvePolicy(std::optional<std::string> Flag, const ConfigFile &File,
                      llvm::StringRef FlagName = "--cache-policy");
/// As above, reading the configuration file itself (ignored if bad).
Setting resolvePolicy(std::optional<std::string> Flag,
                      llvm::StringRef FlagName = "--cache-policy");

/// Fault injection for tests: \p Flag if given, else $LTOCACHE_FAULT_INJECT.
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
  /// For display only.
  RemoteSettings Settings;
};

/// The remote cache: each setting from \p Flags, else its environment
/// variable (LTOCACHE_REMOTE, LTOCACHE_REMOTE_LAYOUT,
/// LTOCACHE_REMOTE_CONNECT_TIMEOUT, LTOCACHE_REMOTE_REQUEST_TIMEOUT,
/// LTOCACHE_REMOTE_BUDGET, LTOCACHE_REMOTE_UPLOAD_BUDGET,
/// LTOCACHE_REMOTE_READ_ONLY), else \p File, else its default. Headers come
/// from LTOCACHE_REMOTE_HEADERS only ("Name: value" per line). A bad value
/// is an error naming where it came from.
llvm::Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags,
                                           const ConfigFile &File);
/// As above, reading the configuration file itself (errors if bad).
llvm::Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags);

} // namespace ltocache

#endif
