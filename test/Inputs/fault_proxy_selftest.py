#!/usr/bin/env python3
"""fault_proxy_selftest.py MODE URL DIRECT_URL [LOG]: the client half of
test/remote/fault-proxy.test. Run under
  with_nginx.py DIR --fault=SPEC -- fault_proxy_selftest.py MODE {url} {direct_url} [LOG]
it talks to the fault proxy (URL) and to nginx itself (DIRECT_URL) with
http.client only, and prints one line per check for FileCheck. MODE is the
fault under test: none, 500, flip, truncate, drop, never, delay (needs LOG,
to check that the proxy handled the requests concurrently) or prob
(GET:500@P: prints how many of 40 GETs got a 500)."""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

BODY = random.Random(1).randbytes(100000)


class Server:
    """One kept-alive connection to a base URL."""

    def __init__(self, url, timeout=10):
        u = urllib.parse.urlsplit(url)
        self.base = u.path.rstrip("/")
        self.conn = http.client.HTTPConnection(u.hostname, u.port,
                                               timeout=timeout)

    def request(self, method, key, body=None, **kw):
        self.conn.request(method, "%s/%s" % (self.base, key), body=body, **kw)
        resp = self.conn.getresponse()
        return resp, resp.read()


def mode_none(url, direct):
    s = Server(url)
    r, _ = s.request("PUT", "k", BODY)
    print("put:", r.status)
    r, data = s.request("GET", "k")
    print("get:", r.status, "same" if data == BODY else "DIFFERENT")
    r, data = s.request("HEAD", "k")
    print("head:", r.status, r.getheader("Content-Length"), len(data))
    r, _ = s.request("GET", "missing")
    print("get missing:", r.status)
    r, _ = s.request("PUT", "chunked", iter([BODY[:1000], BODY[1000:]]),
                     encode_chunked=True)
    print("put chunked:", r.status)
    r, data = Server(direct).request("GET", "chunked")
    print("direct get chunked:", r.status,
          "same" if data == BODY else "DIFFERENT")


def mode_500(url, direct):
    Server(direct).request("PUT", "k", BODY)
    s = Server(url)
    r, data = s.request("GET", "k")
    print("get:", r.status, r.reason, data.decode().strip())
    r, _ = s.request("PUT", "new", BODY)  # Same kept-alive connection.
    print("put:", r.status)
    r, _ = Server(direct).request("GET", "new")
    print("direct get of refused put:", r.status)


def mode_flip(url, direct):
    s = Server(url)
    r, _ = s.request("PUT", "k", BODY)
    print("put:", r.status)
    r, data = s.request("GET", "k")
    diff = sum(a != b for a, b in zip(data, BODY))
    print("get:", r.status, "length", "same" if len(data) == len(BODY)
          else "DIFFERENT", "bytes differing:", diff)
    r, data = Server(direct).request("GET", "k")
    print("direct get:", r.status, "same" if data == BODY else "DIFFERENT")


def mode_truncate(url, direct):
    Server(direct).request("PUT", "k", BODY)
    try:
        r, data = Server(url).request("GET", "k")
        print("get: complete", r.status, len(data))
    except http.client.IncompleteRead as e:
        print("get: IncompleteRead, got %d of %d"
              % (len(e.partial), len(e.partial) + e.expected))


def mode_drop(url, direct):
    Server(direct).request("PUT", "k", BODY)
    try:
        r, _ = Server(url).request("GET", "k")
        print("get: answered", r.status)
    except (http.client.RemoteDisconnected, ConnectionError) as e:
        print("get: connection error", type(e).__name__)


def mode_never(url, direct):
    Server(direct).request("PUT", "k", BODY)
    start = time.monotonic()
    try:
        r, _ = Server(url, timeout=1).request("GET", "k")
        print("get: answered", r.status)
    except TimeoutError:
        took = time.monotonic() - start
        print("get: timed out", "after ~1 s" if 0.9 < took < 2.5 else took)


def mode_delay(url, direct, log):
    n = 20
    Server(direct).request("PUT", "k", BODY)
    results = []
    barrier = threading.Barrier(n)

    def get():
        s = Server(url)
        s.conn.connect()
        barrier.wait()  # All connected: the GETs go out together.
        r, data = s.request("GET", "k")
        results.append((r.status, data == BODY))

    start = time.monotonic()
    threads = [threading.Thread(target=get) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    print("gets:", len(results), "all 200 and same:",
          results == [(200, True)] * n)
    print("elapsed:", "under 3 s" if took < 3 else "%.1f s" % took,
          "(serial would be %.1f s)" % (n * 0.3))
    with open(log) as f:
        gets = [json.loads(line) for line in f]
    gets = [e for e in gets if e["method"] == "GET"]
    # Concurrent: many requests were in the proxy (read, not yet answered)
    # at once; serialised, at most one would be. Unloaded, all 20 are.
    events = sorted([(e["t_recv"], 1) for e in gets] +
                    [(e["t_answer"], -1) for e in gets])
    in_flight = peak = 0
    for _, step in events:
        in_flight += step
        peak = max(peak, in_flight)
    print("logged:", len(gets), "delay_ms:", {e["delay_ms"] for e in gets},
          "at once: 10 or more:", peak >= 10)


def mode_prob(url, direct):
    s = Server(url)
    r, _ = s.request("PUT", "k", BODY)
    print("put:", r.status)
    statuses = [s.request("GET", "k")[0].status for _ in range(40)]
    n = statuses.count(500)
    print("prob: %d of 40 got 500, others 200: %s, both seen: %s"
          % (n, statuses.count(200) == 40 - n, 0 < n < 40))


def main():
    mode, url, direct = sys.argv[1:4]
    fn = globals()["mode_" + mode]
    fn(url, direct, *sys.argv[4:])


if __name__ == "__main__":
    main()
