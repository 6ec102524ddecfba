#!/usr/bin/env python3
"""fault_proxy.py: an HTTP/1.1 proxy that injects faults in front of a cache
server (nginx with WebDAV PUT), for testing the remote store. Python 3
standard library only.

Usually started by with_nginx.py (--fault=SPEC); standalone:

  fault_proxy.py serve --upstream=HOST:PORT --fault=SPEC [--seed=N]
                       [--log=PATH] [--port=0]
      Listens on 127.0.0.1 (a free port unless --port), prints
      "http://127.0.0.1:PORT" and serves until killed (dies with its parent).

  fault_proxy.py count LOG [--method=M] [--fault=F] [--status=S]
      Prints how many log lines match all the given filters (--status=none
      matches requests that got no status: drop, never).

SPEC is a comma-separated list of faults, each [METHOD:]NAME[@P]:
  delay=MS  delay the response by MS milliseconds (matching delays add up)
  drop      close the connection without any response
  500       answer "500 Internal Server Error" with a short body
  truncate  GET answered 200: full Content-Length, half the body, close
  flip      GET answered 200: flip one byte of the body (same length)
  never     accept the request and never answer (connection held open)
  none      forward faithfully
With hold_until=PATH (with_nginx.py --hold-until=PATH), every answer
first waits until PATH exists and is not empty: a barrier on something
the client does (at most 2 minutes).
METHOD (GET, PUT, HEAD, ...) limits a fault to that method; P (0..1, default
1) is its probability, drawn from a random.Random(seed). For each request the
first of drop/500/truncate/flip/never/none that matches and wins its draw is
applied; every matching delay applies on top. truncate and flip only match
GETs; if nginx does not answer such a GET 200 with a body, it is forwarded
unchanged and logged as "none".

Everything not faulted is forwarded unchanged: method, path, headers, body;
status, headers, body back (hop-by-hop headers aside: a chunked body is
forwarded with a Content-Length, Expect: 100-continue is answered by the
proxy). Connections from clients are kept alive and served concurrently, one
thread each, each with its own kept-alive connection to the upstream.

The log has one JSON object per request, written before the answer is sent:
  {"method", "path", "fault", "status", "delay_ms", "t_recv", "t_answer"}
fault is the action applied ("none" if forwarded faithfully), status the one
sent to the client (null for drop and never), t_recv/t_answer time.time()
when the request was read and when its answer (after any delay) was ready.
"""
import argparse
import ctypes
import http.client
import http.server
import json
import os
import random
import re
import signal
import socket
import sys
import threading
import time

ACTIONS = ("drop", "500", "truncate", "flip", "never", "none")
GET_ONLY = ("truncate", "flip")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te",
              "trailer", "transfer-encoding", "upgrade", "expect"}
FAULT_RE = re.compile(
    r"^(?:(?P<method>[A-Z]+):)?(?P<name>[a-z0-9]+)(?:=(?P<arg>\d+))?"
    r"(?:@(?P<p>[0-9]*\.?[0-9]+))?$")
DEFAULT_SEED = 20240601


class Fault:
    def __init__(self, text):
        m = FAULT_RE.match(text.strip())
        if not m:
            raise ValueError("bad fault %r: want [METHOD:]NAME[=ARG][@P]" % text)
        self.method = m["method"]
        self.name = m["name"]
        self.p = float(m["p"]) if m["p"] is not None else 1.0
        if not 0.0 <= self.p <= 1.0:
            raise ValueError("bad fault %r: probability not in 0..1" % text)
        if self.name == "delay":
            if m["arg"] is None:
                raise ValueError("bad fault %r: delay=MS" % text)
            self.ms = int(m["arg"])
        elif self.name not in ACTIONS or m["arg"] is not None:
            raise ValueError("bad fault %r: unknown fault" % text)

    def matches(self, method):
        if self.method and self.method != method:
            return False
        return not (self.name in GET_ONLY and method != "GET")


def parse_spec(spec):
    return [Fault(f) for f in spec.split(",") if f.strip()]


class FaultProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, upstream, spec="none", seed=DEFAULT_SEED,
                 log_path=None, port=0, hold_until=None):
        self.upstream = upstream  # (host, port)
        self.hold_until = hold_until
        self.faults = parse_spec(spec)
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.log_lock = threading.Lock()
        self.log = open(log_path, "w") if log_path else None
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def choose(self, method):
        """Returns (action, delay_ms) for one request."""
        action, delay = None, 0
        with self.rng_lock:
            for f in self.faults:
                if not f.matches(method):
                    continue
                if f.name != "delay" and action is not None:
                    continue
                if f.p < 1.0 and not self.rng.random() < f.p:
                    continue
                if f.name == "delay":
                    delay += f.ms
                else:
                    action = f.name
        return action or "none", delay

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def record(self, **entry):
        if self.log:
            with self.log_lock:
                self.log.write(json.dumps(entry) + "\n")
                self.log.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream_conn = None

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: no Nagle/delayed-ACK stall.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass

    def handle_expect_100(self):
        # Deferred: 100 Continue goes out only when the body is wanted.
        return True

    def __getattr__(self, name):
        # do_GET, do_PUT, ...: every method goes through proxy().
        if name.startswith("do_"):
            return self.proxy
        raise AttributeError(name)

    def read_body(self):
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(100)
            self.end_headers()
            self.wfile.flush()
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # Trailers.
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def forward(self, body):
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP]
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            headers.append(("Content-Length", str(len(body))))
        for attempt in (0, 1):
            if self.upstream_conn is None:
                self.upstream_conn = http.client.HTTPConnection(
                    *self.server.upstream, timeout=120)
            try:
                conn = self.upstream_conn
                conn.putrequest(self.command, self.path, skip_host=True,
                                skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                conn.endheaders(body or None)
                resp = self.upstream_conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.upstream_conn.close()
                    self.upstream_conn = None
                return resp, data
            except (http.client.RemoteDisconnected, ConnectionError):
                # The kept-alive upstream connection went away: once more.
                self.upstream_conn.close()
                self.upstream_conn = None
                if attempt:
                    raise

    def proxy(self):
        t_recv = time.time()
        action, delay = self.server.choose(self.command)
        entry = dict(method=self.command, path=self.path, fault=action,
                     status=None, delay_ms=delay, t_recv=t_recv)
        expect = self.headers.get("Expect", "").lower() == "100-continue"
        if action == "never":
            self.server.record(**entry, t_answer=None)
            threading.Event().wait()
        body = b"" if action == "drop" and expect else self.read_body()
        if self.server.hold_until:
            wait_for_content(self.server.hold_until)
        if delay:
            time.sleep(delay / 1000.0)
        if action == "drop":
            self.server.record(**entry, t_answer=time.time())
            self.close_connection = True
            return
        if action == "500":
            msg = b"fault_proxy: injected 500\n"
            entry["status"] = 500
            self.server.record(**entry, t_answer=time.time())
            self.send_response_only(500)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(msg)
            return
        try:
            resp, data = self.forward(body)
        except (OSError, http.client.HTTPException) as e:
            msg = ("fault_proxy: upstream: %s\n" % e).encode()
            entry.update(fault="none", status=502)
            self.server.record(**entry, t_answer=time.time())
            self.send_response_only(502)
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(msg)
            return
        if action in GET_ONLY and (resp.status != 200 or not data):
            action = "none"
        sent = data
        if action == "flip":
            i = len(data) // 2
            sent = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
        elif action == "truncate":
            sent = data[:len(data) // 2]
        entry.update(fault=action, status=resp.status)
        self.server.record(**entry, t_answer=time.time())
        self.send_response_only(resp.status, resp.reason)
        has_length = False
        for k, v in resp.getheaders():
            if k.lower() in HOP_BY_HOP:
                continue
            has_length |= k.lower() == "content-length"
            self.send_header(k, v)
        if not has_length and self.command != "HEAD" and \
                resp.status not in (204, 304):
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(sent)
        if action == "truncate":
            self.close_connection = True

    def finish(self):
        super().finish()
        if self.upstream_conn:
            self.upstream_conn.close()


def wait_for_content(path, limit=120.0):
    """A barrier: returns once PATH exists and is not empty (after LIMIT
    seconds anyway, so that a broken test fails instead of hanging)."""
    end = time.time() + limit
    while time.time() < end:
        try:
            if os.path.getsize(path) > 0:
                return
        except OSError:
            pass
        time.sleep(0.01)


def start(upstream, spec="none", seed=DEFAULT_SEED, log_path=None, port=0,
          hold_until=None):
    """Starts a FaultProxy serving in a daemon thread; returns it (.url)."""
    server = FaultProxy(upstream, spec, seed, log_path, port, hold_until)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def count(log, method=None, fault=None, status=None):
    n = 0
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            if method and e["method"] != method:
                continue
            if fault and e["fault"] != fault:
                continue
            if status is not None and str(e["status"]).lower() != \
                    status.lower().replace("null", "none"):
                continue
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser(
        description="Fault-injecting HTTP proxy (see the module docstring).")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the proxy until killed")
    s.add_argument("--upstream", required=True, help="HOST:PORT of nginx")
    s.add_argument("--fault", default="none", help="fault SPEC")
    s.add_argument("--seed", type=int, default=DEFAULT_SEED)
    s.add_argument("--log", help="JSON-lines log of requests")
    s.add_argument("--port", type=int, default=0)
    c = sub.add_parser("count", help="count matching log lines")
    c.add_argument("log")
    c.add_argument("--method")
    c.add_argument("--fault")
    c.add_argument("--status", help="a status code, or none")
    a = ap.parse_args()
    if a.cmd == "count":
        print(count(a.log, a.method, a.fault, a.status))
        return
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    host, _, port = a.upstream.rpartition(":")
    try:
        server = FaultProxy((host or "127.0.0.1", int(port)), a.fault,
                            a.seed, a.log, a.port)
    except ValueError as e:
        sys.exit("fault_proxy: %s" % e)
    print(server.url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
