#!/usr/bin/env python3
"""flip_env.py BASE_KEYS WORKDIR -- LINK...: sets one environment variable
at a time for a link (LINK, plus --key-log) and compares its keys with
BASE_KEYS (a --key-log of the same link without it) through keydiff.py.

Variables on stdin, one NAME=VALUE a line; a line "same NAME=VALUE" expects
no key to change. Other lines are ignored (the test file itself can be
stdin). For each, prints
  keyed NAME: <the fields that changed>
or
  same NAME
and "FAILURE NAME: ..." when a key did not change as expected: a keyed
variable must change every job's key through exactly one field,
'environment NAME=VALUE'.
"""
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
base, work = sys.argv[1], sys.argv[2]
link = sys.argv[sys.argv.index("--") + 1:]
failures = 0
for n, line in enumerate(sys.stdin):
    line = line.strip()
    if not re.match(r"(same )?[A-Za-z_][A-Za-z0-9_]*=", line):
        continue
    expect_same = line.startswith("same ")
    assignment = line[len("same "):] if expect_same else line
    name, value = assignment.split("=", 1)
    keys = os.path.join(work, "flip%d.keys" % n)
    env = dict(os.environ)
    env[name] = value
    p = subprocess.run(link + ["-Wl,--thinlto-distributor-arg=--key-log=" + keys],
                       env=env, capture_output=True, text=True)
    if p.returncode:
        print("FAILURE %s: the link failed: %s" % (name, p.stderr))
        failures += 1
        continue
    diff = subprocess.run([sys.executable, os.path.join(here, "keydiff.py"),
                           base, keys], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    changed = [l for l in diff if ": key changed" in l]
    fields = sorted({l.split(": ", 1)[1] for l in diff if ": + " in l or ": - " in l})
    modules = [l for l in diff if ": key " in l]
    if expect_same:
        if changed:
            print("FAILURE %s: keys changed: %s" % (name, fields))
            failures += 1
        else:
            print("same %s" % name)
        continue
    want = ["+ environment %s" % assignment]
    if not modules or len(changed) != len(modules) or fields != want:
        print("FAILURE %s: expected every key to change through %s, got %s" %
              (name, want, diff))
        failures += 1
    else:
        print("keyed %s: %s" % (name, ", ".join(fields)))
print("%d failures" % failures)
sys.exit(1 if failures else 0)
