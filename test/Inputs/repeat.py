#!/usr/bin/env python3
"""repeat.py N cmd args...: runs the command N times, one after the other,
with "{i}" in its arguments replaced by the run's number; prints every run's
stdout and stderr; exits non-zero at the first run that fails. For
outcomes that depend on thread timing: many runs make a rare order likely."""
import subprocess
import sys

n = int(sys.argv[1])
for i in range(n):
    argv = [a.replace("{i}", str(i)) for a in sys.argv[2:]]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    sys.stdout.write(p.stdout)
    if p.returncode:
        sys.exit("run %d failed with %d: %s" % (i, p.returncode, argv))
