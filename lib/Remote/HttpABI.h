/*===- HttpABI.h - ltocacheCore <-> LTOCacheHttp.so ---------------*- C -*-===*\
|*                                                                            *|
|* The HTTP transfer engine of the remote store lives in its own module so   *|
|* that only links which talk to a remote load libcurl (and its TLS stack):  *|
|* linking it costs every process start ~15 ms. Plain C on purpose: no C++   *|
|* or LLVM type crosses.                                                     *|
|*                                                                            *|
|* Thread safety: ltocacheHttpRun calls on one handle run one at a time (a   *|
|* second caller waits); ltocacheHttpCancel may be called from any thread at *|
|* any time while the handle is open, including from a result callback.      *|
|* ltocacheHttpClose must not race with anything else on the handle.         *|
\*===----------------------------------------------------------------------===*/
#ifndef LTOCACHE_REMOTE_HTTPABI_H
#define LTOCACHE_REMOTE_HTTPABI_H

#include <stddef.h>

#define LTOCACHE_HTTP_ABI_VERSION 2

#ifdef __cplusplus
extern "C" {
#endif

/* An open engine: one connection pool (keep-alive, HTTP/2 where a TLS
 * server offers it) reused by every run. */
typedef struct ltocache_http ltocache_http;

typedef struct ltocache_http_options {
  /* Extra request headers, each "Name: value". */
  const char *const *headers;
  size_t num_headers;
  /* Per request: connecting, and the whole request. Must be > 0. */
  long connect_timeout_ms;
  long request_timeout_ms;
  /* Null, or AWS Signature V4 for every request: libcurl's
   * CURLOPT_AWS_SIGV4 parameter ("aws:amz:<region>:s3") and the
   * "<access key id>:<secret>" it signs with (copied; never reported). */
  const char *aws_sigv4;
  const char *userpwd;
} ltocache_http_options;

enum ltocache_http_method {
  LTOCACHE_HTTP_GET = 0,
  LTOCACHE_HTTP_PUT = 1,
  LTOCACHE_HTTP_HEAD = 2
};

typedef struct ltocache_http_request {
  int method; /* enum ltocache_http_method */
  const char *url;
  /* PUT only: the body, which must stay valid until the run returns. */
  const char *body;
  size_t body_len;
} ltocache_http_request;

enum ltocache_http_result_kind {
  /* The server answered; status holds the HTTP status, body the response
   * body (empty for HEAD and usually for PUT). */
  LTOCACHE_HTTP_DONE = 0,
  /* No HTTP answer: message says why (curl's text). */
  LTOCACHE_HTTP_TRANSPORT_ERROR = 1,
  /* The request timeout or the run's deadline passed first. */
  LTOCACHE_HTTP_TIMED_OUT = 2,
  /* ltocacheHttpCancel was called before the answer came. */
  LTOCACHE_HTTP_CANCELLED = 3
};

typedef struct ltocache_http_result {
  int kind; /* enum ltocache_http_result_kind */
  long status;
  /* Valid only during the callback. */
  const char *body;
  size_t body_len;
  const char *message; /* NUL-terminated, never null; "" if nothing to say. */
} ltocache_http_result;

/* Called once per request, on the thread running ltocacheHttpRun, as soon
 * as its outcome is known. Index is the request's position. It may call
 * ltocacheHttpCancel, never ltocacheHttpRun or ltocacheHttpClose. */
typedef void (*ltocache_http_result_fn)(void *user, size_t index,
                                        const ltocache_http_result *result);

/* "ltocacheHttpABIVersion": LTOCACHE_HTTP_ABI_VERSION. */
typedef unsigned (*ltocache_http_abi_version_fn)(void);
/* "ltocacheHttpOpen": a new engine, or null with a NUL-terminated message
 * in ErrBuf. */
typedef ltocache_http *(*ltocache_http_open_fn)(
    const ltocache_http_options *options, char *err_buf, size_t err_buf_size);
/* "ltocacheHttpClose": frees the engine and its connections. */
typedef void (*ltocache_http_close_fn)(ltocache_http *http);
/* "ltocacheHttpRun": starts every request at once and returns when each has
 * had its callback: answered, failed, timed out (its request timeout, or
 * deadline_ms milliseconds after the call), or cancelled. */
typedef void (*ltocache_http_run_fn)(ltocache_http *http,
                                     const ltocache_http_request *requests,
                                     size_t num_requests, long long deadline_ms,
                                     ltocache_http_result_fn on_result,
                                     void *user);
/* "ltocacheHttpCancel": every run in progress (or waiting for another to
 * finish) ends promptly; its requests without an answer get CANCELLED. A
 * run that starts after this call is not affected. */
typedef void (*ltocache_http_cancel_fn)(ltocache_http *http);

#ifdef __cplusplus
}
#endif

#endif
