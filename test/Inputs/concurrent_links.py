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


def successful_runs(labels, cmds, cwd, failures):
    """run_together, with a failure in \p failures for each command that
    did not run or failed; returns [(label, stderr)] of the others."""
    ok = []
    for label, result in zip(labels, run_together(cmds, cwd)):
        if result is None:
            failures.append("%s: did not run" % label)
        elif result[0] != 0:
            failures.append("%s: exit %d: %s" % (label, *result))
        else:
            ok.append((label, result[1]))
    return ok


def run_together(cmds, cwd):
    """Runs every command of \p cmds at once (real processes, started from
    one barrier); returns [(exit status, stderr)] in their order."""
    barrier = threading.Barrier(len(cmds))
    results = [None] * len(cmds)

    def run(i):
        barrier.wait()
        p = subprocess.run(cmds[i], cwd=cwd, capture_output=True, text=True,
                           timeout=600)
        results[i] = (p.returncode, p.stderr)
    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(cmds))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


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
        jobs, cmds = [], []
        for i in range(args.links):
            name, objs, ref = programs[i % len(programs)]
            out = os.path.join("out", "%s-r%d-l%d" % (name, rnd, i))
            cmds.append([args.clang, "-O2", "-flto=thin", "-fuse-ld=lld",
                         "-Wl,--thinlto-distributor=" + args.dtlto,
                         "-Wl,--thinlto-remote-compiler=" + args.clang,
                         "-Wl,--thinlto-distributor-arg=--cache-dir=" + cache
                         ] + objs + ["-o", out])
            jobs.append((name, out, ref))
        refs = {out: (name, ref) for name, out, ref in jobs}
        for out, err in successful_runs([j[1] for j in jobs], cmds, args.dir,
                                        failures):
            name, ref = refs[out]
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
