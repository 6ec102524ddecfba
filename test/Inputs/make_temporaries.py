#!/usr/bin/env python3
"""make_temporaries.py DIR: temporary files named as writers name them,
"<host tag>-<pid>-<what>.<random>", with host tag the first 8 hex digits of
SHA-256 of the host name: one of a dead writer on this host, one of a live
writer on this host (this process's parent), one of another host."""
import hashlib
import os
import socket
import sys

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
dead = 4194303  # above any pid_max Linux allows by default
while True:
    try:
        os.kill(dead, 0)
        dead -= 1
    except ProcessLookupError:
        break
    except PermissionError:
        dead -= 1
for name in ["%s-%d-dead.tmp00001" % (host, dead),
             "%s-%d-live.tmp00002" % (host, os.getppid()),
             "0badc0de-%d-otherhost.tmp00003" % dead]:
    open(os.path.join(d, name), "w").write("partial entry")
