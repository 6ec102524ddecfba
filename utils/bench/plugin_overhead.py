#!/usr/bin/env python3
"""What the recipe plugin (LTOCacheClang.so) adds to compile time.

Compiles a corpus's sources for ThinLTO with and without -fplugin, one
compile at a time (a lone process is the least disturbed), each source
with and without the plugin back to back (which goes first alternates by
round), so that a machine whose speed drifts (a shared VM: up to 40%
between rounds) slows both alike. Reports per variant the median over the
rounds of the round's total wall and CPU time (user + system of the
compilers), and the median of the rounds' CPU ratios (with / without).

  utils/bench/plugin_overhead.py --build build --corpus leveldb --rounds 7
  utils/bench/plugin_overhead.py --build build --corpus leveldb --cflag=-g
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402


def compile_one(argv, cwd, with_plugin, out_dir, out):
    """Compiles one job into out_dir; returns (wall, CPU) seconds."""
    if not with_plugin:
        argv = [a for a in argv if not a.startswith("-fplugin=")]
    argv = argv[:argv.index("-o") + 1] + [os.path.join(out_dir, out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + \
        (after.ru_stime - before.ru_stime)


def compile_round(jobs, cwd, plugin_first, out_dir):
    """Compiles every job with and without the plugin, back to back;
    returns {with_plugin: (wall, CPU)} seconds."""
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    totals = {True: [0.0, 0.0], False: [0.0, 0.0]}
    for argv, out in jobs:
        for variant in (plugin_first, not plugin_first):
            wall, cpu = compile_one(argv, cwd, variant, out_dir, out)
            totals[variant][0] += wall
            totals[variant][1] += cpu
    return {v: tuple(t) for v, t in totals.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build", help="ltocache build dir")
    ap.add_argument("--corpus", choices=["leveldb", "generated"],
                    default="leveldb")
    ap.add_argument("--modules", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--work", default="/tmp/ltocache-bench")
    ap.add_argument("--cflag", action="append", default=[])
    args = ap.parse_args()
    plugin = os.path.join(os.path.abspath(args.build), "lib",
                          "LTOCacheClang.so")
    os.makedirs(args.work, exist_ok=True)
    if args.corpus == "leveldb":
        cwd, jobs, _ = bench.leveldb_jobs(args.work, plugin, args.cflag)
        name = "leveldb db_bench (%d sources)" % len(jobs)
    else:
        cwd, jobs = bench.generated_jobs(args.work, plugin, args.modules,
                                         args.cflag)
        name = "generated (%d sources)" % len(jobs)
    if args.cflag:
        name += ", compiled with " + " ".join(args.cflag)
    out_dir = os.path.join(args.work, "plugin-overhead-objects")
    # Untimed: the sources, headers and compiler in the page cache.
    compile_round(jobs[:3], cwd, True, out_dir)
    results = {True: [], False: []}
    ratios = []
    for r in range(args.rounds):
        got = compile_round(jobs, cwd, r % 2 == 0, out_dir)
        for variant in (False, True):
            results[variant].append(got[variant])
        ratios.append(got[True][1] / got[False][1])
    shutil.rmtree(out_dir, ignore_errors=True)

    print("## Recipe plugin compile time: %s, %d rounds, one compile at a "
          "time, each source with and without the plugin back to back" % (
              name, args.rounds))
    print()
    print("    " + " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]))
    print()
    print("| compile | wall median (s) | CPU median (s) | CPU min / max (s) |")
    print("| --- | --- | --- | --- |")
    med = {}
    for variant, label in ((False, "-flto=thin"),
                           (True, "-flto=thin -fplugin=LTOCacheClang.so")):
        walls = [w for w, _ in results[variant]]
        cpus = [c for _, c in results[variant]]
        med[variant] = (statistics.median(walls), statistics.median(cpus))
        print("| %s | %.2f | %.2f | %.2f / %.2f |" % (
            label, med[variant][0], med[variant][1], min(cpus), max(cpus)))
    print()
    print("The plugin's cost: CPU %.3fx (median of the rounds' ratios; "
          "rounds %s), wall %.3fx (ratio of medians)." % (
              statistics.median(ratios),
              ", ".join("%.3f" % x for x in ratios),
              med[True][0] / med[False][0]))


if __name__ == "__main__":
    main()
