//===- RemoteStore.h - Cache entries on a shared server ---------*- C++ -*-===//
//
// The seam between the scheduler and a remote cache. Entries have the same
// verified format as the local store (Entry.h); the store moves bytes, the
// caller verifies them against the key. Calls run every transfer at once
// and report each answer as it arrives, so compiles can race them.
//
// The HTTP store keys entries under a base URL, in the layouts existing
// cache servers use:
//   flat     <url>/<64 hex>
//   subdirs  <url>/<2 hex>/<62 hex>
//   bazel    <url>/ac/<64 hex>   (bazel-remote, AC validation off)
// An s3://<bucket>/<prefix> remote is the same store over S3's REST API:
// requests signed with AWS Signature V4 (libcurl's), path-style under an
// endpoint (MinIO, Ceph RGW, R2, ...) or AWS's virtual-hosted URL.
// Its libcurl code lives in LTOCacheHttp.so, loaded only when a link
// actually talks to a remote (linking libcurl costs every process start
// ~15 ms).
//
//===----------------------------------------------------------------------===//
#ifndef LTOCACHE_REMOTE_REMOTESTORE_H
#define LTOCACHE_REMOTE_REMOTESTORE_H

#include "Key/CacheKey.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ltocache {

enum class RemoteLayout { Flat, Subdirs, Bazel };

llvm::Expected<RemoteLayout> parseRemoteLayout(llvm::StringRef Name);
llvm::StringRef remoteLayoutName(RemoteLayout Layout);
/// The path of \p Key below the base URL.
std::string remotePath(RemoteLayout Layout, const Digest &Key);

struct RemoteOptions {
  std::string BaseUrl;
  RemoteLayout Layout = RemoteLayout::Subdirs;
  std::chrono::milliseconds ConnectTimeout{1000};
  std::chrono::milliseconds RequestTimeout{10000};
  bool ReadOnly = false;
  /// Extra request headers ("Name: value"), e.g. for authentication.
  std::vector<std::string> Headers;
  /// s3:// remotes: the region requests are signed for, the endpoint
  /// (empty: AWS's own), and the credentials (secrets: never shown).
  std::string S3Region = "us-east-1";
  std::string S3Endpoint;
  std::string AwsAccessKeyId, AwsSecretAccessKey, AwsSessionToken;
};

/// Whether \p Url names an S3 bucket (s3://).
bool isS3Url(llvm::StringRef Url);
/// The HTTP base URL of an s3://<bucket>/<prefix> remote: path-style under
/// \p Endpoint, else https://<bucket>.s3.<region>.amazonaws.com/<prefix>.
llvm::Expected<std::string> s3HttpUrl(llvm::StringRef Url,
                                      llvm::StringRef Region,
                                      llvm::StringRef Endpoint);

struct RemoteResult {
  enum Kind {
    Hit,       ///< GET: Body holds the entry (unverified). PUT: stored. HEAD:
               ///< present.
    Miss,      ///< 404.
    Failed,    ///< Transport error or another HTTP status (Message says which).
    TimedOut,  ///< No answer within the request timeout or the call's deadline.
    Cancelled, ///< cancel() was called before the answer came.
    Untrusted  ///< GET: an entry without a trusted signature (Message: why).
  } What = Failed;
  std::string Body;
  std::string Message;
};

class RemoteStore {
public:
  using Clock = std::chrono::steady_clock;
  /// Called once per request, from the thread running the call, as soon as
  /// its answer (or its failure) is known. Index is the request's position.
  using ResultCallback = std::function<void(size_t Index, RemoteResult)>;

  virtual ~RemoteStore();

  /// GETs every key at once. Returns when each key has had its callback:
  /// answered, failed, timed out at \p Deadline, or cancelled.
  virtual void lookupAll(llvm::ArrayRef<Digest> Keys,
                         Clock::time_point Deadline,
                         const ResultCallback &OnResult) = 0;
  /// HEADs every key at once (Hit: the server has it).
  virtual void containsAll(llvm::ArrayRef<Digest> Keys,
                           Clock::time_point Deadline,
                           const ResultCallback &OnResult) = 0;
  /// PUTs every (key, encoded entry) at once. In read-only mode nothing is
  /// sent and every callback says Failed.
  virtual void storeAll(llvm::ArrayRef<std::pair<Digest, std::string>> Entries,
                        Clock::time_point Deadline,
                        const ResultCallback &OnResult) = 0;
  /// Makes the running call (if any) finish soon: requests without an
  /// answer get Cancelled. Thread-safe; a later call is not affected.
  virtual void cancel() = 0;

  virtual bool readOnly() const = 0;
  /// For messages: the remote with credentials masked.
  virtual std::string describe() const = 0;
};

/// The base URL with any user:password replaced by "***".
std::string maskUrlCredentials(llvm::StringRef Url);

/// Loads LTOCacheHttp.so (bundledModulePath) once per process and opens an
/// HTTP (http://, https://) or S3 (s3://) remote on it.
llvm::Expected<std::unique_ptr<RemoteStore>>
createHttpRemoteStore(RemoteOptions Options);

} // namespace ltocache

#endif
