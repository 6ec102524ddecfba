//===- ConfigFile.h - The configuration file --------------------*- C++ -*-===//
//
// $LTOCACHE_CONFIG, else $XDG_CONFIG_HOME/ltocache/ltocache.conf, else
// ~/.config/ltocache/ltocache.conf: "key = value" lines, "#" comments. The
// keys are the settings table's (Settings.h).
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_CONFIG_CONFIGFILE_H
#define LTOCACHE_CONFIG_CONFIGFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

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

/// The configuration file, or an empty one (at configFilePath()) if it
/// cannot be read or parsed.
ConfigFile readConfigFileOrEmpty();

} // namespace ltocache

#endif
