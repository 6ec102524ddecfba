#!/usr/bin/env python3
"""A plain DTLTO distributor for tests: records the modules of the job file
it gets (one line per call, in $CHAIN_LOG) and runs each job with the
compiler the file names. Exits 1 without compiling if $CHAIN_FAIL is set."""
import json
import os
import subprocess
import sys

doc = json.load(open(sys.argv[-1]))
with open(os.environ["CHAIN_LOG"], "a") as log:
    log.write("called with %d jobs: %s\n" % (
        len(doc["jobs"]), " ".join(sorted(j["args"][0] for j in doc["jobs"]))))
if os.environ.get("CHAIN_FAIL"):
    sys.exit(1)
for job in doc["jobs"]:
    subprocess.check_call(doc["common"]["args"] + job["args"])
