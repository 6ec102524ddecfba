#include "Config/Config.h"
#include "Remote/RemoteStore.h"
#include "Store/Pruner.h"

#include "TestUtil.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace ltocache;

namespace {

/// Saves the variables the configuration reads, clears them, and restores
/// them afterwards.
class ConfigTest : public ::testing::Test {
protected:
  const std::vector<const char *> Vars = {"LTOCACHE_DIR",
                                          "XDG_CACHE_HOME",
                                          "HOME",
                                          "LTOCACHE_POLICY",
                                          "LTOCACHE_FAULT_INJECT",
                                          "LTOCACHE_CONFIG",
                                          "XDG_CONFIG_HOME",
                                          "LTOCACHE_REMOTE",
                                          "LTOCACHE_REMOTE_LAYOUT",
                                          "LTOCACHE_REMOTE_CONNECT_TIMEOUT",
                                          "LTOCACHE_REMOTE_REQUEST_TIMEOUT",
                                          "LTOCACHE_REMOTE_BUDGET",
                                          "LTOCACHE_REMOTE_UPLOAD_BUDGET",
                                          "LTOCACHE_REMOTE_READ_ONLY",
                                          "LTOCACHE_REMOTE_HEADERS",
                                          "LTOCACHE_SYNC_ENTRIES"};
  std::vector<std::optional<std::string>> Saved;

  void SetUp() override {
    for (const char *V : Vars) {
      const char *Old = ::getenv(V);
      Saved.push_back(Old ? std::optional<std::string>(Old) : std::nullopt);
      ::unsetenv(V);
    }
  }
  void TearDown() override {
    for (size_t I = 0; I < Vars.size(); ++I) {
      if (Saved[I])
        ::setenv(Vars[I], Saved[I]->c_str(), 1);
      else
        ::unsetenv(Vars[I]);
    }
  }
  static void set(const char *Name, const char *Value) {
    ::setenv(Name, Value, 1);
  }
  /// A configuration file with \p Text, named by $LTOCACHE_CONFIG.
  std::string useConfigFile(llvm::StringRef Text) {
    std::string Path = Dir.sub("ltocache.conf");
    test::writeFile(Path, Text);
    set("LTOCACHE_CONFIG", Path.c_str());
    return Path;
  }
  static ConfigFile parse(llvm::StringRef Text) {
    auto File = parseConfigFile("/etc/x.conf", Text);
    EXPECT_TRUE(bool(File)) << llvm::toString(File.takeError());
    return File ? std::move(*File) : ConfigFile();
  }
  static std::string parseError(llvm::StringRef Text) {
    auto File = parseConfigFile("/etc/x.conf", Text);
    if (File)
      return "(no error)";
    return llvm::toString(File.takeError());
  }
  static std::string remoteError(const RemoteFlags &Flags,
                                 const ConfigFile &File = ConfigFile()) {
    auto C = resolveRemote(Flags, File);
    if (C)
      return "(no error)";
    return llvm::toString(C.takeError());
  }

  test::TempDir Dir{"ltocache-config"};
};

TEST_F(ConfigTest, CacheDirFlagWins) {
  set("LTOCACHE_DIR", "/env/dir");
  set("XDG_CACHE_HOME", "/xdg");
  set("HOME", "/home/u");
  Setting S = resolveCacheDir(std::string("/flag/dir"));
  EXPECT_EQ(S.Value, "/flag/dir");
  EXPECT_EQ(S.Source, "--cache-dir");
}

TEST_F(ConfigTest, CacheDirEnvBeatsDefaults) {
  set("LTOCACHE_DIR", "/env/dir");
  set("XDG_CACHE_HOME", "/xdg");
  set("HOME", "/home/u");
  Setting S = resolveCacheDir(std::nullopt);
  EXPECT_EQ(S.Value, "/env/dir");
  EXPECT_EQ(S.Source, "LTOCACHE_DIR");
  // An empty flag counts as not given.
  S = resolveCacheDir(std::string());
  EXPECT_EQ(S.Value, "/env/dir");
  EXPECT_EQ(S.Source, "LTOCACHE_DIR");
}

TEST_F(ConfigTest, CacheDirXdgBeatsHome) {
  set("XDG_CACHE_HOME", "/xdg");
  set("HOME", "/home/u");
  Setting S = resolveCacheDir(std::nullopt);
  EXPECT_EQ(S.Value, "/xdg/ltocache");
  EXPECT_EQ(S.Source, "default ($XDG_CACHE_HOME/ltocache)");
}

TEST_F(ConfigTest, CacheDirHomeIsLastResort) {
  set("HOME", "/home/u");
  Setting S = resolveCacheDir(std::nullopt);
  EXPECT_EQ(S.Value, "/home/u/.cache/ltocache");
  EXPECT_EQ(S.Source, "default ($HOME/.cache/ltocache)");
}

TEST_F(ConfigTest, CacheDirEmptyEnvIsIgnored) {
  set("LTOCACHE_DIR", "");
  set("XDG_CACHE_HOME", "");
  set("HOME", "/home/u");
  Setting S = resolveCacheDir(std::nullopt);
  EXPECT_EQ(S.Value, "/home/u/.cache/ltocache");
  EXPECT_EQ(S.Source, "default ($HOME/.cache/ltocache)");

  set("XDG_CACHE_HOME", "/xdg");
  S = resolveCacheDir(std::nullopt);
  EXPECT_EQ(S.Value, "/xdg/ltocache");
}

TEST_F(ConfigTest, PolicyPrecedence) {
  Setting S = resolvePolicy(std::nullopt);
  EXPECT_EQ(S.Value, DefaultPolicy.str());
  EXPECT_EQ(S.Source, "default");

  set("LTOCACHE_POLICY", "cache_size=10%");
  S = resolvePolicy(std::nullopt);
  EXPECT_EQ(S.Value, "cache_size=10%");
  EXPECT_EQ(S.Source, "LTOCACHE_POLICY");

  S = resolvePolicy(std::string("prune_after=1h"), "--thinlto-cache-policy");
  EXPECT_EQ(S.Value, "prune_after=1h");
  EXPECT_EQ(S.Source, "--thinlto-cache-policy");

  S = resolvePolicy(std::string("prune_after=2h"));
  EXPECT_EQ(S.Source, "--cache-policy");

  set("LTOCACHE_POLICY", "");
  S = resolvePolicy(std::nullopt);
  EXPECT_EQ(S.Source, "default");
}

TEST_F(ConfigTest, FaultInjectionPrecedence) {
  Setting S = resolveFaultInjection(std::nullopt);
  EXPECT_EQ(S.Value, "");
  EXPECT_EQ(S.Source, "default (none)");

  set("LTOCACHE_FAULT_INJECT", "rename=EXDEV");
  S = resolveFaultInjection(std::nullopt);
  EXPECT_EQ(S.Value, "rename=EXDEV");
  EXPECT_EQ(S.Source, "LTOCACHE_FAULT_INJECT");

  S = resolveFaultInjection(std::string("write=ENOSPC"));
  EXPECT_EQ(S.Value, "write=ENOSPC");
  EXPECT_EQ(S.Source, "--fault-inject");
}

TEST_F(ConfigTest, ConfigFilePath) {
  set("HOME", "/home/u");
  Setting P = configFilePath();
  EXPECT_EQ(P.Value, "/home/u/.config/ltocache/ltocache.conf");
  EXPECT_EQ(P.Source, "default ($HOME/.config/ltocache/ltocache.conf)");

  set("XDG_CONFIG_HOME", "/xdg");
  P = configFilePath();
  EXPECT_EQ(P.Value, "/xdg/ltocache/ltocache.conf");
  EXPECT_EQ(P.Source, "default ($XDG_CONFIG_HOME/ltocache/ltocache.conf)");

  set("LTOCACHE_CONFIG", "/etc/ltocache.conf");
  P = configFilePath();
  EXPECT_EQ(P.Value, "/etc/ltocache.conf");
  EXPECT_EQ(P.Source, "LTOCACHE_CONFIG");
}

TEST_F(ConfigTest, ConfigFileSyntax) {
  ConfigFile F = parse("# a comment\n"
                       "\n"
                       "  cache_dir = /c/d  \n"
                       "cache_policy=prune_after=1h:cache_size=10%\r\n"
                       "remote = http://h/x#frag   # trailing comment\n"
                       "\t# indented comment\n"
                       "remote_layout = \"flat\"\n"
                       "remote_read_only =\n");
  ASSERT_EQ(F.Values.size(), 5u);
  EXPECT_EQ(F.Values["cache_dir"].Text, "/c/d");
  EXPECT_EQ(F.Values["cache_dir"].Line, 3u);
  EXPECT_EQ(F.Values["cache_policy"].Text, "prune_after=1h:cache_size=10%");
  EXPECT_EQ(F.Values["remote"].Text, "http://h/x#frag");
  EXPECT_EQ(F.Values["remote_layout"].Text, "flat");
  EXPECT_EQ(F.Values["remote_read_only"].Text, "");
  std::optional<Setting> S = F.get("remote_layout");
  ASSERT_TRUE(S);
  EXPECT_EQ(S->Value, "flat");
  EXPECT_EQ(S->Source, "config file /etc/x.conf:7");
  EXPECT_FALSE(F.get("remote_budget"));
}

TEST_F(ConfigTest, ConfigFileErrorsNameFileAndLine) {
  EXPECT_EQ(parseError("cache_dir = /x\njust words\n"),
            "/etc/x.conf:2: expected 'key = value'");
  EXPECT_EQ(parseError(" = value\n"), "/etc/x.conf:1: expected 'key = value'");
  EXPECT_EQ(parseError("\n# c\nremote_url = http://h\n")
                .rfind("/etc/x.conf:3: unknown key 'remote_url' (expected one "
                       "of cache_dir, ",
                       0),
            0u);
  EXPECT_EQ(parseError("remote = http://a\nremote = http://b\n"),
            "/etc/x.conf:2: 'remote' is already set on line 1");
}

TEST_F(ConfigTest, ReadConfigFile) {
  set("HOME", Dir.path().str().c_str());
  // The default file may be missing.
  auto Missing = readConfigFile();
  ASSERT_TRUE(bool(Missing)) << llvm::toString(Missing.takeError());
  EXPECT_FALSE(Missing->Exists);
  EXPECT_TRUE(Missing->Values.empty());

  // The one $LTOCACHE_CONFIG names may not.
  set("LTOCACHE_CONFIG", Dir.sub("nonexistent.conf").c_str());
  auto Named = readConfigFile();
  ASSERT_FALSE(bool(Named));
  EXPECT_NE(llvm::toString(Named.takeError()).find("nonexistent.conf"),
            std::string::npos);

  std::string Path = useConfigFile("remote_budget = 5\n");
  auto Read = readConfigFile();
  ASSERT_TRUE(bool(Read)) << llvm::toString(Read.takeError());
  EXPECT_TRUE(Read->Exists);
  EXPECT_EQ(Read->Path.Value, Path);
  EXPECT_EQ(Read->Path.Source, "LTOCACHE_CONFIG");
  EXPECT_EQ(Read->get("remote_budget")->Source, "config file " + Path + ":1");

  useConfigFile("remote_budget = 5\nnonsense\n");
  auto Bad = readConfigFile();
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(llvm::toString(Bad.takeError()),
            Path + ":2: expected 'key = value'");
}

TEST_F(ConfigTest, CacheSettingsFromFile) {
  set("HOME", "/home/u");
  std::string Path = useConfigFile("cache_dir = ~/from-file\n"
                                   "cache_policy = prune_after=1h\n");
  // The overloads without a file read it themselves.
  Setting D = resolveCacheDir(std::nullopt);
  EXPECT_EQ(D.Value, "/home/u/from-file");
  EXPECT_EQ(D.Source, "config file " + Path + ":1");
  Setting P = resolvePolicy(std::nullopt);
  EXPECT_EQ(P.Value, "prune_after=1h");
  EXPECT_EQ(P.Source, "config file " + Path + ":2");

  // The environment beats the file, the flag beats both.
  set("LTOCACHE_DIR", "/env/dir");
  set("LTOCACHE_POLICY", "cache_size=5%");
  EXPECT_EQ(resolveCacheDir(std::nullopt).Source, "LTOCACHE_DIR");
  EXPECT_EQ(resolvePolicy(std::nullopt).Source, "LTOCACHE_POLICY");
  EXPECT_EQ(resolveCacheDir(std::string("/f")).Source, "--cache-dir");
  EXPECT_EQ(resolvePolicy(std::string("prune_after=2h")).Source,
            "--cache-policy");

  // The file beats the XDG default.
  ::unsetenv("LTOCACHE_DIR");
  set("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(resolveCacheDir(std::nullopt).Value, "/home/u/from-file");

  // A broken file is ignored by these (resolveRemote reports it).
  useConfigFile("cache_dir = /x\nbroken\n");
  EXPECT_EQ(resolveCacheDir(std::nullopt).Value, "/xdg/ltocache");
  auto C = resolveRemote(RemoteFlags());
  ASSERT_FALSE(bool(C));
  EXPECT_EQ(llvm::toString(C.takeError()), Path + ":2: expected 'key = value'");
}

TEST_F(ConfigTest, RemoteDefaults) {
  auto C = resolveRemote(RemoteFlags(), ConfigFile());
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  EXPECT_FALSE(C->Enabled);
  EXPECT_EQ(C->Options.BaseUrl, "");
  EXPECT_EQ(C->Options.Layout, RemoteLayout::Subdirs);
  EXPECT_EQ(C->Options.ConnectTimeout.count(), 1000);
  EXPECT_EQ(C->Options.RequestTimeout.count(), 10000);
  EXPECT_FALSE(C->Options.ReadOnly);
  EXPECT_TRUE(C->Options.Headers.empty());
  EXPECT_EQ(C->LookupBudget.count(), 10000);
  EXPECT_EQ(C->UploadBudget.count(), 2000);
  const RemoteSettings &S = C->Settings;
  EXPECT_EQ(S.Url.Value, "");
  EXPECT_EQ(S.Url.Source, "default (none)");
  EXPECT_EQ(S.Layout.Value, "subdirs");
  EXPECT_EQ(S.Layout.Source, "default");
  EXPECT_EQ(S.ConnectTimeout.Value, "1000");
  EXPECT_EQ(S.RequestTimeout.Value, "10000");
  EXPECT_EQ(S.Budget.Value, "10000");
  EXPECT_EQ(S.UploadBudget.Value, "2000");
  EXPECT_EQ(S.ReadOnly.Value, "false");
  EXPECT_EQ(S.Headers.Source, "default (none)");
}

TEST_F(ConfigTest, RemotePrecedence) {
  ConfigFile File = parse("remote = https://file.example/c\n"
                          "remote_layout = flat\n"
                          "remote_connect_timeout = 11\n"
                          "remote_request_timeout = 12\n"
                          "remote_budget = 13\n"
                          "remote_upload_budget = 14\n"
                          "remote_read_only = true\n");
  auto C = resolveRemote(RemoteFlags(), File);
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  EXPECT_TRUE(C->Enabled);
  EXPECT_EQ(C->Options.BaseUrl, "https://file.example/c");
  EXPECT_EQ(C->Options.Layout, RemoteLayout::Flat);
  EXPECT_EQ(C->Options.ConnectTimeout.count(), 11);
  EXPECT_EQ(C->Options.RequestTimeout.count(), 12);
  EXPECT_EQ(C->LookupBudget.count(), 13);
  EXPECT_EQ(C->UploadBudget.count(), 14);
  EXPECT_TRUE(C->Options.ReadOnly);
  EXPECT_EQ(C->Settings.Url.Source, "config file /etc/x.conf:1");
  EXPECT_EQ(C->Settings.UploadBudget.Source, "config file /etc/x.conf:6");
  EXPECT_EQ(C->Settings.ReadOnly.Source, "config file /etc/x.conf:7");

  set("LTOCACHE_REMOTE", "http://env.example/c");
  set("LTOCACHE_REMOTE_LAYOUT", "bazel");
  set("LTOCACHE_REMOTE_CONNECT_TIMEOUT", "21");
  set("LTOCACHE_REMOTE_REQUEST_TIMEOUT", "22");
  set("LTOCACHE_REMOTE_BUDGET", "23");
  set("LTOCACHE_REMOTE_UPLOAD_BUDGET", "24");
  set("LTOCACHE_REMOTE_READ_ONLY", "0");
  C = resolveRemote(RemoteFlags(), File);
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  EXPECT_EQ(C->Options.BaseUrl, "http://env.example/c");
  EXPECT_EQ(C->Options.Layout, RemoteLayout::Bazel);
  EXPECT_EQ(C->Options.ConnectTimeout.count(), 21);
  EXPECT_EQ(C->Options.RequestTimeout.count(), 22);
  EXPECT_EQ(C->LookupBudget.count(), 23);
  EXPECT_EQ(C->UploadBudget.count(), 24);
  EXPECT_FALSE(C->Options.ReadOnly);
  EXPECT_EQ(C->Settings.Url.Source, "LTOCACHE_REMOTE");
  EXPECT_EQ(C->Settings.Budget.Source, "LTOCACHE_REMOTE_BUDGET");
  EXPECT_EQ(C->Settings.ReadOnly.Source, "LTOCACHE_REMOTE_READ_ONLY");

  RemoteFlags Flags;
  Flags.Url = "https://flag.example/c";
  Flags.Layout = "subdirs";
  Flags.ConnectTimeout = "31";
  Flags.RequestTimeout = "32";
  Flags.Budget = "0";
  Flags.UploadBudget = "34";
  Flags.ReadOnly = true;
  C = resolveRemote(Flags, File);
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  EXPECT_EQ(C->Options.BaseUrl, "https://flag.example/c");
  EXPECT_EQ(C->Options.Layout, RemoteLayout::Subdirs);
  EXPECT_EQ(C->Options.ConnectTimeout.count(), 31);
  EXPECT_EQ(C->Options.RequestTimeout.count(), 32);
  EXPECT_EQ(C->LookupBudget.count(), 0);
  EXPECT_EQ(C->UploadBudget.count(), 34);
  EXPECT_TRUE(C->Options.ReadOnly);
  EXPECT_EQ(C->Settings.Url.Source, "--remote");
  EXPECT_EQ(C->Settings.Layout.Source, "--remote-layout");
  EXPECT_EQ(C->Settings.ConnectTimeout.Source, "--remote-connect-timeout");
  EXPECT_EQ(C->Settings.RequestTimeout.Source, "--remote-request-timeout");
  EXPECT_EQ(C->Settings.Budget.Source, "--remote-budget");
  EXPECT_EQ(C->Settings.UploadBudget.Source, "--remote-upload-budget");
  EXPECT_EQ(C->Settings.ReadOnly.Source, "--remote-read-only");
}

TEST_F(ConfigTest, RemoteEmptyUrlTurnsTheRemoteOff) {
  ConfigFile File = parse("remote = https://file.example/c\n");
  set("LTOCACHE_REMOTE", "");
  auto C = resolveRemote(RemoteFlags(), File);
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  EXPECT_FALSE(C->Enabled);
  EXPECT_EQ(C->Settings.Url.Source, "LTOCACHE_REMOTE");

  ::unsetenv("LTOCACHE_REMOTE");
  RemoteFlags Flags;
  Flags.Url = "";
  C = resolveRemote(Flags, File);
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  EXPECT_FALSE(C->Enabled);
  EXPECT_EQ(C->Settings.Url.Source, "--remote");
}

TEST_F(ConfigTest, RemoteBadValuesNameTheirSource) {
  RemoteFlags Flags;
  Flags.Budget = "10s";
  EXPECT_EQ(remoteError(Flags), "bad remote budget '10s' (from "
                                "--remote-budget): expected a whole number "
                                "of milliseconds");
  set("LTOCACHE_REMOTE_BUDGET", "-1");
  EXPECT_EQ(remoteError(RemoteFlags()),
            "bad remote budget '-1' (from LTOCACHE_REMOTE_BUDGET): expected "
            "a whole number of milliseconds");
  ::unsetenv("LTOCACHE_REMOTE_BUDGET");
  EXPECT_EQ(remoteError(RemoteFlags(), parse("\nremote_upload_budget = x\n")),
            "bad remote upload budget 'x' (from config file /etc/x.conf:2): "
            "expected a whole number of milliseconds");
  EXPECT_EQ(remoteError(RemoteFlags(), parse("remote_connect_timeout = 0\n")),
            "bad remote connect timeout '0' (from config file "
            "/etc/x.conf:1): must be at least 1 ms");
  EXPECT_EQ(remoteError(RemoteFlags(),
                        parse("remote_request_timeout = 99999999999\n")),
            "bad remote request timeout '99999999999' (from config file "
            "/etc/x.conf:1): expected a whole number of milliseconds");
  set("LTOCACHE_REMOTE_LAYOUT", "nested");
  EXPECT_EQ(remoteError(RemoteFlags()),
            "bad remote layout 'nested' (from LTOCACHE_REMOTE_LAYOUT): unknown "
            "remote layout 'nested' (expected flat, subdirs or bazel)");
  ::unsetenv("LTOCACHE_REMOTE_LAYOUT");
  set("LTOCACHE_REMOTE_READ_ONLY", "yes");
  EXPECT_EQ(remoteError(RemoteFlags()),
            "bad remote read-only setting 'yes' (from "
            "LTOCACHE_REMOTE_READ_ONLY): expected 1, 0, true or false");
  ::unsetenv("LTOCACHE_REMOTE_READ_ONLY");
  // The URL is masked in errors too.
  Flags = RemoteFlags();
  Flags.Url = "ftp://alice:s3cret@host/c";
  EXPECT_EQ(remoteError(Flags), "bad remote URL 'ftp://***@host/c' (from "
                                "--remote): expected an http://, https:// or "
                                "s3:// URL");
  Flags.Url = "https:///c";
  EXPECT_EQ(remoteError(Flags),
            "bad remote URL 'https:///c' (from --remote): no host");
}

static std::string syncEntries(std::optional<bool> Flag,
                               const ConfigFile &File) {
  auto S = resolveSyncEntries(Flag, File);
  if (!S)
    return "error: " + llvm::toString(S.takeError());
  return S->Value + " (" + S->Source + ")";
}

TEST_F(ConfigTest, SyncEntriesPrecedence) {
  ConfigFile None;
  EXPECT_EQ(syncEntries(std::nullopt, None), "false (default)");
  ConfigFile File = parse("\nsync_entries = TRUE\n");
  EXPECT_EQ(syncEntries(std::nullopt, File),
            "true (config file /etc/x.conf:2)");
  set("LTOCACHE_SYNC_ENTRIES", "0");
  EXPECT_EQ(syncEntries(std::nullopt, File), "false (LTOCACHE_SYNC_ENTRIES)");
  EXPECT_EQ(syncEntries(true, File), "true (--sync-entries)");
  // An empty variable is not given.
  set("LTOCACHE_SYNC_ENTRIES", "");
  EXPECT_EQ(syncEntries(std::nullopt, File),
            "true (config file /etc/x.conf:2)");
  set("LTOCACHE_SYNC_ENTRIES", "always");
  EXPECT_EQ(syncEntries(std::nullopt, File),
            "error: bad sync-entries setting 'always' (from "
            "LTOCACHE_SYNC_ENTRIES): expected 1, 0, true or false");
  // A flag is not checked against a bad variable it overrides.
  EXPECT_EQ(syncEntries(false, File), "false (--sync-entries)");
}

TEST_F(ConfigTest, RemoteCredentialsAreMasked) {
  set("LTOCACHE_REMOTE", "https://alice:s3cret@cache.example:8443/ltocache");
  set("LTOCACHE_REMOTE_HEADERS",
      "Authorization: Bearer t0ken\n\nX-Team:  build \r\n");
  auto C = resolveRemote(RemoteFlags(), ConfigFile());
  ASSERT_TRUE(bool(C)) << llvm::toString(C.takeError());
  // What is sent keeps the secrets...
  EXPECT_EQ(C->Options.BaseUrl,
            "https://alice:s3cret@cache.example:8443/ltocache");
  EXPECT_EQ(C->Options.Headers,
            (std::vector<std::string>{"Authorization: Bearer t0ken",
                                      "X-Team: build"}));
  // ...what is shown does not.
  EXPECT_EQ(C->Settings.Url.Value, "https://***@cache.example:8443/ltocache");
  EXPECT_EQ(C->Settings.Headers.Value, "Authorization: ***, X-Team: ***");
  EXPECT_EQ(C->Settings.Headers.Source, "LTOCACHE_REMOTE_HEADERS");
  EXPECT_EQ(C->Settings.HeaderNames,
            (std::vector<std::string>{"Authorization", "X-Team"}));

  // A bad header line is reported without its text.
  set("LTOCACHE_REMOTE_HEADERS", "X-Ok: 1\nBearer s3cret\n");
  std::string E = remoteError(RemoteFlags());
  EXPECT_EQ(E, "bad LTOCACHE_REMOTE_HEADERS line 2: expected 'Name: value' "
               "(the value is not shown)");
  EXPECT_EQ(E.find("s3cret"), std::string::npos);
}

TEST_F(ConfigTest, MaskUrlCredentials) {
  EXPECT_EQ(maskUrlCredentials("https://user:secret@host/x"),
            "https://***@host/x");
  EXPECT_EQ(maskUrlCredentials("http://token@host:80"), "http://***@host:80");
  EXPECT_EQ(maskUrlCredentials("http://a:b@c@host/p@q"), "http://***@host/p@q");
  EXPECT_EQ(maskUrlCredentials("https://host/path@x?y=@z"),
            "https://host/path@x?y=@z");
  EXPECT_EQ(maskUrlCredentials("https://host"), "https://host");
  EXPECT_EQ(maskUrlCredentials("user:pw@host/x"), "***@host/x");
  EXPECT_EQ(maskUrlCredentials(""), "");
}

} // namespace
