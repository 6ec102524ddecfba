//===- RemoteStore.cpp - Cache entries on an HTTP server ------------------===//

#include "ltocache/RemoteStore.h"

#include "llvm/ADT/StringSwitch.h"

#include <curl/curl.h>
#include <mutex>

using namespace llvm;

namespace ltocache {

Expected<RemoteLayout> parseRemoteLayout(StringRef Name) {
  std::optional<RemoteLayout> L = StringSwitch<std::optional<RemoteLayout>>(Name)
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

namespace {
/// One HTTP request and what came back.
struct Transfer {
  CURL *Easy = nullptr;
  std::string Url;
  const std::string *Upload = nullptr;
  size_t Sent = 0;
  std::string Response;
  RemoteResult Result;
  bool Done = false;
};

size_t onData(char *Ptr, size_t Size, size_t N, void *User) {
  static_cast<Transfer *>(User)->Response.append(Ptr, Size * N);
  return Size * N;
}

size_t onRead(char *Buf, size_t Size, size_t N, void *User) {
  auto *T = static_cast<Transfer *>(User);
  size_t Chunk = std::min(Size * N, T->Upload->size() - T->Sent);
  memcpy(Buf, T->Upload->data() + T->Sent, Chunk);
  T->Sent += Chunk;
  return Chunk;
}
} // namespace

struct HttpRemoteStore::Impl {
  CURLM *Multi = nullptr;
  curl_slist *Headers = nullptr;
  std::mutex Lock; // One call at a time on the multi handle.

  ~Impl() {
    curl_slist_free_all(Headers);
    if (Multi)
      curl_multi_cleanup(Multi);
  }

  /// Runs every transfer at once until all finish or the deadline passes.
  void run(std::vector<Transfer> &Ts, const RemoteOptions &O,
           Clock::time_point Deadline) {
    std::lock_guard<std::mutex> G(Lock);
    for (Transfer &T : Ts) {
      T.Easy = curl_easy_init();
      curl_easy_setopt(T.Easy, CURLOPT_URL, T.Url.c_str());
      curl_easy_setopt(T.Easy, CURLOPT_PRIVATE, &T);
      curl_easy_setopt(T.Easy, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(T.Easy, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(O.ConnectTimeout.count()));
      curl_easy_setopt(T.Easy, CURLOPT_TIMEOUT_MS,
                       static_cast<long>(O.RequestTimeout.count()));
      curl_easy_setopt(T.Easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
      curl_easy_setopt(T.Easy, CURLOPT_PIPEWAIT, 1L);
      curl_easy_setopt(T.Easy, CURLOPT_WRITEFUNCTION, onData);
      curl_easy_setopt(T.Easy, CURLOPT_WRITEDATA, &T);
      if (Headers)
        curl_easy_setopt(T.Easy, CURLOPT_HTTPHEADER, Headers);
      if (T.Upload) {
        curl_easy_setopt(T.Easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(T.Easy, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(T.Easy, CURLOPT_READDATA, &T);
        curl_easy_setopt(T.Easy, CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(T.Upload->size()));
      }
      curl_multi_add_handle(Multi, T.Easy);
    }
    int Running = 1;
    while (Running) {
      curl_multi_perform(Multi, &Running);
      int Left;
      while (CURLMsg *M = curl_multi_info_read(Multi, &Left)) {
        if (M->msg != CURLMSG_DONE)
          continue;
        Transfer *T;
        curl_easy_getinfo(M->easy_handle, CURLINFO_PRIVATE, &T);
        finish(*T, M->data.result);
      }
      auto Now = Clock::now();
      if (!Running || Now >= Deadline)
        break;
      auto Wait = std::chrono::duration_cast<std::chrono::milliseconds>(
          Deadline - Now);
      curl_multi_poll(Multi, nullptr, 0,
                      static_cast<int>(std::min<int64_t>(Wait.count(), 100)),
                      nullptr);
    }
    for (Transfer &T : Ts) {
      if (!T.Done) {
        T.Result.What = RemoteResult::TimedOut;
        T.Result.Message = "no answer within the deadline";
      }
      curl_multi_remove_handle(Multi, T.Easy);
      curl_easy_cleanup(T.Easy);
      T.Easy = nullptr;
    }
  }

  static void finish(Transfer &T, CURLcode Code) {
    T.Done = true;
    long Status = 0;
    curl_easy_getinfo(T.Easy, CURLINFO_RESPONSE_CODE, &Status);
    if (Code != CURLE_OK) {
      T.Result.What = Code == CURLE_OPERATION_TIMEDOUT ? RemoteResult::TimedOut
                                                       : RemoteResult::Failed;
      T.Result.Message = curl_easy_strerror(Code);
    } else if (Status == 404) {
      T.Result.What = RemoteResult::Miss;
    } else if (Status >= 200 && Status < 300) {
      T.Result.What = RemoteResult::Hit;
      T.Result.Body = std::move(T.Response);
    } else {
      T.Result.What = RemoteResult::Failed;
      T.Result.Message = "HTTP " + std::to_string(Status);
    }
  }
};

Expected<std::unique_ptr<HttpRemoteStore>>
HttpRemoteStore::create(RemoteOptions Options) {
  StringRef Url = Options.BaseUrl;
  if (!Url.starts_with("http://") && !Url.starts_with("https://"))
    return createStringError("remote '%s': expected an http:// or https:// URL",
                             Options.BaseUrl.c_str());
  static std::once_flag Once;
  std::call_once(Once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto I = std::make_unique<Impl>();
  I->Multi = curl_multi_init();
  if (!I->Multi)
    return createStringError("cannot initialise libcurl");
  curl_multi_setopt(I->Multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(I->Multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
  for (const std::string &H : Options.Headers)
    I->Headers = curl_slist_append(I->Headers, H.c_str());
  while (!Options.BaseUrl.empty() && Options.BaseUrl.back() == '/')
    Options.BaseUrl.pop_back();
  return std::unique_ptr<HttpRemoteStore>(
      new HttpRemoteStore(std::move(Options), std::move(I)));
}

HttpRemoteStore::HttpRemoteStore(RemoteOptions Options,
                                 std::unique_ptr<Impl> I)
    : Options(std::move(Options)), I(std::move(I)) {}
HttpRemoteStore::~HttpRemoteStore() = default;

std::vector<RemoteResult> HttpRemoteStore::getAll(ArrayRef<Digest> Keys,
                                                  Clock::time_point Deadline) {
  std::vector<Transfer> Ts(Keys.size());
  for (size_t K = 0; K < Keys.size(); ++K)
    Ts[K].Url = Options.BaseUrl + "/" + remotePath(Options.Layout, Keys[K]);
  I->run(Ts, Options, Deadline);
  std::vector<RemoteResult> Out;
  for (Transfer &T : Ts)
    Out.push_back(std::move(T.Result));
  return Out;
}

std::vector<RemoteResult>
HttpRemoteStore::putAll(ArrayRef<std::pair<Digest, std::string>> Entries,
                        Clock::time_point Deadline) {
  std::vector<Transfer> Ts(Entries.size());
  if (Options.ReadOnly) {
    for (Transfer &T : Ts) {
      T.Result.What = RemoteResult::Failed;
      T.Result.Message = "read-only remote";
    }
  } else {
    for (size_t K = 0; K < Entries.size(); ++K) {
      Ts[K].Url =
          Options.BaseUrl + "/" + remotePath(Options.Layout, Entries[K].first);
      Ts[K].Upload = &Entries[K].second;
    }
    I->run(Ts, Options, Deadline);
  }
  std::vector<RemoteResult> Out;
  for (Transfer &T : Ts)
    Out.push_back(std::move(T.Result));
  return Out;
}

} // namespace ltocache
