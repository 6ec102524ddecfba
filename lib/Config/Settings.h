//===- Settings.h - The one table of settings -------------------*- C++ -*-===//
//
// Every setting of ltocache is one row of settingsTable(): its name, its
// command-line flag, its environment variable, its configuration-file key,
// its default, how its value is checked and shown, and its help text. The
// programs' options (SettingFlags.h), the precedence (flag, else
// environment, else file, else default), `ltocache config` and README's
// settings tables are all derived from it: a new setting is one row.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_CONFIG_SETTINGS_H
#define LTOCACHE_CONFIG_SETTINGS_H

#include "Config/ConfigFile.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

/// One per row of the table, in its order.
enum class SettingId : unsigned {
  CacheDir,
  CachePolicy,
  SyncEntries,
  Umask,
  Jobs,
  Backend,
  BackendArgs,
  CompileServer,
  KeyLog,
  DeterminismCheck,
  DeterminismReportDir,
  VerifyHits,
  Quiet,
  FaultInject,
  Trace,
  LinkRecords,
  Remote,
  RemoteLayout,
  RemoteConnectTimeout,
  RemoteRequestTimeout,
  RemoteBudget,
  RemoteUploadBudget,
  RemoteHeadStart,
  RemoteReadOnly,
  RemoteHeaders,
  RemoteSigningKey,
  RemoteTrustedKeys,
  RemoteS3Region,
  RemoteS3Endpoint,
};

/// How a value is written and checked.
enum class SettingType {
  Text,           ///< Any text.
  Path,           ///< A file or directory; "~/" expanded in the file.
  Switch,         ///< 1, 0, true, false; a flag without a value is true.
  Count,          ///< A whole number.
  Millis,         ///< A whole number of milliseconds.
  PositiveMillis, ///< As Millis, at least 1.
  List,           ///< Repeatable flag; blank-separated in the environment and
                  ///< the file.
  Fraction,       ///< A number from 0 to 1.
};

/// Which programs take a setting as a command-line flag.
enum SettingUse : unsigned {
  UsedByDistributor = 1 << 0,   ///< ltocache-dtlto.
  UsedByCacheCommands = 1 << 1, ///< Every `ltocache` command.
  UsedByPrune = 1 << 2,         ///< `ltocache prune`.
  // `ltocache config` takes every flag, to show its effect.
};

/// How an invalid value is reported.
enum class ErrorStyle {
  Framed,     ///< "bad <what> '<shown value>' (from <source>): <why>".
  WithSource, ///< "<why> (from <source>)": the check names the value.
  AsIs,       ///< "<why>": the check's own words (secrets are not shown).
};

struct SettingRow {
  SettingId Id;
  /// The name `ltocache config` shows, and the flag (without "--") unless
  /// the setting is only read from the environment.
  llvm::StringRef Name;
  llvm::StringRef Env;
  /// Empty only for a setting read from the environment alone.
  llvm::StringRef FileKey;
  /// In messages: "bad <What> '...'".
  llvm::StringRef What;
  SettingType Type;
  /// The default value; empty: none.
  llvm::StringRef Default;
  /// One sentence (or a few) for --help and README.
  llvm::StringRef Help;
  /// README's table the row belongs to: "cache", "compile", "checks",
  /// "remote".
  llvm::StringRef Group;
  unsigned Uses = UsedByDistributor;
  /// Another spelling of the flag, for compatibility ("policy"), and
  /// whether it takes its value glued on ("-j4").
  llvm::StringRef Alias = "";
  bool AliasIsPrefix = false;
  /// An empty value is a value (it turns a remote set elsewhere off)
  /// rather than "not given".
  bool EmptyIsValue = false;
  /// Why a setting has neither a flag nor a file key (secrets stay out of
  /// files `ltocache config` points at, and out of command lines `ps`
  /// shows). Empty: it has all three.
  llvm::StringRef OnlyFromEnvBecause = "";

  bool hasFlag() const { return OnlyFromEnvBecause.empty(); }
  /// Extra checks beyond the type's; may normalise the value. Null: none.
  llvm::Error (*Check)(std::string &Value) = nullptr;
  ErrorStyle Errors = ErrorStyle::Framed;
  /// How the value is shown (credentials masked). Null: as it is.
  std::string (*Show)(llvm::StringRef Value) = nullptr;
  /// A value the row accepts, for tests and examples.
  llvm::StringRef Example = "";
  /// A default that depends on the environment or on rows above this one
  /// (which are resolved first). Null: Default, as it is.
  Setting (*DefaultOf)(const class Settings &Above) = nullptr;
  /// The default in words, where it is computed (DefaultOf) or where an
  /// empty value means something the program decides (markdown).
  llvm::StringRef DefaultDoc = "";
};

llvm::ArrayRef<SettingRow> settingsTable();
const SettingRow &settingRow(SettingId Id);

/// Flags given on a command line: value and spelling ("--remote",
/// "--policy").
using GivenFlags = std::map<SettingId, Setting>;

/// Every setting resolved: flag, else environment variable, else the
/// configuration file, else the default. A row whose value is invalid keeps
/// its error; a program asks for the rows it uses (check()).
class Settings {
public:
  static Settings resolve(const GivenFlags &Flags, const ConfigFile &File);

  /// The first invalid value among rows \p Filter accepts, in table order.
  llvm::Error check(llvm::function_ref<bool(const SettingRow &)> Filter) const;
  /// Every row.
  llvm::Error checkAll() const;
  /// Rows \p Ids.
  llvm::Error check(llvm::ArrayRef<SettingId> Ids) const;

  /// The value (unmasked: secrets included) and its source.
  const Setting &get(SettingId Id) const { return at(Id).Value; }
  const std::string &value(SettingId Id) const { return get(Id).Value; }
  const std::string &source(SettingId Id) const { return get(Id).Source; }
  /// The value as it may be shown (credentials masked).
  std::string shown(SettingId Id) const;
  /// Typed views of valid values.
  bool isOn(SettingId Id) const { return value(Id) == "true"; }
  unsigned count(SettingId Id) const;
  std::chrono::milliseconds millis(SettingId Id) const;
  double fraction(SettingId Id) const;
  std::vector<std::string> list(SettingId Id) const;
  /// Whether the value came from anything but the default.
  bool given(SettingId Id) const { return at(Id).Given; }

  const ConfigFile &file() const { return File; }

private:
  struct Resolved {
    Setting Value;
    bool Given = false;
    std::string Error; ///< Empty: valid.
  };
  const Resolved &at(SettingId Id) const {
    return Rows[static_cast<unsigned>(Id)];
  }
  std::vector<Resolved> Rows;
  ConfigFile File;
};

/// README's table for \p Group: setting, flag, environment variable, file
/// key, default.
std::string settingsMarkdown(llvm::StringRef Group);
/// The groups, in README's order.
llvm::ArrayRef<llvm::StringLiteral> settingGroups();

} // namespace ltocache

#endif
