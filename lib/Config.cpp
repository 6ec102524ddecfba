//===- Config.cpp - Where settings come from ------------------------------===//

#include "ltocache/Config.h"
#include "ltocache/Pruner.h"

#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace llvm;

namespace ltocache {

static std::optional<std::string> nonEmptyEnv(StringRef Name) {
  std::optional<std::string> V = sys::Process::GetEnv(Name);
  if (V && V->empty())
    return std::nullopt;
  return V;
}

Setting resolveCacheDir(std::optional<std::string> Flag) {
  if (Flag && !Flag->empty())
    return {*Flag, "--cache-dir"};
  if (auto Env = nonEmptyEnv("LTOCACHE_DIR"))
    return {*Env, "LTOCACHE_DIR"};
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

Setting resolvePolicy(std::optional<std::string> Flag, StringRef FlagName) {
  if (Flag)
    return {*Flag, FlagName.str()};
  if (auto Env = nonEmptyEnv("LTOCACHE_POLICY"))
    return {*Env, "LTOCACHE_POLICY"};
  return {DefaultPolicy.str(), "default"};
}

Setting resolveFaultInjection(std::optional<std::string> Flag) {
  if (Flag)
    return {*Flag, "--fault-inject"};
  if (auto Env = nonEmptyEnv("LTOCACHE_FAULT_INJECT"))
    return {*Env, "LTOCACHE_FAULT_INJECT"};
  return {"", "default (none)"};
}

} // namespace ltocache
