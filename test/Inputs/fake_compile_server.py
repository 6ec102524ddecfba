#!/usr/bin/env python3
"""fake_compile_server.py MODE CLANG [server args...]: stands in for
ltocache-compile (lib/Compile/CompileServerProtocol.h) to show how
the distributor copes with a server that fails.

  die      greets as CLANG's version, then kills itself (SIGSEGV) on the
           first request, before answering it
  refuse   greets, then answers every request "Refused"
  mute     exits without a greeting
  deaf     stops reading requests before greeting (shuts down the
           receiving side of its socket, or closes a pipe), then waits (at
           most 2 minutes) to be stopped
  stranger greets as "Fake clang version 0.0", answers every request
           "Failed" (a compile whose result must not count: the remote
           compiler is another clang)

With $FAKE_SERVER_MARKER set, first creates that file (to show whether the
server was started at all).
"""
import os
import select
import socket
import signal
import struct
import subprocess
import sys

HELLO, COMPILE, RESULT, CANCEL = 1, 2, 3, 4
FAILED, REFUSED = 1, 2
# CompileServerProtocolVersion: results carry the compile's microseconds;
# the client may cancel a request.
PROTOCOL = 3


def frame(kind, ident, payload):
    return struct.pack("=IIQQ", kind, 0, ident, len(payload)) + payload


def counted(data):
    return struct.pack("=I", len(data)) + data


def read_exactly(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    mode, clang = sys.argv[1], sys.argv[2]
    if os.environ.get("FAKE_SERVER_MARKER"):
        open(os.environ["FAKE_SERVER_MARKER"], "a").write(mode + "\n")
    if mode == "mute":
        return 0
    if mode == "deaf":
        try:
            sock = socket.socket(fileno=0)
            sock.shutdown(socket.SHUT_RD)
            sock.detach()
        except OSError:
            os.close(0)
    version = subprocess.run([clang, "--version"], capture_output=True,
                             check=True).stdout.split(b"\n")[0].rstrip()
    if mode == "stranger":
        version = b"Fake clang version 0.0"
    out = os.fdopen(1, "wb", buffering=0)
    out.write(frame(HELLO, 0, struct.pack("=I", PROTOCOL) + counted(version)))
    if mode == "deaf":
        never, _ = os.pipe()
        select.select([never], [], [], 120)
        return 0
    while True:
        header = read_exactly(24)
        if header is None:
            return 0
        kind, _, ident, size = struct.unpack("=IIQQ", header)
        read_exactly(size)
        if kind == CANCEL:
            continue  # Every request is answered at once anyway.
        if mode == "die":
            os.kill(os.getpid(), signal.SIGSEGV)
        if mode == "stranger":
            out.write(frame(RESULT, ident, struct.pack("=IQ", FAILED, 0) +
                            counted(b"fake server: failed")))
        else:
            out.write(frame(RESULT, ident, struct.pack("=IQ", REFUSED, 0) +
                            counted(b"fake server: refused")))


sys.exit(main())
