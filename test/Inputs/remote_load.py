#!/usr/bin/env python3
"""remote_load.py: concurrent links against one remote through the fault
proxy (run inside with_nginx.py --fault=SPEC --fault-log=LOG).

  remote_load.py --dir=DIR --url=URL --log=LOG --clang=CLANG --dtlto=DTLTO
                 --seed=N [--links=8] [--rounds=3]
                 --program=NAME=OBJ,...:REF ...

Each round starts --links real links at once from a barrier (the programs
in turn), each with an empty local cache of its own, so every job goes to
the remote: lookups, races, uploads, all through the proxy's faults. Every
link must succeed with a binary equal to its reference, and the counters
must add up:
  - per link: jobs = hits + misses + from remote + uncached; the remote's
    answers (hits, misses, errors, timeouts) are at most the lookups
    asked, from remote is at most the remote's hits, remote wins at most
    from remote; the link's stats.log line says what its summary says;
  - over all links: every answer counted is one GET the proxy logged, no
    more hits (objects and key inputs taken) than GETs it answered 200
    unchanged, and uploads (and their failures), of objects and of key
    inputs, are exactly the PUTs it logged (answered 2xx).
Prints one line per round and a total; exits 1 on any failure."""
import argparse
import json
import os
import re
import subprocess
import sys

from concurrent_links import successful_runs  # Next to this script.

SUMMARY = re.compile(
    r"ltocache: (?P<jobs>\d+) jobs, (?P<hits>\d+) hits, (?P<misses>\d+) "
    r"misses, (?P<bypasses>\d+) bypasses(?:, (?P<from_remote>\d+) from "
    r"remote)?(?:, (?P<uncached>\d+) uncached)?")
REMOTE = re.compile(
    r"; remote: (?P<rhits>\d+) hits, (?P<rmisses>\d+) misses, "
    r"(?P<rerrors>\d+) errors, (?P<rtimeouts>\d+) timeouts(?:, "
    r"(?P<runtrusted>\d+) untrusted)?; races: (?P<rwins>\d+) remote wins, "
    r"(?P<lwins>\d+) local wins, (?P<cancelled>\d+) cancelled; "
    r"(?P<uploads>\d+) uploads(?:, (?P<upfail>\d+) upload failures)?")


def count_int(m, k):
    return int(m.group(k) or 0)


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--clang", required=True)
    ap.add_argument("--dtlto", required=True)
    ap.add_argument("--links", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, required=True,
                    help="the fault proxy's seed (printed)")
    ap.add_argument("--program", action="append", required=True)
    args = ap.parse_args()
    programs = []
    for spec in args.program:
        name, rest = spec.split("=", 1)
        objs, ref = rest.split(":", 1)
        programs.append((name, objs.split(","),
                         open(os.path.join(args.dir, ref), "rb").read()))

    print("fault proxy seed %d" % args.seed, flush=True)
    failures, totals = [], {}
    out_dir = os.path.join(args.dir, "out")
    os.makedirs(out_dir, exist_ok=True)
    for rnd in range(args.rounds):
        runs, cmds = [], []
        for i in range(args.links):
            name, objs, ref = programs[i % len(programs)]
            cache = os.path.join(args.dir, "caches", "r%d-l%d" % (rnd, i))
            out = os.path.join("out", "%s-r%d-l%d" % (name, rnd, i))
            cmds.append([args.clang, "-O2", "-flto=thin", "-fuse-ld=lld",
                         "-Wl,--thinlto-distributor=" + args.dtlto,
                         "-Wl,--thinlto-remote-compiler=" + args.clang,
                         "-Wl,--thinlto-distributor-arg=--cache-dir=" + cache,
                         "-Wl,--thinlto-distributor-arg=--remote=" + args.url
                         ] + objs + ["-o", out])
            runs.append((out, ref, cache))
        round_totals = {}
        by_out = {out: (ref, cache) for out, ref, cache in runs}
        for out, err in successful_runs([r[0] for r in runs], cmds, args.dir,
                                        failures):
            ref, cache = by_out[out]
            with open(os.path.join(args.dir, out), "rb") as f:
                if f.read() != ref:
                    failures.append("%s: not the reference binary" % out)
            m = r = None
            for line in err.splitlines():
                if line.startswith("ltocache: ") and " jobs, " in line:
                    m, r = SUMMARY.match(line), REMOTE.search(line)
            if not m or not r:
                failures.append("%s: no summary line with the remote's "
                                "part: %s" % (out, err))
                continue
            c = {k: count_int(m, k) for k in SUMMARY.groupindex}
            c.update({k: count_int(r, k) for k in REMOTE.groupindex})
            answered = c["rhits"] + c["rmisses"] + c["rerrors"] + \
                c["rtimeouts"] + c["runtrusted"]
            if c["jobs"] != c["hits"] + c["misses"] + c["from_remote"] + \
                    c["uncached"]:
                failures.append("%s: jobs do not add up: %s" % (out, c))
            if answered > c["jobs"] or c["from_remote"] > c["rhits"] or \
                    c["rwins"] > c["from_remote"]:
                failures.append("%s: remote counts do not add up: %s" %
                                (out, c))
            stats = json.loads(subprocess.run(
                ["ltocache", "stats", "--json", "--cache-dir=" + cache],
                capture_output=True, text=True, check=True).stdout)
            sr = stats["remote"]
            if (stats["jobs"], stats["misses"], sr["from_remote"], sr["hits"],
                    sr["errors"], sr["uploads"], sr["upload_failures"]) != \
                    (c["jobs"], c["misses"], c["from_remote"], c["rhits"],
                     c["rerrors"], c["uploads"], c["upfail"]):
                failures.append("%s: stats.log disagrees with the summary: "
                                "%s vs %s" % (out, stats, c))
            # Key inputs (the compiler's identity, job memos) travel too,
            # counted in the link's stats only.
            c["kiupload"] = sr["key_inputs_shared"]
            c["kiupfail"] = sr["key_input_upload_failures"]
            c["kitaken"] = sr["key_inputs_taken"]
            c["answered"] = answered
            for k, v in c.items():
                round_totals[k] = round_totals.get(k, 0) + v
        for k, v in round_totals.items():
            totals[k] = totals.get(k, 0) + v
        print("round %d: %d links, %d jobs: %d from remote, %d compiled; "
              "remote %d hits, %d misses, %d errors; %d uploads, %d upload "
              "failures" % (rnd, args.links, round_totals.get("jobs", 0),
                            round_totals.get("from_remote", 0),
                            round_totals.get("misses", 0),
                            round_totals.get("rhits", 0),
                            round_totals.get("rmisses", 0),
                            round_totals.get("rerrors", 0),
                            round_totals.get("uploads", 0),
                            round_totals.get("upfail", 0)))

    log = [json.loads(l) for l in open(args.log) if l.strip()]
    gets = [e for e in log if e["method"] == "GET"]
    puts = [e for e in log if e["method"] == "PUT"]
    clean_200 = sum(1 for e in gets if e["status"] == 200 and
                    e["fault"] == "none")
    put_ok = sum(1 for e in puts if e["status"] and
                 200 <= e["status"] < 300)
    faults = {}
    for e in log:
        faults[e["fault"]] = faults.get(e["fault"], 0) + 1
    if totals.get("answered", 0) > len(gets):
        failures.append("%d answers counted, %d GETs logged" %
                        (totals["answered"], len(gets)))
    hits = totals.get("rhits", 0) + totals.get("kitaken", 0)
    if hits > clean_200:
        failures.append("%d remote hits and key inputs, %d GETs answered 200 "
                        "unchanged" % (hits, clean_200))
    uploads = totals.get("uploads", 0) + totals.get("kiupload", 0)
    upfail = totals.get("upfail", 0) + totals.get("kiupfail", 0)
    if uploads != put_ok or uploads + upfail != len(puts):
        failures.append("uploads %d + failures %d (objects and key inputs), "
                        "PUTs logged %d (%d 2xx)" %
                        (uploads, upfail, len(puts), put_ok))
    for f in failures:
        print("FAILURE:", f)
    print("faults applied: %s" % ", ".join(
        "%s %d" % kv for kv in sorted(faults.items())))
    print("%d rounds x %d links: %d failures" %
          (args.rounds, args.links, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
