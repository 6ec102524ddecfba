// The settings table: every row is reachable by its flag (through the
// options the programs register from the table), its environment variable
// and its file key, with the precedence flag > environment > file >
// default; README's settings tables are the table's rows.
#include "Config/Settings.h"
#include "Config/SettingFlags.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <optional>
#include <regex>
#include <string>
#include <vector>

using namespace ltocache;
using namespace llvm;

namespace {

class SettingsTest : public ::testing::Test {
protected:
  /// Every variable a row reads, cleared for the test and restored after.
  void SetUp() override {
    for (const SettingRow &Row : settingsTable())
      save(Row.Env.str());
    for (const char *V : {"HOME", "XDG_CACHE_HOME", "LTOCACHE_CONFIG"})
      save(V);
  }
  void TearDown() override {
    for (auto &[Name, Old] : Saved) {
      if (Old)
        ::setenv(Name.c_str(), Old->c_str(), 1);
      else
        ::unsetenv(Name.c_str());
    }
  }
  void save(const std::string &Name) {
    const char *Old = ::getenv(Name.c_str());
    Saved.push_back(
        {Name, Old ? std::optional<std::string>(Old) : std::nullopt});
    ::unsetenv(Name.c_str());
  }
  static ConfigFile file(StringRef Text) {
    auto F = parseConfigFile("/etc/t.conf", Text);
    EXPECT_TRUE(bool(F)) << toString(F.takeError());
    return F ? std::move(*F) : ConfigFile();
  }
  /// The command line \p Args parsed by the options the table registers.
  static GivenFlags parse(std::vector<std::string> Args) {
    static SettingFlags Flags(SettingFlags::topLevel(~0u), nullptr);
    cl::ResetAllOptionOccurrences();
    std::vector<const char *> Argv{"settings-test"};
    for (const std::string &A : Args)
      Argv.push_back(A.c_str());
    std::string Errors;
    raw_string_ostream OS(Errors);
    EXPECT_TRUE(cl::ParseCommandLineOptions(Argv.size(), Argv.data(), "", &OS))
        << Errors;
    return Flags.given();
  }
  /// How \p Row's example is written on a command line.
  static std::string flagArg(const SettingRow &Row) {
    if (Row.Type == SettingType::Switch)
      return "--" + Row.Name.str();
    return "--" + Row.Name.str() + "=" + Row.Example.str();
  }
  /// The example as the row stores it.
  static std::string normal(const SettingRow &Row) {
    return Row.Type == SettingType::Switch ? "true" : Row.Example.str();
  }

  std::vector<std::pair<std::string, std::optional<std::string>>> Saved;
};

TEST_F(SettingsTest, RowsAreWellFormed) {
  StringSet<> Names, Envs, Keys;
  size_t I = 0;
  for (const SettingRow &Row : settingsTable()) {
    SCOPED_TRACE(Row.Name.str());
    EXPECT_EQ(static_cast<size_t>(Row.Id), I++) << "rows in SettingId order";
    EXPECT_FALSE(Row.Name.empty());
    EXPECT_TRUE(Row.Env.starts_with("LTOCACHE_"));
    EXPECT_FALSE(Row.What.empty());
    EXPECT_FALSE(Row.Help.empty());
    EXPECT_FALSE(Row.Example.empty());
    EXPECT_TRUE(is_contained(settingGroups(), Row.Group));
    // Every setting is ltocache-dtlto's; `ltocache` commands take some.
    EXPECT_TRUE(Row.Uses & UsedByDistributor);
    EXPECT_TRUE(Names.insert(Row.Name).second) << "name used twice";
    EXPECT_TRUE(Envs.insert(Row.Env).second) << "variable used twice";
    // A row without a file key says why; one with a flag has a file key.
    if (Row.hasFlag())
      EXPECT_FALSE(Row.FileKey.empty());
    else
      EXPECT_TRUE(Row.FileKey.empty());
    if (!Row.FileKey.empty())
      EXPECT_TRUE(Keys.insert(Row.FileKey).second) << "file key used twice";
  }
}

TEST_F(SettingsTest, EveryRowIsReachableByFlagEnvironmentAndFile) {
  for (const SettingRow &Row : settingsTable()) {
    SCOPED_TRACE(Row.Name.str());
    // The default.
    Settings D = Settings::resolve(GivenFlags(), ConfigFile());
    EXPECT_FALSE(D.given(Row.Id));
    EXPECT_TRUE(StringRef(D.source(Row.Id)).starts_with("default"));

    // The file.
    ConfigFile File;
    if (!Row.FileKey.empty()) {
      File = file((Row.FileKey + " = " + Row.Example + "\n").str());
      Settings S = Settings::resolve(GivenFlags(), File);
      ASSERT_FALSE(bool(S.check({Row.Id})));
      EXPECT_EQ(S.value(Row.Id), normal(Row));
      EXPECT_EQ(S.source(Row.Id), "config file /etc/t.conf:1");
    }

    // The environment beats the file.
    ::setenv(Row.Env.str().c_str(), Row.Example.str().c_str(), 1);
    Settings E = Settings::resolve(GivenFlags(), File);
    ASSERT_FALSE(bool(E.check({Row.Id})));
    EXPECT_EQ(E.value(Row.Id), normal(Row));
    EXPECT_EQ(E.source(Row.Id), Row.Env);

    // The flag beats both, as the programs register it.
    if (Row.hasFlag()) {
      GivenFlags G = parse({flagArg(Row)});
      ASSERT_TRUE(G.count(Row.Id));
      Settings F = Settings::resolve(G, File);
      ASSERT_FALSE(bool(F.check({Row.Id})));
      EXPECT_EQ(F.value(Row.Id), normal(Row));
      EXPECT_EQ(F.source(Row.Id), "--" + Row.Name.str());
      if (!Row.Alias.empty()) {
        std::string Alias = Row.AliasIsPrefix
                                ? ("-" + Row.Alias + Row.Example).str()
                                : ("--" + Row.Alias + "=" + Row.Example).str();
        GivenFlags A = parse({Alias});
        ASSERT_TRUE(A.count(Row.Id));
        EXPECT_EQ(A[Row.Id].Value, Row.Example);
        EXPECT_EQ(A[Row.Id].Source,
                  (Row.AliasIsPrefix ? "-" : "--") + Row.Alias.str());
      }
    }
    ::unsetenv(Row.Env.str().c_str());
  }
  parse({});
}

TEST_F(SettingsTest, BadValuesNameTheirSource) {
  ::setenv("LTOCACHE_JOBS", "many", 1);
  Settings S = Settings::resolve(GivenFlags(), ConfigFile());
  Error E = S.check({SettingId::Jobs});
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)),
            "bad jobs count 'many' (from LTOCACHE_JOBS): expected a whole "
            "number");
  // Other rows are unaffected; every row at once reports it too.
  EXPECT_FALSE(bool(S.check({SettingId::CacheDir})));
  EXPECT_TRUE(bool(S.checkAll()));
  consumeError(S.checkAll());

  GivenFlags G = parse({"--backend=distributed"});
  Settings B = Settings::resolve(G, ConfigFile());
  EXPECT_EQ(toString(B.check({SettingId::Backend})),
            "unknown --backend 'distributed' (expected auto, in-process, "
            "process or distributor:<program>) (from --backend)");
  parse({});
}

TEST_F(SettingsTest, ComputedDefaults) {
  ::setenv("HOME", "/home/u", 1);
  Settings S = Settings::resolve(GivenFlags(), ConfigFile());
  EXPECT_EQ(S.value(SettingId::CacheDir), "/home/u/.cache/ltocache");
  EXPECT_EQ(S.value(SettingId::DeterminismReportDir),
            "/home/u/.cache/ltocache/determinism-reports");
  // The report directory follows the cache directory wherever that comes
  // from.
  ::setenv("LTOCACHE_DIR", "/c", 1);
  S = Settings::resolve(GivenFlags(), ConfigFile());
  EXPECT_EQ(S.value(SettingId::DeterminismReportDir), "/c/determinism-reports");
  EXPECT_EQ(S.value(SettingId::CompileServer), "");
  EXPECT_EQ(S.source(SettingId::CompileServer),
            "default (ltocache-compile beside ltocache-dtlto)");
}

TEST_F(SettingsTest, ListsAndSwitches) {
  GivenFlags G = parse({"--backend-arg=-a", "--backend-arg=-b", "--quiet",
                        "--sync-entries=false"});
  Settings S = Settings::resolve(G, ConfigFile());
  EXPECT_EQ(S.list(SettingId::BackendArgs),
            (std::vector<std::string>{"-a", "-b"}));
  EXPECT_TRUE(S.isOn(SettingId::Quiet));
  EXPECT_FALSE(S.isOn(SettingId::SyncEntries));
  EXPECT_EQ(S.source(SettingId::SyncEntries), "--sync-entries");
  ::setenv("LTOCACHE_BACKEND_ARGS", " -x  -y ", 1);
  ::setenv("LTOCACHE_QUIET", "0", 1);
  S = Settings::resolve(GivenFlags(), ConfigFile());
  EXPECT_EQ(S.list(SettingId::BackendArgs),
            (std::vector<std::string>{"-x", "-y"}));
  EXPECT_FALSE(S.isOn(SettingId::Quiet));
  parse({});
}

/// README's settings tables are generated from the table: each marked
/// block is settingsMarkdown() of its group, and no other table of README
/// lists a setting.
TEST_F(SettingsTest, ReadmeListsExactlyTheTable) {
  auto Readme = MemoryBuffer::getFile(LTOCACHE_SOURCE_DIR "/README.md");
  ASSERT_TRUE(bool(Readme));
  std::string Text = (*Readme)->getBuffer().str();
  std::string Outside = Text;
  for (StringRef Group : settingGroups()) {
    SCOPED_TRACE(Group.str());
    std::string Begin = "<!-- settings: " + Group.str() + " -->\n";
    std::string End = "<!-- end settings -->\n";
    size_t B = Text.find(Begin);
    ASSERT_NE(B, std::string::npos) << "README.md has no " << Begin;
    size_t E = Text.find(End, B);
    ASSERT_NE(E, std::string::npos);
    std::string Block = Text.substr(B + Begin.size(), E - B - Begin.size());
    EXPECT_EQ(Block, settingsMarkdown(Group))
        << "README.md is out of date: run utils/update-readme-settings.py";
    size_t OB = Outside.find(Begin);
    Outside.erase(OB, Outside.find(End, OB) + End.size() - OB);
  }
  // Outside the blocks, no table row names a setting's variable.
  std::regex Row("^\\|.*`LTOCACHE_[A-Z_]+`");
  SmallVector<StringRef, 0> Lines;
  StringRef(Outside).split(Lines, '\n');
  for (StringRef L : Lines)
    EXPECT_FALSE(std::regex_search(L.str(), Row))
        << "a settings table outside the generated blocks: " << L.str();
}

} // namespace
