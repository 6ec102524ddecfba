#!/usr/bin/env python3
"""Fan-out benchmark (issue 16): what one small edit costs a warm relink.

For every module of a corpus: add one function nobody calls to its source,
compile that module again, and relink twice with warm caches:

  lld        lld's in-process ThinLTO with its --thinlto-cache-dir
  ltocache   ltocache-dtlto with its --cache-dir

then put the module's source and object back (both caches still hold the
original objects, so the next module's edit starts warm again). It reports
the backend jobs each recompiled (mean and max over the modules) and the
relink wall time of both, and for the widest module (the one most other
modules import from, as lld's own import lists say) the relink times of
--repeat such edits (each adds another function) and their ratio.

Jobs recompiled: ltocache's are its summary line's misses (plus bypasses);
lld's are the files its link added to its cache directory (one
llvmcache-<key> file per backend job it runs: a hit adds none, the key
names the contents, and its pruning only removes files). Importers come from
one untimed `--thinlto-index-only --thinlto-emit-imports-files` link: lld's
`<object>.imports` lists the modules each job imports from.

Corpora, as bench.py builds them (the same directories under --work):
"leveldb" (db_bench, from Debian's leveldb source package), "generated"
(bench.py's --modules C++ modules), and "edit-suite" (the differential edit
suite's generated C/C++ program, test/Inputs/edit_program.py: cross-module
calls with a few widely used utility modules).

  utils/bench/fanout.py --build build --corpus leveldb
  utils/bench/fanout.py --build build --corpus generated --modules 100
  utils/bench/fanout.py --build build --corpus edit-suite --modules 40
  utils/bench/fanout.py --build build --corpus generated --modules 20 \\
      --limit 5 --repeat 2          (a quick check, no figures)
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "Inputs"))
import bench  # noqa: E402


def edit_suite_jobs(work, plugin, modules, seed):
    """The edit suite's program (edit_program.py) written under work;
    returns (its directory, [(compile argv, object)])."""
    import edit_program
    d = os.path.join(work, "edit-suite-%d-seed%d" % (modules, seed))
    p = edit_program.Program(seed, modules)
    edit_program.write_files(p.files(), d)
    flags = {m.src: m.debug for m in p.modules}
    jobs = []
    for src in p.sources():
        cc = bench.CLANGXX if src.endswith(".cpp") else bench.CLANG
        out = os.path.splitext(src)[0] + ".o"
        jobs.append(([cc, "-O2", "-flto=thin", "-fplugin=" + plugin] +
                     flags.get(src, []) + ["-c", src, "-o", out], out))
    return d, jobs


def source_of(argv, cwd):
    """The source file a compile command compiles (the word after -c)."""
    return os.path.join(cwd, argv[argv.index("-c") + 1])


def unused_function(source, tag, rep):
    """A definition nobody calls, with a prototype (no warning), unique to
    the module and the repetition."""
    name = "ltocache_fanout_%s_%d" % (re.sub(r"\W", "_", tag), rep)
    linkage = 'extern "C" ' if not source.endswith(".c") else ""
    return ("\n/* Added by fanout.py: nobody calls it. */\n"
            "%sint %s(int x);\n%sint %s(int x) { return x * %d + %d; }\n" % (
                linkage, name, linkage, name, 7 + rep, rep))


def importers(cwd, objs, libs, work):
    """{object: number of other objects whose jobs import from it}, from an
    index-only lld link (no backend runs)."""
    idx = os.path.join(work, "fanout-imports")
    shutil.rmtree(idx, ignore_errors=True)
    os.makedirs(idx)
    prefix = os.path.abspath(cwd) + os.sep
    bench.sh([bench.CLANGXX, "-O2", "-flto=thin", "-fuse-ld=lld", "-o",
              os.path.join(idx, "out")] + [prefix + o for o in objs] + libs +
             ["-Wl,--thinlto-index-only", "-Wl,--thinlto-emit-imports-files",
              "-Wl,--thinlto-prefix-replace=%s;%s" % (prefix, idx + os.sep)],
             cwd=cwd)
    count = {o: 0 for o in objs}
    for o in objs:
        path = os.path.join(idx, o + ".imports")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                rel = os.path.relpath(line.strip(), cwd)
                if rel in count and rel != o:
                    count[rel] += 1
    return count


class Relinker:
    """Both warm relinks of one corpus, and counting what each recompiled."""

    def __init__(self, args, cwd, objs, libs, dtlto):
        self.cwd = cwd
        self.link = [bench.CLANGXX, "-O2", "-flto=thin", "-fuse-ld=lld", "-o",
                     "fanout.out"] + objs + libs
        self.lld_cache = os.path.join(args.work, "fanout-lld-cache")
        self.lto_cache = os.path.join(args.work, "fanout-ltocache")
        self.dist = ["-fthinlto-distributor=" + dtlto,
                     "-Xthinlto-distributor=--cache-dir=" + self.lto_cache]

    def fresh(self):
        for d in (self.lld_cache, self.lto_cache):
            shutil.rmtree(d, ignore_errors=True)
        os.makedirs(self.lld_cache)

    def lld(self):
        """(wall seconds, jobs run)."""
        before = set(os.listdir(self.lld_cache))
        t, _, _, _ = bench.timed(
            self.link + ["-Wl,--thinlto-cache-dir=" + self.lld_cache],
            self.cwd)
        added = [f for f in set(os.listdir(self.lld_cache)) - before
                 if f.startswith("llvmcache-")]
        return t, len(added)

    def ltocache(self):
        """(wall seconds, jobs run, summary line)."""
        t, _, err, _ = bench.timed(self.link + self.dist, self.cwd)
        line = bench.summary(err)
        m = re.match(r"ltocache: (\d+) jobs, (\d+) hits, (\d+) misses, "
                     r"(\d+) bypasses", line)
        if not m:
            sys.exit("fanout: no ltocache summary line:\n" + err)
        return t, int(m.group(3)) + int(m.group(4)), line


def edit_and_relink(r, argv, cwd, obj, rep, first):
    """Adds the rep-th unused function to obj's source, compiles it, relinks
    both ways (in the order first names) and puts source and object back.
    Returns {"lld": (time, jobs), "ltocache": (time, jobs, summary)}."""
    src = source_of(argv, cwd)
    obj_path = os.path.join(cwd, obj)
    with open(src) as f:
        original = f.read()
    saved = obj_path + ".fanout-saved"
    shutil.copy2(obj_path, saved)
    try:
        with open(src, "w") as f:
            f.write(original + unused_function(src, obj, rep))
        subprocess.run(argv, cwd=cwd, check=True)
        out = {}
        for how in ([first, "ltocache" if first == "lld" else "lld"]):
            out[how] = r.lld() if how == "lld" else r.ltocache()
        return out
    finally:
        with open(src, "w") as f:
            f.write(original)
        os.replace(saved, obj_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build", help="ltocache build dir")
    ap.add_argument("--corpus", choices=["leveldb", "generated", "edit-suite"],
                    default="leveldb")
    ap.add_argument("--modules", type=int, default=100,
                    help="generated corpora: module count")
    ap.add_argument("--seed", type=int, default=16,
                    help="edit-suite corpus: its generator's seed")
    ap.add_argument("--repeat", type=int, default=5,
                    help="edits of the widest module timed (median)")
    ap.add_argument("--limit", type=int, default=0,
                    help="edit only the widest module and the first N-1 "
                    "others (a quick check; 0: every module)")
    ap.add_argument("--work", default="/tmp/ltocache-bench")
    ap.add_argument("--cflag", action="append", default=[],
                    help="an extra flag for compiling the corpus, e.g. -g")
    ap.add_argument("--results", metavar="FILE",
                    help="also write every edit's figures as JSON")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    plugin = os.path.join(build, "lib", "LTOCacheClang.so")
    dtlto = os.path.join(build, "bin", "ltocache-dtlto")
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    if args.corpus == "leveldb":
        cwd, jobs, libs = bench.leveldb_jobs(args.work, plugin, args.cflag)
        name = "leveldb db_bench"
    elif args.corpus == "generated":
        cwd, jobs = bench.generated_jobs(args.work, plugin, args.modules,
                                         args.cflag)
        libs, name = [], "generated"
    else:
        cwd, jobs = edit_suite_jobs(args.work, plugin, args.modules, args.seed)
        jobs = [(argv[:-4] + args.cflag + argv[-4:], out)
                for argv, out in jobs]
        libs, name = [], "edit-suite program (seed %d)" % args.seed
    bench.compile_all(jobs, cwd)
    objs = [out for _, out in jobs]
    name += " (%d modules)" % len(objs)
    if args.cflag:
        name += ", compiled with " + " ".join(args.cflag)

    fan_in = importers(cwd, objs, libs, args.work)
    widest = max(objs, key=lambda o: (fan_in[o], o))
    chosen = [o for o in objs if o != widest]
    chosen = [widest] + (chosen[:args.limit - 1] if args.limit else chosen)

    r = Relinker(args, cwd, objs, libs, dtlto)
    r.fresh()
    r.lld()
    r.ltocache()
    # Both caches warm: a relink of the unchanged objects recompiles nothing.
    _, lld_jobs = r.lld()
    _, lto_jobs, line = r.ltocache()
    if lld_jobs or lto_jobs:
        sys.exit("fanout: a warm relink of unchanged objects recompiled "
                 "jobs: lld %d, ltocache %d (%s)" % (lld_jobs, lto_jobs, line))

    argv_of = dict((out, argv) for argv, out in jobs)
    edits = []
    for k, obj in enumerate(chosen):
        reps = args.repeat if obj == widest else 1
        for rep in range(reps):
            first = "lld" if (k + rep) % 2 == 0 else "ltocache"
            res = edit_and_relink(r, argv_of[obj], cwd, obj, rep, first)
            edits.append({"module": obj, "importers": fan_in[obj],
                          "rep": rep, "lld_time": res["lld"][0],
                          "lld_jobs": res["lld"][1],
                          "ltocache_time": res["ltocache"][0],
                          "ltocache_jobs": res["ltocache"][1],
                          "summary": res["ltocache"][2]})
            print("%s (%d importers) edit %d: lld %d jobs %.3f s, ltocache "
                  "%d jobs %.3f s" % (obj, fan_in[obj], rep + 1,
                                      res["lld"][1], res["lld"][0],
                                      res["ltocache"][1], res["ltocache"][0]),
                  file=sys.stderr, flush=True)
    report(args, name, objs, fan_in, widest, edits)
    if args.results:
        with open(args.results, "w") as f:
            json.dump({"command": sys.argv, "corpus": name,
                       "cores": os.cpu_count(), "widest": widest,
                       "edits": edits}, f, indent=1)


def report(args, name, objs, fan_in, widest, edits):
    firsts = [e for e in edits if e["rep"] == 0]
    wide = [e for e in edits if e["module"] == widest]
    print("## Fan-out: %s, %d cores" % (name, os.cpu_count()))
    print()
    print("    " + " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]))
    print()
    print("One function nobody calls added to each of %d modules%s, the "
          "module compiled again, the program relinked with warm caches." % (
              len(firsts), "" if len(firsts) == len(objs) else
              " (of %d: --limit)" % len(objs)))
    print()
    print("| per edit | lld's cache | ltocache |")
    print("| --- | --- | --- |")

    def most(key):
        e = max(firsts, key=lambda e: (e[key], e["module"]))
        return "%d (%s)" % (e[key], e["module"])
    print("| jobs recompiled, mean | %.2f | %.2f |" % (
        statistics.mean(e["lld_jobs"] for e in firsts),
        statistics.mean(e["ltocache_jobs"] for e in firsts)))
    print("| jobs recompiled, max | %s | %s |" % (most("lld_jobs"),
                                                   most("ltocache_jobs")))
    print("| relink time, mean (s) | %.3f | %.3f |" % (
        statistics.mean(e["lld_time"] for e in firsts),
        statistics.mean(e["ltocache_time"] for e in firsts)))
    print("| relink time, max (s) | %.3f | %.3f |" % (
        max(e["lld_time"] for e in firsts),
        max(e["ltocache_time"] for e in firsts)))
    lt = statistics.median(e["lld_time"] for e in wide)
    ct = statistics.median(e["ltocache_time"] for e in wide)
    print()
    print("Widest module: %s, imported from by %d of %d modules; %d edits "
          "(min / median / max):" % (widest, fan_in[widest], len(objs),
                                     len(wide)))
    print()
    print("| widest module | lld's cache | ltocache | ltocache / lld |")
    print("| --- | --- | --- | --- |")
    print("| jobs recompiled (median) | %g | %g | |" % (
        statistics.median(e["lld_jobs"] for e in wide),
        statistics.median(e["ltocache_jobs"] for e in wide)))
    print("| relink time (s) | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f "
          "| %.2fx |" % (min(e["lld_time"] for e in wide), lt,
                         max(e["lld_time"] for e in wide),
                         min(e["ltocache_time"] for e in wide), ct,
                         max(e["ltocache_time"] for e in wide), ct / lt))
    print()
    print("Per module (first edit):")
    print()
    print("| module | importers | lld jobs | ltocache jobs | lld relink (s) "
          "| ltocache relink (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for e in sorted(firsts, key=lambda e: (-e["importers"], e["module"])):
        print("| %s | %d | %d | %d | %.3f | %.3f |" % (
            e["module"], e["importers"], e["lld_jobs"], e["ltocache_jobs"],
            e["lld_time"], e["ltocache_time"]))


if __name__ == "__main__":
    main()
