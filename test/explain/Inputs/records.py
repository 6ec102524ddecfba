#!/usr/bin/env python3
"""records.py: helps tests name link records (ltocache explain --list).

  records.py explain <cache dir> <output A> <output B> <prefix length>
      runs `ltocache explain --link <A's last> --link <B's last>`, B's id cut
      to <prefix length> characters (a unique start of it); prints its output
      and exits with its status.
  records.py age <cache dir> <output> <days>
      sets the modification time of every record of <output> <days> back.
"""
import json
import os
import subprocess
import sys
import time


def records(cache, output):
    out = subprocess.run(["ltocache", "explain", "--list", "--json",
                          "--cache-dir=" + cache, output],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    cmd, cache = sys.argv[1], sys.argv[2]
    if cmd == "explain":
        a = records(cache, sys.argv[3])[-1]["id"]
        b = records(cache, sys.argv[4])[-1]["id"][:int(sys.argv[5])]
        r = subprocess.run(["ltocache", "explain", "--cache-dir=" + cache,
                            "--link", a, "--link", b])
        sys.exit(r.returncode)
    if cmd == "age":
        then = time.time() - float(sys.argv[4]) * 86400
        for r in records(cache, sys.argv[3]):
            os.utime(r["path"], (then, then))
        return
    sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
