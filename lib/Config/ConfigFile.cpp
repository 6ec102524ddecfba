//===- ConfigFile.cpp - The configuration file ----------------------------===//

#include "Config/ConfigFile.h"
#include "Config/Settings.h"

#include "Support/Environment.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace llvm;

namespace ltocache {

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
  std::vector<StringRef> Keys;
  for (const SettingRow &Row : settingsTable())
    if (!Row.FileKey.empty())
      Keys.push_back(Row.FileKey);
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
    if (!is_contained(Keys, Key))
      return Bad("unknown key '" + Key + "' (expected one of " +
                 join(Keys, ", ") + ")");
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

ConfigFile readConfigFileOrEmpty() {
  auto File = readConfigFile();
  if (File)
    return std::move(*File);
  consumeError(File.takeError());
  ConfigFile Empty;
  Empty.Path = configFilePath();
  return Empty;
}

} // namespace ltocache
