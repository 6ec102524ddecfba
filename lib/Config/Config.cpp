//===- Config.cpp - The settings the programs use -------------------------===//

#include "Config/Config.h"

#include "Remote/SigningKeys.h"
#include "Support/Environment.h"

#include "llvm/ADT/StringExtras.h"

#include <sys/stat.h>

using namespace llvm;

namespace ltocache {

static Settings resolveWith(SettingId Id, std::optional<std::string> Flag,
                            StringRef FlagName, const ConfigFile &File) {
  GivenFlags Given;
  if (Flag)
    Given[Id] = {*Flag, FlagName.str()};
  return Settings::resolve(Given, File);
}

Setting resolveCacheDir(std::optional<std::string> Flag,
                        const ConfigFile &File) {
  return resolveWith(SettingId::CacheDir, std::move(Flag), "--cache-dir", File)
      .get(SettingId::CacheDir);
}

Setting resolveCacheDir(std::optional<std::string> Flag) {
  return resolveCacheDir(std::move(Flag), readConfigFileOrEmpty());
}

Setting resolvePolicy(std::optional<std::string> Flag, const ConfigFile &File,
                      StringRef FlagName) {
  return resolveWith(SettingId::CachePolicy, std::move(Flag), FlagName, File)
      .get(SettingId::CachePolicy);
}

Setting resolvePolicy(std::optional<std::string> Flag, StringRef FlagName) {
  return resolvePolicy(std::move(Flag), readConfigFileOrEmpty(), FlagName);
}

Setting resolveFaultInjection(std::optional<std::string> Flag) {
  return resolveWith(SettingId::FaultInject, std::move(Flag), "--fault-inject",
                     readConfigFileOrEmpty())
      .get(SettingId::FaultInject);
}

Expected<Setting> resolveSyncEntries(std::optional<bool> Flag,
                                     const ConfigFile &File) {
  std::optional<std::string> Text;
  if (Flag)
    Text = *Flag ? "true" : "false";
  Settings S =
      resolveWith(SettingId::SyncEntries, Text, "--sync-entries", File);
  if (Error E = S.check({SettingId::SyncEntries}))
    return std::move(E);
  return S.get(SettingId::SyncEntries);
}

void applyUmask(const Settings &S) {
  unsigned Mask;
  if (S.given(SettingId::Umask) &&
      !StringRef(S.value(SettingId::Umask)).getAsInteger(8, Mask))
    ::umask(Mask);
}

static constexpr SettingId RemoteIds[] = {SettingId::Remote,
                                          SettingId::RemoteLayout,
                                          SettingId::RemoteConnectTimeout,
                                          SettingId::RemoteRequestTimeout,
                                          SettingId::RemoteBudget,
                                          SettingId::RemoteUploadBudget,
                                          SettingId::RemoteHeadStart,
                                          SettingId::RemoteReadOnly,
                                          SettingId::RemoteHeaders,
                                          SettingId::RemoteSigningKey,
                                          SettingId::RemoteTrustedKeys,
                                          SettingId::RemoteS3Region,
                                          SettingId::RemoteS3Endpoint};

ArrayRef<SettingId> remoteSettingIds() { return RemoteIds; }

Expected<RemoteConfig> remoteConfig(const Settings &S) {
  if (Error E = S.check(RemoteIds))
    return std::move(E);
  RemoteConfig C;
  RemoteSettings &Shown = C.Settings;
  auto Show = [&](SettingId Id) { return Setting{S.shown(Id), S.source(Id)}; };

  C.Options.BaseUrl = S.value(SettingId::Remote);
  C.Enabled = !C.Options.BaseUrl.empty();
  Shown.Url = Show(SettingId::Remote);
  C.Options.Layout =
      cantFail(parseRemoteLayout(S.value(SettingId::RemoteLayout)));
  Shown.Layout = Show(SettingId::RemoteLayout);
  C.Options.ConnectTimeout = S.millis(SettingId::RemoteConnectTimeout);
  Shown.ConnectTimeout = Show(SettingId::RemoteConnectTimeout);
  C.Options.RequestTimeout = S.millis(SettingId::RemoteRequestTimeout);
  Shown.RequestTimeout = Show(SettingId::RemoteRequestTimeout);
  C.LookupBudget = S.millis(SettingId::RemoteBudget);
  Shown.Budget = Show(SettingId::RemoteBudget);
  C.UploadBudget = S.millis(SettingId::RemoteUploadBudget);
  Shown.UploadBudget = Show(SettingId::RemoteUploadBudget);
  C.HeadStart = S.millis(SettingId::RemoteHeadStart);
  C.Options.ReadOnly = S.isOn(SettingId::RemoteReadOnly);
  Shown.ReadOnly = Show(SettingId::RemoteReadOnly);
  if (C.Enabled) {
    auto From = [&](Error E, SettingId Id) {
      return createStringError(toString(std::move(E)) + " (from " +
                               S.source(Id) + ")");
    };
    if (const std::string &F = S.value(SettingId::RemoteSigningKey);
        !F.empty()) {
      auto K = readSigningKey(F);
      if (!K)
        return From(K.takeError(), SettingId::RemoteSigningKey);
      C.Trust.Signer = std::move(*K);
    }
    auto Trusted =
        readTrustedKeys(splitKeyFiles(S.value(SettingId::RemoteTrustedKeys)));
    if (!Trusted)
      return From(Trusted.takeError(), SettingId::RemoteTrustedKeys);
    C.Trust.Trusted = std::move(*Trusted);
  }
  C.Options.S3Region = S.value(SettingId::RemoteS3Region);
  C.Options.S3Endpoint = S.value(SettingId::RemoteS3Endpoint);
  if (isS3Url(C.Options.BaseUrl)) {
    // The standard AWS variables, as every AWS tool reads them.
    C.Options.AwsAccessKeyId = nonEmptyEnv("AWS_ACCESS_KEY_ID").value_or("");
    C.Options.AwsSecretAccessKey =
        nonEmptyEnv("AWS_SECRET_ACCESS_KEY").value_or("");
    C.Options.AwsSessionToken = nonEmptyEnv("AWS_SESSION_TOKEN").value_or("");
  }

  // Headers: their values are sent, never shown.
  SmallVector<StringRef, 4> Lines;
  StringRef(S.value(SettingId::RemoteHeaders)).split(Lines, '\n');
  for (StringRef Line : Lines) {
    Line = Line.trim();
    if (Line.empty())
      continue;
    auto [Name, Value] = Line.split(':');
    C.Options.Headers.push_back((Name.rtrim() + ": " + Value.trim()).str());
    Shown.HeaderNames.push_back(Name.rtrim().str());
  }
  Shown.Headers = Shown.HeaderNames.empty() ? Setting{"", "default (none)"}
                                            : Show(SettingId::RemoteHeaders);
  return C;
}

Expected<std::unique_ptr<RemoteStore>> openRemote(const RemoteConfig &C) {
  auto Store = createHttpRemoteStore(C.Options);
  if (!Store)
    return Store.takeError();
  return withSignatures(std::move(*Store), C.Trust);
}

Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags,
                                     const ConfigFile &File) {
  GivenFlags Given;
  auto Put = [&](SettingId Id, const std::optional<std::string> &V) {
    if (V)
      Given[Id] = {*V, "--" + settingRow(Id).Name.str()};
  };
  Put(SettingId::Remote, Flags.Url);
  Put(SettingId::RemoteLayout, Flags.Layout);
  Put(SettingId::RemoteConnectTimeout, Flags.ConnectTimeout);
  Put(SettingId::RemoteRequestTimeout, Flags.RequestTimeout);
  Put(SettingId::RemoteBudget, Flags.Budget);
  Put(SettingId::RemoteUploadBudget, Flags.UploadBudget);
  if (Flags.ReadOnly)
    Put(SettingId::RemoteReadOnly,
        std::string(*Flags.ReadOnly ? "true" : "false"));
  return remoteConfig(Settings::resolve(Given, File));
}

Expected<RemoteConfig> resolveRemote(const RemoteFlags &Flags) {
  auto File = readConfigFile();
  if (!File)
    return File.takeError();
  return resolveRemote(Flags, *File);
}

} // namespace ltocache
