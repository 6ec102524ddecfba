//===- HttpTransport.cpp - LTOCacheHttp.so: HTTP transfers on libcurl -----===//
//
// The transfer engine behind the HTTP remote store (HttpABI.h). Every
// request of a run goes at once on one libcurl multi handle, which keeps
// its connections alive across runs (HTTP/2 multiplexing where a TLS server
// offers it). A run ends when every request has had its callback; nothing
// is waited for past the run's deadline or a cancel.
//
// No LLVM here: this module links only libcurl and the C++ runtime, and
// exports only the C entry points.
//
//===----------------------------------------------------------------------===//

#include "Remote/HttpABI.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#define LTOCACHE_HTTP_EXPORT extern "C" __attribute__((visibility("default")))

using Clock = std::chrono::steady_clock;

struct ltocache_http {
  CURLM *Multi = nullptr;
  curl_slist *Headers = nullptr;    ///< The caller's extra headers.
  curl_slist *PutHeaders = nullptr; ///< Those and, unless signing, "Expect:".
  long ConnectTimeoutMs = 0;
  long RequestTimeoutMs = 0;
  std::string AwsSigV4, UserPwd; ///< Empty: requests are not signed.

  /// One run at a time on the multi handle.
  std::mutex RunLock;
  /// Runs entered and not finished, and how many cancels came while any
  /// was: a run is cancelled once CancelGen differs from its value at entry.
  std::mutex StateLock;
  unsigned Active = 0;
  uint64_t CancelGen = 0;

  ~ltocache_http() {
    std::fill(UserPwd.begin(), UserPwd.end(), '\0');
    curl_slist_free_all(Headers);
    curl_slist_free_all(PutHeaders);
    if (Multi)
      curl_multi_cleanup(Multi);
  }
};

namespace {

/// One request of a run and what has come back for it.
struct Transfer {
  CURL *Easy = nullptr;
  size_t Index = 0;
  const ltocache_http_request *Request = nullptr;
  size_t Sent = 0;
  std::string Response;
  bool Reported = false;
};

size_t onData(char *Ptr, size_t Size, size_t N, void *User) {
  static_cast<Transfer *>(User)->Response.append(Ptr, Size * N);
  return Size * N;
}

size_t onRead(char *Buf, size_t Size, size_t N, void *User) {
  auto *T = static_cast<Transfer *>(User);
  size_t Chunk = std::min(Size * N, T->Request->body_len - T->Sent);
  if (Chunk)
    memcpy(Buf, T->Request->body + T->Sent, Chunk);
  T->Sent += Chunk;
  return Chunk;
}

void copyMessage(char *Buf, size_t Size, const char *Text) {
  if (Buf && Size) {
    strncpy(Buf, Text, Size - 1);
    Buf[Size - 1] = '\0';
  }
}

/// The part of a run that holds the multi handle.
class Run {
public:
  Run(ltocache_http &H, const ltocache_http_request *Requests, size_t N,
      ltocache_http_result_fn OnResult, void *User, uint64_t Gen)
      : H(H), OnResult(OnResult), User(User), Gen(Gen), Ts(N) {
    for (size_t I = 0; I < N; ++I) {
      Ts[I].Index = I;
      Ts[I].Request = &Requests[I];
    }
  }

  void run(Clock::time_point Deadline) {
    if (cancelled())
      return finishRest(LTOCACHE_HTTP_CANCELLED, "cancelled");
    if (Clock::now() >= Deadline)
      return finishRest(LTOCACHE_HTTP_TIMED_OUT,
                        "no answer within the deadline");
    for (Transfer &T : Ts)
      if (const char *Problem = start(T))
        report(T, LTOCACHE_HTTP_TRANSPORT_ERROR, 0, Problem);
    for (;;) {
      int Running = 0;
      CURLMcode MC = curl_multi_perform(H.Multi, &Running);
      int Left;
      while (CURLMsg *M = curl_multi_info_read(H.Multi, &Left)) {
        if (M->msg != CURLMSG_DONE)
          continue;
        Transfer *T = nullptr;
        curl_easy_getinfo(M->easy_handle, CURLINFO_PRIVATE, &T);
        finish(*T, M->data.result);
      }
      if (MC != CURLM_OK)
        return finishRest(LTOCACHE_HTTP_TRANSPORT_ERROR,
                          curl_multi_strerror(MC));
      if (Unreported == 0)
        return;
      if (cancelled())
        return finishRest(LTOCACHE_HTTP_CANCELLED, "cancelled");
      auto Now = Clock::now();
      if (Now >= Deadline)
        return finishRest(LTOCACHE_HTTP_TIMED_OUT,
                          "no answer within the deadline");
      // Wakes early for curl's own timers, socket activity and cancel
      // (curl_multi_wakeup).
      auto Wait = std::chrono::ceil<std::chrono::milliseconds>(Deadline - Now);
      MC = curl_multi_poll(
          H.Multi, nullptr, 0,
          static_cast<int>(std::min<int64_t>(Wait.count(), 1000)), nullptr);
      if (MC != CURLM_OK)
        return finishRest(LTOCACHE_HTTP_TRANSPORT_ERROR,
                          curl_multi_strerror(MC));
    }
  }

  ~Run() {
    // Reached only with every request reported; detach what is left.
    for (Transfer &T : Ts)
      release(T);
  }

private:
  bool cancelled() {
    std::lock_guard<std::mutex> G(H.StateLock);
    return H.CancelGen != Gen;
  }

  /// Adds \p T to the multi handle; a message if it could not be.
  const char *start(Transfer &T) {
    const ltocache_http_request &R = *T.Request;
    T.Easy = curl_easy_init();
    if (!T.Easy)
      return "cannot create a libcurl handle";
    CURL *E = T.Easy;
    curl_easy_setopt(E, CURLOPT_URL, R.url);
    curl_easy_setopt(E, CURLOPT_PRIVATE, &T);
    curl_easy_setopt(E, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(E, CURLOPT_CONNECTTIMEOUT_MS, H.ConnectTimeoutMs);
    curl_easy_setopt(E, CURLOPT_TIMEOUT_MS, H.RequestTimeoutMs);
    curl_easy_setopt(E, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    if (!H.AwsSigV4.empty()) {
      curl_easy_setopt(E, CURLOPT_AWS_SIGV4, H.AwsSigV4.c_str());
      curl_easy_setopt(E, CURLOPT_USERPWD, H.UserPwd.c_str());
    }
    // Waiting to multiplex only pays over TLS (HTTP/2 by ALPN); over plain
    // HTTP/1.1 it holds every request back until the first has answered.
    if (strncmp(R.url, "https://", 8) == 0)
      curl_easy_setopt(E, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(E, CURLOPT_WRITEFUNCTION, onData);
    curl_easy_setopt(E, CURLOPT_WRITEDATA, &T);
    switch (R.method) {
    case LTOCACHE_HTTP_GET:
      if (H.Headers)
        curl_easy_setopt(E, CURLOPT_HTTPHEADER, H.Headers);
      break;
    case LTOCACHE_HTTP_HEAD:
      curl_easy_setopt(E, CURLOPT_NOBODY, 1L);
      if (H.Headers)
        curl_easy_setopt(E, CURLOPT_HTTPHEADER, H.Headers);
      break;
    case LTOCACHE_HTTP_PUT:
      curl_easy_setopt(E, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(E, CURLOPT_READFUNCTION, onRead);
      curl_easy_setopt(E, CURLOPT_READDATA, &T);
      curl_easy_setopt(E, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(R.body_len));
      curl_easy_setopt(E, CURLOPT_HTTPHEADER, H.PutHeaders);
      break;
    default:
      return "unknown request method";
    }
    if (curl_multi_add_handle(H.Multi, E) != CURLM_OK)
      return "cannot start the transfer";
    ++Unreported;
    return nullptr;
  }

  void finish(Transfer &T, CURLcode Code) {
    long Status = 0;
    curl_easy_getinfo(T.Easy, CURLINFO_RESPONSE_CODE, &Status);
    --Unreported;
    if (Code == CURLE_OK)
      report(T, LTOCACHE_HTTP_DONE, Status, "");
    else if (Code == CURLE_OPERATION_TIMEDOUT)
      report(T, LTOCACHE_HTTP_TIMED_OUT, Status, curl_easy_strerror(Code));
    else
      report(T, LTOCACHE_HTTP_TRANSPORT_ERROR, Status,
             curl_easy_strerror(Code));
    release(T); // Frees its connection for the others at once.
  }

  /// Reports every request still without an answer as \p Kind.
  void finishRest(int Kind, const char *Message) {
    for (Transfer &T : Ts)
      if (!T.Reported) {
        if (T.Easy)
          --Unreported;
        release(T);
        report(T, Kind, 0, Message);
      }
  }

  void report(Transfer &T, int Kind, long Status, const char *Message) {
    T.Reported = true;
    ltocache_http_result R;
    R.kind = Kind;
    R.status = Status;
    R.body = T.Response.data();
    R.body_len = Kind == LTOCACHE_HTTP_DONE ? T.Response.size() : 0;
    R.message = Message;
    OnResult(User, T.Index, &R);
    std::string().swap(T.Response);
  }

  void release(Transfer &T) {
    if (!T.Easy)
      return;
    curl_multi_remove_handle(H.Multi, T.Easy);
    curl_easy_cleanup(T.Easy);
    T.Easy = nullptr;
  }

  ltocache_http &H;
  ltocache_http_result_fn OnResult;
  void *User;
  uint64_t Gen;
  std::vector<Transfer> Ts;
  size_t Unreported = 0; ///< Started on the multi handle, not yet reported.
};

} // namespace

LTOCACHE_HTTP_EXPORT unsigned ltocacheHttpABIVersion(void) {
  return LTOCACHE_HTTP_ABI_VERSION;
}

LTOCACHE_HTTP_EXPORT ltocache_http *
ltocacheHttpOpen(const ltocache_http_options *Options, char *ErrBuf,
                 size_t ErrBufSize) {
  if (Options->connect_timeout_ms <= 0 || Options->request_timeout_ms <= 0) {
    copyMessage(ErrBuf, ErrBufSize, "timeouts must be positive");
    return nullptr;
  }
  static CURLcode Init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (Init != CURLE_OK) {
    copyMessage(ErrBuf, ErrBufSize, curl_easy_strerror(Init));
    return nullptr;
  }
  auto *H = new ltocache_http;
  H->Multi = curl_multi_init();
  if (!H->Multi) {
    delete H;
    copyMessage(ErrBuf, ErrBufSize, "cannot initialise libcurl");
    return nullptr;
  }
  curl_multi_setopt(H->Multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(H->Multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
  for (size_t I = 0; I < Options->num_headers; ++I) {
    H->Headers = curl_slist_append(H->Headers, Options->headers[I]);
    H->PutHeaders = curl_slist_append(H->PutHeaders, Options->headers[I]);
  }
  // No "Expect: 100-continue" round trip before a body, except when signing:
  // libcurl's SigV4 signs the empty "Expect:" it then does not send, and
  // S3 servers answer 100-continue anyway.
  if (!Options->aws_sigv4)
    H->PutHeaders = curl_slist_append(H->PutHeaders, "Expect:");
  if (Options->aws_sigv4 && Options->userpwd) {
    H->AwsSigV4 = Options->aws_sigv4;
    H->UserPwd = Options->userpwd;
  }
  H->ConnectTimeoutMs = Options->connect_timeout_ms;
  H->RequestTimeoutMs = Options->request_timeout_ms;
  return H;
}

LTOCACHE_HTTP_EXPORT void ltocacheHttpClose(ltocache_http *H) { delete H; }

LTOCACHE_HTTP_EXPORT void
ltocacheHttpRun(ltocache_http *H, const ltocache_http_request *Requests,
                size_t NumRequests, long long DeadlineMs,
                ltocache_http_result_fn OnResult, void *User) {
  auto Deadline =
      Clock::now() + std::chrono::milliseconds(std::max(0LL, DeadlineMs));
  uint64_t Gen;
  {
    std::lock_guard<std::mutex> G(H->StateLock);
    ++H->Active;
    Gen = H->CancelGen;
  }
  {
    std::lock_guard<std::mutex> G(H->RunLock);
    Run(*H, Requests, NumRequests, OnResult, User, Gen).run(Deadline);
  }
  std::lock_guard<std::mutex> G(H->StateLock);
  --H->Active;
}

LTOCACHE_HTTP_EXPORT void ltocacheHttpCancel(ltocache_http *H) {
  std::lock_guard<std::mutex> G(H->StateLock);
  if (H->Active == 0)
    return; // Nothing to cancel; a later run is not affected.
  ++H->CancelGen;
  curl_multi_wakeup(H->Multi);
}

// The entry points have the types the loader casts them to.
static_assert(std::is_same_v<decltype(&ltocacheHttpABIVersion),
                             ltocache_http_abi_version_fn>);
static_assert(
    std::is_same_v<decltype(&ltocacheHttpOpen), ltocache_http_open_fn>);
static_assert(
    std::is_same_v<decltype(&ltocacheHttpClose), ltocache_http_close_fn>);
static_assert(std::is_same_v<decltype(&ltocacheHttpRun), ltocache_http_run_fn>);
static_assert(
    std::is_same_v<decltype(&ltocacheHttpCancel), ltocache_http_cancel_fn>);
