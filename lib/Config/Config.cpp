//===- Config.cpp - Where settings come from ------------------------------===//

#include "Config/Config.h"
#include "Store/Pruner.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <climits>

using namespace llvm;

namespace ltocache {

static std::optional<std::string> nonEmptyEnv(StringRef Name) {
  std::optional<std::string> V = sys::Process::GetEnv(Name);
  if (V && V->empty())
    return std::nullopt;
  return V;
}

//===----------------------------------------------------------------------===//
// The configuration file
//===----------------------------------------------------------------------===//

static constexpr StringLiteral ConfigKeys[] = {
    "cache_dir",     "cache_policy",           "remote",
    "remote_layout", "remote_connect_timeout", "remote_request_timeout",
    "remote_budget", "remote_upload_budget",   "remote_read_only",
    "sync_entries",
};

std::optional<Setting> ConfigFile::get(StringRef Key) const {
  auto It = Values.find(Key.str());
  if (It == Values.end())
    return std::nullopt;
  return Setting{It->second.Text, "config file " + Path.Value + ":" +
                                      std::to_string(It->second.Line)};
}

Setting configFilePath() {
  if (auto Env = nonEmptyEnv("LTOCACHE_CONFIG"))
    return {*Env, "LTOCACHE_CONFIG"};
  if (auto Xdg = nonEmptyEnv("XDG_CONFIG_HOME")) {
    SmallString<256> P(*Xdg);
    sys::path::append(P, "ltocache", "ltocache.conf");
    return {std::string(P),
            "default ($XDG_CONFIG_HOME/ltocache/ltocache.conf)"};
  }
  SmallString<256> P;
  if (!sys::path::home_directory(P))
    P = "/nonexistent";
  sys::path::append(P, ".config", "ltocache", "ltocache.conf");
  return {std::string(P), "default ($HOME/.config/ltocache/ltocache.conf)"};
}

/// \p Line without a trailing comment: "#" at its start or after a blank
/// (so that a value may contain "#", as in a URL's fragment, "a#b").
static StringRef stripComment(StringRef Line) {
  for (size_t I = 0; I < Line.size(); ++I)
    if (Line[I] == '#' && (I == 0 || Line[I - 1] == ' ' || Line[I - 1] == '\t'))
      return Line.take_front(I);
  return Line;
}

Expected<ConfigFile> parseConfigFile(StringRef Path, StringRef Text) {
  ConfigFile File;
  File.Path = {Path.str(), ""};
  File.Exists = true;
  SmallVector<StringRef, 32> Lines;
  Text.split(Lines, '\n');
  for (size_t I = 0; I < Lines.size(); ++I) {
    unsigned LineNo = I + 1;
    auto Bad = [&](const Twine &Why) {
      return createStringError(inconvertibleErrorCode(),
                               Path + ":" + Twine(LineNo) + ": " + Why);
    };
    StringRef Line = stripComment(Lines[I]).trim();
    if (Line.empty())
      continue;
    auto [Key, Value] = Line.split('=');
    Key = Key.trim();
    Value = Value.trim();
    if (!Line.contains('=') || Key.empty())
      return Bad("expected 'key = value'");
    if (!is_contained(ConfigKeys, Key))
      return Bad("unknown key '" + Key + "' (expected one of " +
                 join(std::begin(ConfigKeys), std::end(ConfigKeys), ", ") +
                 ")");
    if (Value.size() >= 2 && (Value.front() == '"' || Value.front() == '\'') &&
        Value.back() == Value.front())
      Value = Value.drop_front().drop_back();
    auto [It, New] = File.Values.try_emplace(
        Key.str(), ConfigFile::Value{Value.str(), LineNo});
    if (!New)
      return Bad("'" + Key + "' is already set on line " +
                 Twine(It->second.Line));
  }
  return File;
}

Expected<ConfigFile> readConfigFile() {
  Setting Path = configFilePath();
  auto Buf = MemoryBuffer::getFile(Path.Value, /*IsText=*/true);
  if (!Buf) {
    std::error_code EC = Buf.getError();
    if (EC == std::errc::no_such_file_or_directory &&
        Path.Source != "LTOCACHE_CONFIG") {
      ConfigFile Missing;
      Missing.Path = std::move(Path);
      return Missing;
    }
    return createStringError(EC, "cannot read configuration file %s (%s): %s",
                             Path.Value.c_str(), Path.Source.c_str(),
                             EC.message().c_str());
  }
  auto File = parseConfigFile(Path.Value, (*Buf)->getBuffer());
  if (File)
    File->Path = std::move(Path);
  return File;
}

/// The configuration file, or an empty one if it cannot be read.
static ConfigFile readConfigFileOrEmpty() {
  auto File = readConfigFile();
  if (File)
    return std::move(*File);
  consumeError(File.takeError());
  ConfigFile Empty;
  Empty.Path = configFilePath();
  return Empty;
}

//===----------------------------------------------------------------------===//
// Cache settings
//===----------------------------------------------------------------------===//

Setting resolveCacheDir(std::optional<std::string> Flag,
                        const ConfigFile &File) {
  if (Flag && !Flag->empty())
    return {*Flag, "--cache-dir"};
  if (auto Env = nonEmptyEnv("LTOCACHE_DIR"))
    return {*Env, "LTOCACHE_DIR"};
  if (auto FromFile = File.get("cache_dir");
      FromFile && !FromFile->Value.empty()) {
    SmallString<256> P;
    sys::fs::expand_tilde(FromFile->Value, P);
    return {std::string(P), FromFile->Source};
  }
  if (auto Xdg = nonEmptyEnv("XDG_CACHE_HOME")) {
    SmallString<256> P(*Xdg);
    sys::path::append(P, "ltocache");
    return {std::string(P), "default ($XDG_CACHE_HOME/ltocache)"};
  }
  SmallString<256> P;
  if (!sys::path::home_directory(P))
    P = "/tmp";
  sys::path::append(P, ".cache", "ltocache");
  return {std::string(P), "default ($HOME/.cache/ltocache)"};
}

Setting resolveCacheDir(std::optional<std::string> Flag) {
  return resolveCacheDir(std::move(Flag), readConfigFileOrEmpty());
}

Setting resolvePolicy(std::optional<std::string> Flag, const ConfigFile &File,
                      StringRef FlagName) {
  if (Flag)
    return {*Flag, FlagName.str()};
  if (auto Env = nonEmptyEnv("LTOCACHE_POLICY"))
    return {*Env, "LTOCACHE_POLICY"};
  if (auto FromFile = File.get("cache_policy");
      FromFile && !FromFile->Value.empty())
    return *FromFile;
  return {DefaultPolicy.str(), "default"};
}

Setting resolvePolicy(std::optional<std::string> Flag, StringRef FlagName) {
  return resolvePolicy(std::move(Flag), readConfigFileOrEmpty(), FlagName);
}

Setting resolveFaultInjection(std::optional<std::string> Flag) {
  if (Flag)
    return {*Flag, "--fault-inject"};
  if (auto Env = nonEmptyEnv("LTOCACHE_FAULT_INJECT"))
    return {*Env, "LTOCACHE_FAULT_INJECT"};
  return {"", "default (none)"};
}

//===----------------------------------------------------------------------===//
// Settings that must be checked: the remote's, sync-entries
//===----------------------------------------------------------------------===//

/// Flag, else environment variable, else file key, else nothing. Empty
/// values count as not given.
static std::optional<Setting> pick(const std::optional<std::string> &Flag,
                                   StringRef FlagName, StringRef EnvName,
                                   const ConfigFile &File, StringRef Key) {
  if (Flag && !Flag->empty())
    return Setting{*Flag, FlagName.str()};
  if (auto Env = nonEmptyEnv(EnvName))
    return Setting{*Env, EnvName.str()};
  if (auto FromFile = File.get(Key); FromFile && !FromFile->Value.empty())
    return FromFile;
  return std::nullopt;
}

static Error badSetting(StringRef What, const Setting &S, const Twine &Why) {
  return createStringError(inconvertibleErrorCode(),
                           "bad " + What + " '" + S.Value + "' (from " +
                               S.Source + "): " + Why);
}

/// A yes/no setting given as a flag, an environment variable or a file
/// key; "true" or "false" with its source, the default if none is given.
static Expected<Setting> resolveSwitch(std::optional<bool> Flag,
                                       StringRef FlagName, StringRef EnvName,
                                       const ConfigFile &File, StringRef Key,
                                       StringRef What) {
  if (Flag)
    return Setting{*Flag ? "true" : "false", FlagName.str()};
  std::optional<Setting> S = pick(std::nullopt, "", EnvName, File, Key);
  if (!S)
    return Setting{"false", "default"};
  StringRef V = StringRef(S->Value).trim();
  if (V == "1" || V.equals_insensitive("true"))
    return Setting{"true", S->Source};
  if (V == "0" || V.equals_insensitive("false"))
    return Setting{"false", S->Source};
  return badSetting(What, *S, "expected 1, 0, true or false");
}

Expected<Setting> resolveSyncEntries(std::optional<bool> Flag,
                                     const ConfigFile &File) {
  return resolveSwitch(Flag, "--sync-entries", "LTOCACHE_SYNC_ENTRIES", File,
                       "sync_entries", "sync-entries setting");
}

/// A number of milliseconds; \p Positive: zero is not allowed either.
static Error resolveMilliseconds(
    StringRef What, const std::optional<std::string> &Flag, StringRef FlagName,
    StringRef EnvName, const ConfigFile &File, StringRef Key, unsigned Default,
    bool Positive, Setting &Shown, std::chrono::milliseconds &Out) {
  std::optional<Setting> S = pick(Flag, FlagName, EnvName, File, Key);
  if (!S) {
    Shown = {std::to_string(Default), "default"};
    Out = std::chrono::milliseconds(Default);
    return Error::success();
  }
  uint64_t N;
  if (StringRef(S->Value).trim().getAsInteger(10, N) || N > INT_MAX)
    return badSetting(What, *S, "expected a whole number of milliseconds");
  if (Positive && N == 0)
    return badSetting(What, *S, "must be at least 1 ms");
  Shown = {std::to_string(N), S->Source};
  Out = std::chrono::milliseconds(N);
  return Error::success();
}

/// RFC 9110 token characters, as in a header name.
static bool isTokenChar(char C) {
  return isAlnum(C) || StringRef("!#$%&'*+-.^_`|~").contains(C);
}

Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags,
                                     const ConfigFile &File) {
  RemoteConfig C;
  RemoteSettings &Shown = C.Settings;

  // The URL: an empty value is a value (no remote), so that a flag or the
  // environment can turn off a remote set in the file.
  Setting Url{"", "default (none)"};
  if (Flags.Url)
    Url = {*Flags.Url, "--remote"};
  else if (auto Env = sys::Process::GetEnv("LTOCACHE_REMOTE"))
    Url = {*Env, "LTOCACHE_REMOTE"};
  else if (auto FromFile = File.get("remote"))
    Url = *FromFile;
  Url.Value = StringRef(Url.Value).trim().str();
  Shown.Url = {maskUrlCredentials(Url.Value), Url.Source};
  if (!Url.Value.empty()) {
    StringRef U = Url.Value;
    size_t Scheme = U.find("://");
    StringRef Name = Scheme == StringRef::npos ? "" : U.take_front(Scheme);
    if (!Name.equals_insensitive("http") && !Name.equals_insensitive("https"))
      return badSetting("remote URL", Shown.Url,
                        "expected an http:// or https:// URL");
    if (U.substr(Scheme + 3).empty() || U.substr(Scheme + 3).front() == '/')
      return badSetting("remote URL", Shown.Url, "no host");
    C.Enabled = true;
    C.Options.BaseUrl = Url.Value;
  }

  if (auto L = pick(Flags.Layout, "--remote-layout", "LTOCACHE_REMOTE_LAYOUT",
                    File, "remote_layout")) {
    auto Layout = parseRemoteLayout(StringRef(L->Value).trim());
    if (!Layout)
      return badSetting("remote layout", *L, toString(Layout.takeError()));
    C.Options.Layout = *Layout;
    Shown.Layout = {remoteLayoutName(*Layout).str(), L->Source};
  } else {
    Shown.Layout = {remoteLayoutName(C.Options.Layout).str(), "default"};
  }

  if (Error E = resolveMilliseconds(
          "remote connect timeout", Flags.ConnectTimeout,
          "--remote-connect-timeout", "LTOCACHE_REMOTE_CONNECT_TIMEOUT", File,
          "remote_connect_timeout", 1000, /*Positive=*/true,
          Shown.ConnectTimeout, C.Options.ConnectTimeout))
    return std::move(E);
  if (Error E = resolveMilliseconds(
          "remote request timeout", Flags.RequestTimeout,
          "--remote-request-timeout", "LTOCACHE_REMOTE_REQUEST_TIMEOUT", File,
          "remote_request_timeout", 10000, /*Positive=*/true,
          Shown.RequestTimeout, C.Options.RequestTimeout))
    return std::move(E);
  if (Error E = resolveMilliseconds(
          "remote budget", Flags.Budget, "--remote-budget",
          "LTOCACHE_REMOTE_BUDGET", File, "remote_budget", 10000,
          /*Positive=*/false, Shown.Budget, C.LookupBudget))
    return std::move(E);
  if (Error E = resolveMilliseconds(
          "remote upload budget", Flags.UploadBudget, "--remote-upload-budget",
          "LTOCACHE_REMOTE_UPLOAD_BUDGET", File, "remote_upload_budget", 2000,
          /*Positive=*/false, Shown.UploadBudget, C.UploadBudget))
    return std::move(E);

  auto RO = resolveSwitch(Flags.ReadOnly, "--remote-read-only",
                          "LTOCACHE_REMOTE_READ_ONLY", File, "remote_read_only",
                          "remote read-only setting");
  if (!RO)
    return RO.takeError();
  C.Options.ReadOnly = RO->Value == "true";
  Shown.ReadOnly = *RO;

  // Headers: the environment only (secrets do not belong in a file that
  // `ltocache config` points at), and their values are never shown.
  Shown.Headers = {"", "default (none)"};
  if (auto Env = sys::Process::GetEnv("LTOCACHE_REMOTE_HEADERS")) {
    SmallVector<StringRef, 4> Lines;
    StringRef(*Env).split(Lines, '\n');
    std::string Display;
    for (size_t I = 0; I < Lines.size(); ++I) {
      StringRef Line = Lines[I].trim();
      if (Line.empty())
        continue;
      StringRef Name = Line.split(':').first.rtrim();
      if (!Line.contains(':') || Name.empty() || !all_of(Name, isTokenChar))
        return createStringError(
            "bad LTOCACHE_REMOTE_HEADERS line %zu: expected 'Name: value' "
            "(the value is not shown)",
            I + 1);
      StringRef Value = Line.split(':').second.trim();
      C.Options.Headers.push_back((Name + ": " + Value).str());
      Shown.HeaderNames.push_back(Name.str());
      if (!Display.empty())
        Display += ", ";
      Display += (Name + ": ***").str();
    }
    if (!Shown.HeaderNames.empty())
      Shown.Headers = {Display, "LTOCACHE_REMOTE_HEADERS"};
  }
  return C;
}

Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags) {
  auto File = readConfigFile();
  if (!File)
    return File.takeError();
  return resolveRemote(Flags, *File);
}

} // namespace ltocache
