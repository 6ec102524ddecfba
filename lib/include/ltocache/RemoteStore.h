//===- RemoteStore.h - Cache entries on an HTTP server ----------*- C++ -*-===//
//
// Entries (the same verified format as the local store, Entry.h) under a
// base URL, in the layouts existing cache servers use:
//   flat     <url>/<64 hex>
//   subdirs  <url>/<2 hex>/<62 hex>
//   bazel    <url>/ac/<64 hex>   (bazel-remote, AC validation off)
// All transfers of a call run at once on one libcurl multi handle, which
// keeps connections alive across calls (HTTP/2 where the server offers it
// over TLS). Every call takes a deadline; what has not answered by then is
// reported as timed out, never waited for.
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_REMOTESTORE_H
#define LTOCACHE_REMOTESTORE_H

#include "ltocache/CacheKey.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ltocache {

enum class RemoteLayout { Flat, Subdirs, Bazel };

llvm::Expected<RemoteLayout> parseRemoteLayout(llvm::StringRef Name);
/// The path of \p Key below the base URL.
std::string remotePath(RemoteLayout Layout, const Digest &Key);

struct RemoteOptions {
  std::string BaseUrl;
  RemoteLayout Layout = RemoteLayout::Subdirs;
  std::chrono::milliseconds ConnectTimeout{2000};
  std::chrono::milliseconds RequestTimeout{10000};
  bool ReadOnly = false;
  /// Extra request headers ("Name: value"), e.g. for authentication.
  std::vector<std::string> Headers;
};

struct RemoteResult {
  enum Kind { Hit, Miss, Failed, TimedOut } What = Failed;
  std::string Body;    ///< For Hit: the entry's bytes (still to be verified).
  std::string Message; ///< For Failed/TimedOut.
};

class HttpRemoteStore {
public:
  static llvm::Expected<std::unique_ptr<HttpRemoteStore>>
  create(RemoteOptions Options);
  ~HttpRemoteStore();

  using Clock = std::chrono::steady_clock;

  /// GETs every key at once; one result per key, in order.
  std::vector<RemoteResult> getAll(llvm::ArrayRef<Digest> Keys,
                                   Clock::time_point Deadline);
  /// PUTs every (key, encoded entry) at once; one result per entry (Hit
  /// means stored). Nothing is sent in read-only mode.
  std::vector<RemoteResult>
  putAll(llvm::ArrayRef<std::pair<Digest, std::string>> Entries,
         Clock::time_point Deadline);

  const RemoteOptions &options() const { return Options; }

private:
  struct Impl;
  HttpRemoteStore(RemoteOptions Options, std::unique_ptr<Impl> I);
  RemoteOptions Options;
  std::unique_ptr<Impl> I;
};

} // namespace ltocache

#endif
