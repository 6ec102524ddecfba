//===- SharedKeyInputs.h - Key inputs other machines computed ---*- C++ -*-===//
//
// The costly key inputs (the compiler's identity, a job's memoised fields)
// are pure functions of what their memo keys hold, so a machine can take
// them from another that computed them: a CI runner or a new developer
// machine, whose local cache is empty, then neither runs the compiler to
// identify it nor parses bitcode before its first remote hit.
//
// The seam between keying and wherever such values are shared (a remote
// cache: Link/RemoteKeyInputs.h). Asking never blocks: answers arrive on
// another thread. The caller gives the answer a head start (headStart())
// before it starts computing the value itself, then races the two: the
// work an answer saves (running the compiler, parsing bitcode) would take
// a core from the link's other first steps, and a slow or dead remote
// costs at most the head start. A value taken from here is as trustworthy
// as the remote's objects (signed entries cover both).
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_KEY_SHAREDKEYINPUTS_H
#define LTOCACHE_KEY_SHAREDKEYINPUTS_H

#include "Key/CacheKey.h"

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ltocache {

class SharedKeyInputs {
public:
  /// Called once per key asked, from any thread: the value, or nullopt
  /// (not shared, unreadable, or no answer in time).
  using Answer = std::function<void(size_t Index, std::optional<std::string>)>;

  virtual ~SharedKeyInputs() = default;
  /// Asks for the values of \p Keys; returns at once.
  virtual void fetch(std::vector<Digest> Keys, Answer OnAnswer) = 0;
  /// How long local work an answer would save waits for it before it
  /// starts (and then races it): what a dead remote may cost.
  virtual std::chrono::milliseconds headStart() const = 0;
  /// A value computed here. It is shared at the end of the link if it was
  /// asked for and found missing (never over another machine's answer).
  virtual void offer(const Digest &Key, llvm::StringRef Value) = 0;
};

} // namespace ltocache

#endif
