#include "ltocache/Config.h"
#include "ltocache/Pruner.h"

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
  const std::vector<const char *> Vars = {"LTOCACHE_DIR", "XDG_CACHE_HOME",
                                          "HOME", "LTOCACHE_POLICY",
                                          "LTOCACHE_FAULT_INJECT"};
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

} // namespace
