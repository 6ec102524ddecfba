#!/usr/bin/env python3
"""check_json.py: reads `ltocache explain --json` on stdin and prints one
line per job, "<name> <outcome> <kind>: <text>" per change (or
"<name> <outcome>" for a hit; "... and every job's changes" where those
count too), after "before <jobs> <hits> <misses>" and
"after ..." lines; exits 1 if a field the format promises is missing."""
import json
import sys

doc = json.load(sys.stdin)
for side in ("before", "after"):
    s = doc[side]
    assert isinstance(s["id"], str) and s["output"].startswith("/"), s
    print(side, s["jobs"], s["hits"], s["misses"], s["from_remote"],
          s["uncached"])
for c in doc["changed_for_every_job"]:
    print("every", c["kind"] + ":", c["text"])
for j in doc["jobs"]:
    assert set(j) >= {"name", "module", "outcome"}, j
    if j["outcome"] == "hit":
        assert "changes" not in j, j
        print(j["name"], j["module"], "hit")
        continue
    assert isinstance(j["changed_for_every_job"], bool), j
    for c in j["changes"]:
        print(j["name"], j["module"], j["outcome"], c["kind"] + ":", c["text"])
    if j["changed_for_every_job"]:
        print(j["name"], j["module"], j["outcome"], "and every job's changes")
print("gone", *doc["gone"])
