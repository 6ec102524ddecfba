#!/usr/bin/env python3
"""A plain DTLTO distributor for tests: records the modules of the job file
it gets (one line per call, in $CHAIN_LOG) and runs each job with the
compiler the file names. Exits 1 without compiling if $CHAIN_FAIL is set.
Like any distributor ltocache chains to, it stops the job it runs when it
gets SIGTERM (ltocache sends it when the remote cache answered them all)."""
import json
import os
import signal
import subprocess
import sys

running = None


def stop(signum, frame):
    if running is not None:
        running.terminate()
        running.wait()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, stop)
doc = json.load(open(sys.argv[-1]))
with open(os.environ["CHAIN_LOG"], "a") as log:
    log.write("called with %d jobs: %s\n" % (
        len(doc["jobs"]), " ".join(sorted(j["args"][0] for j in doc["jobs"]))))
if os.environ.get("CHAIN_FAIL"):
    sys.exit(1)
for job in doc["jobs"]:
    running = subprocess.Popen(doc["common"]["args"] + job["args"])
    if running.wait() != 0:
        sys.exit(1)
    running = None
