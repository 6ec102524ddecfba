#!/usr/bin/env python3
"""Runs many real links at once against one cache directory.

Each round starts every link from a barrier, so they hit the cache at the
same moment: even rounds use a fresh cache directory (every link misses and
publishes the same keys at once), odd rounds reuse it (concurrent hits).
Every link must succeed and produce a binary identical to its reference.
"""
import argparse
import threading
import os
import re
import subprocess
import sys

SUMMARY = re.compile(r"ltocache: (\d+) jobs, (\d+) hits, (\d+) misses, "
                     r"(\d+) bypasses")


def link(barrier, cmd, out, cwd, result):
    barrier.wait()
    p = subprocess.run(cmd + ["-o", out], cwd=cwd, capture_output=True,
                       text=True, timeout=600)
    result.extend([p.returncode, p.stderr])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="directory with the objects")
    ap.add_argument("--clang", required=True)
    ap.add_argument("--dtlto", required=True)
    ap.add_argument("--links", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--program", action="append", required=True,
                    help="name=obj1,obj2,...:reference")
    args = ap.parse_args()

    programs = []
    for spec in args.program:
        name, rest = spec.split("=", 1)
        objs, ref = rest.split(":", 1)
        programs.append((name, objs.split(","), open(ref, "rb").read()))

    totals = [0, 0, 0, 0]
    failures = []
    os.makedirs(os.path.join(args.dir, "out"), exist_ok=True)
    for rnd in range(args.rounds):
        cache = os.path.join(args.dir, "cache-%d" % (rnd // 2))
        # Each link is a real process; the threads only start them together.
        barrier = threading.Barrier(args.links)
        jobs = []
        for i in range(args.links):
            name, objs, ref = programs[i % len(programs)]
            cmd = [args.clang, "-O2", "-flto=thin", "-fuse-ld=lld",
                   "-Wl,--thinlto-distributor=" + args.dtlto,
                   "-Wl,--thinlto-remote-compiler=" + args.clang,
                   "-Wl,--thinlto-distributor-arg=--cache-dir=" + cache
                   ] + objs
            out = os.path.join("out", "%s-r%d-l%d" % (name, rnd, i))
            result = []
            t = threading.Thread(target=link,
                                 args=(barrier, cmd, out, args.dir, result))
            t.start()
            jobs.append((name, out, ref, t, result))
        for name, out, ref, t, result in jobs:
            t.join()
            if not result:
                failures.append("%s: did not run" % out)
                continue
            rc, err = result
            if rc != 0:
                failures.append("%s: exit %d: %s" % (out, rc, err))
                continue
            m = SUMMARY.search(err)
            if not m:
                failures.append("%s: no summary line: %s" % (out, err))
                continue
            for k in range(4):
                totals[k] += int(m.group(k + 1))
            with open(os.path.join(args.dir, out), "rb") as f:
                if f.read() != ref:
                    failures.append("%s differs from the %s reference" %
                                    (out, name))
    for f in failures:
        print("FAILURE:", f)
    print("%d rounds x %d links: %d failures; %d jobs, %d hits, %d misses, "
          "%d bypasses" % (args.rounds, args.links, len(failures), *totals))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
