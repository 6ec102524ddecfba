//===- RemoteStore.cpp - Cache entries on a shared server -----------------===//
//
// The HTTP remote store's C++ face. The transfers themselves run in
// LTOCacheHttp.so (Remote/HttpTransport.cpp, HttpABI.h), loaded here on first
// use: the programs do not link libcurl.
//
//===----------------------------------------------------------------------===//

#include "Remote/RemoteStore.h"
#include "Remote/HttpABI.h"
#include "Support/BundledModule.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/DynamicLibrary.h"

#include <algorithm>
#include <limits>

using namespace llvm;

namespace ltocache {

Expected<RemoteLayout> parseRemoteLayout(StringRef Name) {
  std::optional<RemoteLayout> L =
      StringSwitch<std::optional<RemoteLayout>>(Name)
          .Case("flat", RemoteLayout::Flat)
          .Case("subdirs", RemoteLayout::Subdirs)
          .Case("bazel", RemoteLayout::Bazel)
          .Default(std::nullopt);
  if (!L)
    return createStringError("unknown remote layout '%s' (expected flat, "
                             "subdirs or bazel)",
                             Name.str().c_str());
  return *L;
}

StringRef remoteLayoutName(RemoteLayout Layout) {
  switch (Layout) {
  case RemoteLayout::Flat:
    return "flat";
  case RemoteLayout::Subdirs:
    return "subdirs";
  case RemoteLayout::Bazel:
    return "bazel";
  }
  return "subdirs";
}

std::string remotePath(RemoteLayout Layout, const Digest &Key) {
  std::string Hex = toHex(Key);
  switch (Layout) {
  case RemoteLayout::Flat:
    return Hex;
  case RemoteLayout::Subdirs:
    return Hex.substr(0, 2) + "/" + Hex.substr(2);
  case RemoteLayout::Bazel:
    return "ac/" + Hex;
  }
  return Hex;
}

std::string maskUrlCredentials(StringRef Url) {
  size_t Scheme = Url.find("://");
  size_t Start = Scheme == StringRef::npos ? 0 : Scheme + 3;
  size_t End = Url.find_first_of("/?#", Start);
  StringRef Authority = Url.slice(Start, End);
  size_t At = Authority.rfind('@');
  if (At == StringRef::npos)
    return Url.str();
  return (Url.take_front(Start) + "***" + Url.substr(Start + At)).str();
}

bool isS3Url(StringRef Url) { return Url.starts_with_insensitive("s3://"); }

Expected<std::string> s3HttpUrl(StringRef Url, StringRef Region,
                                StringRef Endpoint) {
  auto [Bucket, Prefix] = Url.drop_front(5).split('/');
  Prefix = Prefix.trim('/');
  // DNS-compatible names, as virtual-hosted URLs need (AWS's rules, short).
  if (Bucket.size() < 3 || Bucket.size() > 63 ||
      Bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") !=
          StringRef::npos)
    return createStringError("remote '%s': bad bucket name '%s' (3 to 63 "
                             "lower-case letters, digits, '.' and '-')",
                             Url.str().c_str(), Bucket.str().c_str());
  std::string Base;
  if (!Endpoint.empty())
    Base = (Endpoint.rtrim('/') + "/" + Bucket).str();
  else
    Base = ("https://" + Bucket + ".s3." + Region + ".amazonaws.com").str();
  if (!Prefix.empty())
    Base += "/" + Prefix.str();
  return Base;
}

RemoteStore::~RemoteStore() = default;

namespace {

/// LTOCacheHttp.so's entry points, or why it could not be loaded.
struct HttpModule {
  std::string Problem;
  ltocache_http_open_fn Open = nullptr;
  ltocache_http_close_fn Close = nullptr;
  ltocache_http_run_fn Run = nullptr;
  ltocache_http_cancel_fn Cancel = nullptr;
};

HttpModule loadHttpModule() {
  HttpModule M;
  std::string Path = bundledModulePath("LTOCacheHttp.so");
  std::string Err;
  sys::DynamicLibrary Lib =
      sys::DynamicLibrary::getPermanentLibrary(Path.c_str(), &Err);
  if (!Lib.isValid()) {
    M.Problem = "cannot load " + Path + ": " + Err;
    return M;
  }
  auto Sym = [&](const char *Name) -> void * {
    void *Addr = Lib.getAddressOfSymbol(Name);
    if (!Addr && M.Problem.empty())
      M.Problem = Path + " has no " + Name;
    return Addr;
  };
  auto Version = reinterpret_cast<ltocache_http_abi_version_fn>(
      Sym("ltocacheHttpABIVersion"));
  if (!Version)
    return M;
  if (unsigned V = Version(); V != LTOCACHE_HTTP_ABI_VERSION) {
    M.Problem = Path + " speaks interface version " + std::to_string(V) +
                ", expected " + std::to_string(LTOCACHE_HTTP_ABI_VERSION);
    return M;
  }
  M.Open = reinterpret_cast<ltocache_http_open_fn>(Sym("ltocacheHttpOpen"));
  M.Close = reinterpret_cast<ltocache_http_close_fn>(Sym("ltocacheHttpClose"));
  M.Run = reinterpret_cast<ltocache_http_run_fn>(Sym("ltocacheHttpRun"));
  M.Cancel =
      reinterpret_cast<ltocache_http_cancel_fn>(Sym("ltocacheHttpCancel"));
  return M;
}

/// Loaded once per process, on first use.
const HttpModule &httpModule() {
  static const HttpModule M = loadHttpModule();
  return M;
}

/// Milliseconds from now to \p Deadline, rounded up, at least 0.
long long millisecondsUntil(RemoteStore::Clock::time_point Deadline) {
  auto Now = RemoteStore::Clock::now();
  if (Deadline <= Now)
    return 0;
  auto Left = Deadline - Now;
  constexpr auto Max =
      std::chrono::milliseconds(std::numeric_limits<int>::max());
  if (Left >= Max)
    return Max.count();
  return std::chrono::ceil<std::chrono::milliseconds>(Left).count();
}

class HttpRemoteStore : public RemoteStore {
public:
  HttpRemoteStore(RemoteOptions Options, std::string Shown, const HttpModule &M,
                  ltocache_http *H)
      : Options(std::move(Options)), Shown(std::move(Shown)), M(M), H(H) {}
  ~HttpRemoteStore() override { M.Close(H); }

  void lookupAll(ArrayRef<Digest> Keys, Clock::time_point Deadline,
                 const ResultCallback &OnResult) override {
    run(LTOCACHE_HTTP_GET, Keys, {}, Deadline, OnResult);
  }

  void containsAll(ArrayRef<Digest> Keys, Clock::time_point Deadline,
                   const ResultCallback &OnResult) override {
    run(LTOCACHE_HTTP_HEAD, Keys, {}, Deadline, OnResult);
  }

  void storeAll(ArrayRef<std::pair<Digest, std::string>> Entries,
                Clock::time_point Deadline,
                const ResultCallback &OnResult) override {
    if (Options.ReadOnly) {
      for (size_t I = 0; I < Entries.size(); ++I) {
        RemoteResult R;
        R.What = RemoteResult::Failed;
        R.Message = "read-only remote";
        OnResult(I, std::move(R));
      }
      return;
    }
    std::vector<Digest> Keys;
    for (const auto &E : Entries)
      Keys.push_back(E.first);
    run(LTOCACHE_HTTP_PUT, Keys, Entries, Deadline, OnResult);
  }

  void cancel() override { M.Cancel(H); }
  bool readOnly() const override { return Options.ReadOnly; }
  std::string describe() const override { return Shown; }

private:
  struct Call {
    int Method;
    const ResultCallback *OnResult;
  };

  void run(int Method, ArrayRef<Digest> Keys,
           ArrayRef<std::pair<Digest, std::string>> Bodies,
           Clock::time_point Deadline, const ResultCallback &OnResult) {
    if (Keys.empty())
      return;
    std::vector<std::string> Urls;
    Urls.reserve(Keys.size());
    for (const Digest &K : Keys)
      Urls.push_back(Options.BaseUrl + "/" + remotePath(Options.Layout, K));
    std::vector<ltocache_http_request> Requests(Keys.size());
    for (size_t I = 0; I < Keys.size(); ++I) {
      Requests[I].method = Method;
      Requests[I].url = Urls[I].c_str();
      Requests[I].body = Bodies.empty() ? nullptr : Bodies[I].second.data();
      Requests[I].body_len = Bodies.empty() ? 0 : Bodies[I].second.size();
    }
    Call C{Method, &OnResult};
    M.Run(H, Requests.data(), Requests.size(), millisecondsUntil(Deadline),
          onResult, &C);
  }

  static void onResult(void *User, size_t Index,
                       const ltocache_http_result *Raw) {
    const Call &C = *static_cast<const Call *>(User);
    RemoteResult R;
    switch (Raw->kind) {
    case LTOCACHE_HTTP_DONE:
      if (Raw->status >= 200 && Raw->status < 300) {
        R.What = RemoteResult::Hit;
        if (C.Method == LTOCACHE_HTTP_GET)
          R.Body.assign(Raw->body, Raw->body_len);
      } else if (Raw->status == 404 && C.Method != LTOCACHE_HTTP_PUT) {
        R.What = RemoteResult::Miss;
      } else {
        R.What = RemoteResult::Failed;
        R.Message = "HTTP " + std::to_string(Raw->status);
      }
      break;
    case LTOCACHE_HTTP_TIMED_OUT:
      R.What = RemoteResult::TimedOut;
      R.Message = Raw->message;
      break;
    case LTOCACHE_HTTP_CANCELLED:
      R.What = RemoteResult::Cancelled;
      R.Message = Raw->message;
      break;
    default:
      R.What = RemoteResult::Failed;
      R.Message = Raw->message;
      break;
    }
    (*C.OnResult)(Index, std::move(R));
  }

  RemoteOptions Options;
  std::string Shown; ///< The remote as the user named it, masked.
  const HttpModule &M;
  ltocache_http *H;
};

} // namespace

Expected<std::unique_ptr<RemoteStore>>
createHttpRemoteStore(RemoteOptions Options) {
  while (!Options.BaseUrl.empty() && Options.BaseUrl.back() == '/')
    Options.BaseUrl.pop_back();
  std::string Shown = maskUrlCredentials(Options.BaseUrl);
  StringRef Url = Options.BaseUrl;
  bool S3 = isS3Url(Url);
  if (!S3 && !Url.starts_with_insensitive("http://") &&
      !Url.starts_with_insensitive("https://"))
    return createStringError(
        "remote '%s': expected an http://, https:// or s3:// URL",
        Shown.c_str());
  if (Options.ConnectTimeout.count() <= 0 ||
      Options.RequestTimeout.count() <= 0)
    return createStringError("remote '%s': timeouts must be positive",
                             Shown.c_str());
  std::string SigV4, UserPwd;
  if (S3) {
    if (Options.AwsAccessKeyId.empty() || Options.AwsSecretAccessKey.empty())
      return createStringError(
          "remote '%s': no AWS credentials (set AWS_ACCESS_KEY_ID and "
          "AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN for temporary ones)",
          Shown.c_str());
    auto Base = s3HttpUrl(Url, Options.S3Region, Options.S3Endpoint);
    if (!Base)
      return Base.takeError();
    Options.BaseUrl = std::move(*Base);
    SigV4 = "aws:amz:" + Options.S3Region + ":s3";
    UserPwd = Options.AwsAccessKeyId + ":" + Options.AwsSecretAccessKey;
    // The body is covered by the entry's own checksum (and signature);
    // libcurl cannot hash a body it reads through a callback.
    Options.Headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!Options.AwsSessionToken.empty())
      Options.Headers.push_back("x-amz-security-token: " +
                                Options.AwsSessionToken);
  }
  const HttpModule &M = httpModule();
  if (!M.Problem.empty())
    return createStringError("remote '%s': %s", Shown.c_str(),
                             M.Problem.c_str());
  std::vector<const char *> Headers;
  for (const std::string &Header : Options.Headers)
    Headers.push_back(Header.c_str());
  ltocache_http_options O;
  O.headers = Headers.data();
  O.num_headers = Headers.size();
  auto Clamp = [](std::chrono::milliseconds D) {
    return static_cast<long>(
        std::min<int64_t>(D.count(), std::numeric_limits<int>::max()));
  };
  O.connect_timeout_ms = Clamp(Options.ConnectTimeout);
  O.request_timeout_ms = Clamp(Options.RequestTimeout);
  O.aws_sigv4 = S3 ? SigV4.c_str() : nullptr;
  O.userpwd = S3 ? UserPwd.c_str() : nullptr;
  char Err[512] = "";
  ltocache_http *H = M.Open(&O, Err, sizeof(Err));
  std::fill(UserPwd.begin(), UserPwd.end(), '\0');
  if (!H)
    return createStringError("remote '%s': %s", Shown.c_str(), Err);
  while (!Options.BaseUrl.empty() && Options.BaseUrl.back() == '/')
    Options.BaseUrl.pop_back();
  return std::make_unique<HttpRemoteStore>(std::move(Options), std::move(Shown),
                                           M, H);
}

} // namespace ltocache
