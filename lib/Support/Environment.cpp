//===- Environment.cpp - Environment variables ----------------------------===//

#include "Support/Environment.h"

#include "llvm/ADT/StringExtras.h"

extern char **environ;

using namespace llvm;

namespace ltocache {

Environment Environment::current() {
  Environment E;
  for (char **P = environ; P && *P; ++P) {
    auto [Name, Value] = StringRef(*P).split('=');
    if (StringRef(*P).contains('='))
      E.Vars.try_emplace(Name.str(), Value.str());
  }
  return E;
}

Environment Environment::fromEntries(ArrayRef<std::string> Entries) {
  Environment E;
  for (StringRef Entry : Entries)
    if (Entry.contains('=')) {
      auto [Name, Value] = Entry.split('=');
      E.set(Name, Value);
    }
  return E;
}

std::optional<StringRef> Environment::get(StringRef Name) const {
  auto It = Vars.find(Name);
  if (It == Vars.end())
    return std::nullopt;
  return StringRef(It->second);
}

void Environment::set(StringRef Name, StringRef Value) {
  Vars.insert_or_assign(Name.str(), Value.str());
}

void Environment::unset(StringRef Name) {
  auto It = Vars.find(Name);
  if (It != Vars.end())
    Vars.erase(It);
}

std::vector<std::string> Environment::entries() const {
  std::vector<std::string> Out;
  for (const auto &[Name, Value] : Vars)
    Out.push_back(Name + "=" + Value);
  return Out;
}

std::vector<std::string> splitSearchPath(StringRef Value) {
  SmallVector<StringRef, 16> Dirs;
  Value.split(Dirs, ':');
  std::vector<std::string> Out;
  for (StringRef D : Dirs)
    Out.push_back(D.empty() ? "." : D.str());
  return Out;
}

std::vector<std::string> Environment::searchPath() const {
  // glibc's execvp: without PATH, confstr(_CS_PATH).
  return splitSearchPath(get("PATH").value_or("/bin:/usr/bin"));
}

} // namespace ltocache
