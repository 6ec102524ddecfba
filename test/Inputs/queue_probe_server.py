#!/usr/bin/env python3
"""queue_probe_server.py [--stamp-micros=N] REPORT SERVER [server args...]:
stands between the distributor and a real compile server (ltocache-compile),
relaying every frame both ways, to show whether the distributor keeps a
compile queued at the server (lib/Compile/CompileBackend.h,
queuesCompiles), and whose clock times the compiles.

The server's first result is held back until a second compile request has
arrived; then REPORT gets "queued", and the result goes on. If no second
request comes within 20 s, or the distributor ends its input first, REPORT
gets "not queued" and the result goes on anyway (a distributor that asks
for one compile per worker only asks again after that result).

With --stamp-micros=N, every result says its compile took N microseconds
(the server's own figure is replaced): a distributor that counts the
server's figure, not the time a request spent queued, reports N per job.
"""
import os
import struct
import subprocess
import sys
import threading

COMPILE, RESULT = 2, 3
HEADER = struct.Struct("=IIQQ")
# A result's payload starts with u32 status, u64 microseconds.
MICROS_AT = HEADER.size + 4


def read_exactly(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def frames(fd):
    while True:
        header = read_exactly(fd, HEADER.size)
        if header is None:
            return
        kind, _, _, size = HEADER.unpack(header)
        yield kind, header + read_exactly(fd, size)


def main():
    args = sys.argv[1:]
    stamp = None
    if args[0].startswith("--stamp-micros="):
        stamp = struct.pack("=Q", int(args.pop(0).split("=", 1)[1]))
    report, server = args[0], args[1:]
    child = subprocess.Popen(server, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, bufsize=0)
    asked = threading.Condition()
    state = {"requests": 0, "input_ended": False}

    def to_server():
        for kind, data in frames(0):
            child.stdin.write(data)
            with asked:
                state["requests"] += kind == COMPILE
                asked.notify_all()
        with asked:
            state["input_ended"] = True
            asked.notify_all()
        child.stdin.close()

    threading.Thread(target=to_server, daemon=True).start()
    first = True
    for kind, data in frames(child.stdout.fileno()):
        if kind == RESULT and stamp:
            data = data[:MICROS_AT] + stamp + data[MICROS_AT + 8:]
        if kind == RESULT and first:
            first = False
            with asked:
                asked.wait_for(lambda: state["requests"] >= 2 or
                               state["input_ended"], timeout=20)
                queued = state["requests"] >= 2
            with open(report, "w") as f:
                f.write("queued\n" if queued else "not queued\n")
        while data:
            data = data[os.write(1, data):]
    return child.wait()


sys.exit(main())
