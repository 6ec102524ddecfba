#!/usr/bin/env python3
"""wait_settled.py FILE...: returns once every FILE was last changed more
than 2.1 seconds ago (its status change time, which no program can set
back), so that ltocache remembers its digest by signature. A barrier on
the clock, not a guess: it reads the files' own times."""
import os
import sys
import time

while True:
    newest = max(os.stat(f).st_ctime for f in sys.argv[1:])
    left = newest + 2.1 - time.time()
    if left <= 0:
        break
    time.sleep(left)
