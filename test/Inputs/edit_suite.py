#!/usr/bin/env python3
"""The randomized differential edit suite for ltocache's keys (issue 16).

  edit_suite.py --clang CLANG --plugin LTOCacheClang.so --dtlto ltocache-dtlto
                --work DIR [--seed N] [--modules N] [--edits N]

Generates a C/C++ program (edit_program.py), compiles it for ThinLTO with the
recipe plugin, links it, then makes --edits random edits of many kinds. After
each edit it compiles the modules whose source or headers changed and links
three times:

  warm   ltocache with the cache kept across edits, --verify-hits=1 (every
         hit compiled again and compared byte for byte);
  fresh  ltocache with an empty cache;
  lld    lld's in-process ThinLTO (no ltocache) with its own
         --thinlto-cache-dir kept across edits.

and requires: the warm link prints no warning (a verify-hits mismatch is
one), the warm and fresh binaries are byte-identical, and the warm binary
prints what lld's binary prints. At the end lld's cached binary is checked
against an uncached lld link of the same objects.

Jobs recompiled: ltocache's are the warm link's summary line (misses plus
bypasses). lld's are the entries its link added to its cache directory: lld
stores one file, llvmcache-<key>, per backend job it runs (a hit adds none
and the key names its contents, so new names are exactly its misses; its
pruning only removes files, so cannot add a name).

On a failure the suite goes on with the next edit, and keeps what a report
needs under DIR/failures/<edit>/ (both binaries, both key logs, the
differing objects of jobs whose key was the same in both links); it exits 1
after the table. The seed is printed first; everything is deterministic in
it.
"""
import argparse
import collections
import filecmp
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edit_program  # noqa: E402

SUMMARY = re.compile(r"ltocache: (\d+) jobs, (\d+) hits, (\d+) misses, "
                     r"(\d+) bypasses")


class Suite:
    def __init__(self, args):
        self.args = args
        self.clang = args.clang
        self.clangxx = args.clang + "++"
        self.work = os.path.abspath(args.work)
        self.src = os.path.join(self.work, "src")
        self.failures = []
        self.verified = self.differed = 0
        self.cpu_start = os.times()
        self.cpu, self.cpu_mark, self.current = {}, 0.0, "setup"

    # -- running things ----------------------------------------------------

    def phase(self, name):
        """Charges the CPU time of the children finished since the last call
        to the phase before it; returns the name of the phase that ends."""
        t = os.times()
        cpu = t.children_user + t.children_system
        self.cpu[self.current] = self.cpu.get(self.current, 0) + cpu - \
            self.cpu_mark
        self.cpu_mark, self.current = cpu, name

    def run(self, argv, cwd=None, check=True):
        p = subprocess.run(argv, cwd=cwd or self.src, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if check and p.returncode:
            sys.exit("edit-suite: command failed (%d): %s\n%s%s" % (
                p.returncode, " ".join(argv), p.stdout, p.stderr))
        return p

    def compile(self, sources):
        """Compiles sources (file names in self.src), --jobs at a time."""
        procs = []

        def reap(p):
            out, err = p.communicate()
            if p.returncode:
                sys.exit("edit-suite: compile failed: %s\n%s" % (
                    " ".join(p.args), err))
        for s in sources:
            m = self.module_of(s)
            cxx = s.endswith(".cpp")
            argv = [self.clangxx if cxx else self.clang, "-O2", "-flto=thin",
                    "-fplugin=" + self.args.plugin] + (m.debug if m else []) + \
                ["-c", s, "-o", self.obj(s)]
            while len(procs) >= self.args.jobs:
                reap(procs.pop(0))
            procs.append(subprocess.Popen(argv, cwd=self.src,
                                          stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
        for p in procs:
            reap(p)

    def module_of(self, source):
        return next((m for m in self.program.modules if m.src == source), None)

    @staticmethod
    def obj(source):
        return os.path.splitext(source)[0] + ".o"

    def objects(self):
        return [self.obj(s) for s in self.program.sources()]

    def link(self, out, extra, check=True):
        argv = [self.clangxx, "-flto=thin", "-fuse-ld=lld", "-O2", "-o",
                out] + self.objects() + extra
        return self.run(argv, check=check)

    def ltocache(self, out, cache, extra=(), check=True):
        a = "-Wl,--thinlto-distributor-arg="
        return self.link(out, ["-Wl,--thinlto-distributor=" + self.args.dtlto,
                               "-Wl,--thinlto-remote-compiler=" + self.clang,
                               a + "--cache-dir=" + cache] +
                         [a + e for e in extra], check)

    def lld_cache_link(self, out):
        """Links with lld's own cache; returns the number of jobs it ran."""
        cache = os.path.join(self.work, "lld-cache")
        os.makedirs(cache, exist_ok=True)
        before = set(os.listdir(cache))
        self.link(out, ["-Wl,--thinlto-cache-dir=" + cache])
        return len([f for f in set(os.listdir(cache)) - before
                    if f.startswith("llvmcache-")])

    def output(self, exe):
        p = self.run([os.path.join(self.src, exe)], check=False)
        return p.returncode, p.stdout

    # -- the suite ---------------------------------------------------------

    def setup(self):
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.src)
        self.program = edit_program.Program(self.args.seed, self.args.modules)
        self.files = self.program.files()
        edit_program.write_files(self.files, self.src)
        self.compile(self.program.sources())
        self.warm_cache = os.path.join(self.work, "cache-warm")
        self.warm_log = os.path.join(self.work, "warm.keys")
        r = self.ltocache("warm", self.warm_cache,
                          ["--key-log=" + self.warm_log])
        self.jobs = self.summary(r.stderr)[0]
        self.lld_cache_link("lld")
        if self.output("warm") != self.output("lld"):
            self.fail(0, "the first link's program prints another output "
                      "than lld's")

    @staticmethod
    def summary(err):
        m = SUMMARY.search(err)
        if not m:
            sys.exit("edit-suite: no ltocache summary line in:\n" + err)
        return tuple(int(g) for g in m.groups())

    def fail(self, edit, what):
        self.failures.append((edit, what))
        print("FAIL: edit %d: %s" % (edit, what))

    def keep(self, edit, *paths):
        d = os.path.join(self.work, "failures", str(edit))
        os.makedirs(d, exist_ok=True)
        for p in paths:
            if os.path.exists(p):
                shutil.copy(p, d)
        return d

    def edit(self, n, kind, what):
        new = self.program.files()
        sources = edit_program.changed_sources(self.files, new)
        edit_program.write_files(new, self.src, self.files)
        self.files = new
        self.phase("compile")
        self.compile(sources)
        self.phase("warm")

        prev_log = self.warm_log + ".prev"
        shutil.copy(self.warm_log, prev_log)
        report = os.path.join(self.work, "report")
        warm = self.ltocache("warm", self.warm_cache,
                             ["--verify-hits=%g" % self.args.verify_hits,
                              "--key-log=" + self.warm_log,
                              "--determinism-report-dir=" + report],
                             check=False)
        if warm.returncode:
            # What a wrong hit can do: an object naming a promoted local by
            # a module hash that no longer exists.
            d = self.keep(n, prev_log, self.warm_log)
            self.fail(n, "the warm link failed (kept in %s): %s" % (
                d, " | ".join(l for l in warm.stderr.splitlines()
                              if "error" in l or "ltocache:" in l)))
            os.replace(prev_log, self.warm_log)
            self.phase("lld")
            self.lld_cache_link("lld")
            return None
        jobs, hits, misses, bypasses = self.summary(warm.stderr)
        m = re.search(r"(\d+) verified(?: \((\d+) differed\))?", warm.stderr)
        self.verified += int(m.group(1)) if m else 0
        self.differed += int(m.group(2) or 0) if m else 0
        # A hit that differs from its fresh compile counts as a miss.
        if self.args.verify_hits == 1 and \
                (int(m.group(1)) if m else 0) != hits + int(m and m.group(2) or 0):
            self.fail(n, "warm link verified %s of %d hits" % (
                m.group(1) if m else "none", hits))
        warnings = [l for l in warm.stderr.splitlines() if "warning" in l]
        if warnings:
            d = self.keep(n, prev_log, self.warm_log)
            if os.path.isdir(report):
                shutil.move(report, os.path.join(d, "report"))
            self.fail(n, "warm link: %s (kept in %s)" % ("; ".join(warnings),
                                                         d))

        self.phase("fresh")
        fresh_cache = os.path.join(self.work, "cache-fresh")
        fresh_log = os.path.join(self.work, "fresh.keys")
        shutil.rmtree(fresh_cache, ignore_errors=True)
        self.ltocache("fresh", fresh_cache, ["--key-log=" + fresh_log])
        if not filecmp.cmp(os.path.join(self.src, "warm"),
                           os.path.join(self.src, "fresh"), shallow=False):
            self.fail(n, "the warm link differs from a fresh-cache link: %s"
                      % self.differing_jobs(n, fresh_cache, fresh_log))

        self.phase("lld")
        lld_jobs = self.lld_cache_link("lld")
        self.phase("run")
        ours, theirs = self.output("warm"), self.output("lld")
        if ours != theirs:
            d = self.keep(n, os.path.join(self.src, "warm"),
                          os.path.join(self.src, "lld"))
            self.fail(n, "the program prints other output than lld's own "
                      "ThinLTO link (exit %d vs %d; kept in %s)" % (
                          ours[0], theirs[0], d))
        before, after = parse_keys(prev_log), parse_keys(self.warm_log)
        rekeyed = sorted(j for j in after if before.get(j) != after[j])
        return {"kind": kind, "what": what, "sources": sources,
                "ltocache": misses + bypasses, "lld": lld_jobs,
                "jobs": jobs, "rekeyed": rekeyed}

    def differing_jobs(self, n, fresh_cache, fresh_log):
        """Which jobs' objects differ between the warm and the fresh link,
        from their key logs and cache entries (format 3: the object, then a
        96-byte trailer)."""
        warm, fresh = parse_keys(self.warm_log), parse_keys(fresh_log)
        d = self.keep(n, os.path.join(self.src, "warm"),
                      os.path.join(self.src, "fresh"), self.warm_log,
                      self.warm_log + ".prev", fresh_log)
        out = []
        for job in sorted(warm):
            wk, fk = warm[job], fresh.get(job)
            if wk != fk:
                out.append("%s: entry key %s (warm) vs %s (fresh)" % (
                    job, wk[:16], (fk or "none")[:16]))
                continue
            a = entry(self.warm_cache, wk)
            b = entry(fresh_cache, fk)
            if a is None or b is None or a != b:
                name = os.path.splitext(job)[0]
                for label, data in (("warm", a), ("fresh", b)):
                    if data is not None:
                        with open(os.path.join(d, "%s.%s.o" % (name, label)),
                                  "wb") as f:
                            f.write(data)
                out.append("%s: same key %s, other object" % (job, wk[:16]))
        return "; ".join(out) or "no job's object differs (kept in %s)" % d


def parse_keys(path):
    """{job module: entry key} of a --key-log file."""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.fullmatch(r"(\S+) ([0-9a-f]{64}|none)\n", line)
            if m:
                out[m.group(1)] = m.group(2)
    return out


def entry(cache, key):
    path = os.path.join(cache, "v1", "entries", key[:2], key)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data[:-96] if data.endswith(b"LTOCACHE") else data


def table(results):
    by_kind = collections.OrderedDict()
    for kind, _ in edit_program.KINDS:
        rs = [r for r in results if r["kind"] == kind]
        if rs:
            by_kind[kind] = rs
    print("| edit kind | edits | ltocache jobs: total / mean / max "
          "| lld cache jobs: total / mean / max |")
    print("| --- | --- | --- | --- |")

    def cell(vals):
        return "%d / %.1f / %d" % (sum(vals), sum(vals) / len(vals),
                                   max(vals))
    for kind, rs in list(by_kind.items()) + [("all", results)]:
        print("| %s | %d | %s | %s |" % (kind, len(rs),
                                         cell([r["ltocache"] for r in rs]),
                                         cell([r["lld"] for r in rs])))
    return by_kind


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clang", required=True)
    ap.add_argument("--plugin", required=True, help="LTOCacheClang.so")
    ap.add_argument("--dtlto", required=True, help="ltocache-dtlto")
    ap.add_argument("--work", required=True, help="emptied first")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--modules", type=int, default=40,
                    help="modules beside main.cpp")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--verify-hits", type=float, default=1,
                    help="the warm links' --verify-hits (below 1 only to see "
                    "what a wrong hit does to the binary)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                    help="compiles at once")
    args = ap.parse_args()
    for a in ("clang", "plugin", "dtlto"):
        setattr(args, a, os.path.abspath(getattr(args, a)))
    start = time.monotonic()
    s = Suite(args)
    print("edit-suite: seed %d, %d modules and main.cpp, %d edits" % (
        args.seed, args.modules, args.edits), flush=True)
    s.setup()
    p = s.program
    print("edit-suite: %d C++ modules, %d whose imported code names no "
          "local, %d with -g (DWARF 5), %d with -gdwarf-4; %d backend jobs" % (
              sum(m.cxx for m in p.modules), sum(m.clean for m in p.modules),
              sum(m.debug == ["-g"] for m in p.modules),
              sum(m.debug == ["-gdwarf-4"] for m in p.modules), s.jobs),
          flush=True)
    results = []
    s.kinds = []
    for n, (kind, what) in enumerate(p.draw_edits(args.edits), 1):
        s.kinds.append((kind, what))
        r = s.edit(n, kind, what)
        if r is None:
            print("edit %d %s %s: the warm link failed" % (n, kind, what))
            continue
        r["edit"] = n
        results.append(r)
        print("edit %d %s %s: compiled %s; jobs recompiled: ltocache %d "
              "(new keys: %s), lld cache %d" % (
                  n, kind, what, " ".join(r["sources"]), r["ltocache"],
                  " ".join(r["rekeyed"]) if len(r["rekeyed"]) <= 8 else
                  "%d jobs" % len(r["rekeyed"]), r["lld"]), flush=True)
    # The reference's reference: lld's cache served what lld compiles.
    s.link("lld-nocache", [])
    if not filecmp.cmp(os.path.join(s.src, "lld"),
                       os.path.join(s.src, "lld-nocache"), shallow=False):
        s.fail(args.edits, "lld's cached link differs from its uncached "
               "link")
    print()
    by_kind = table(results)
    print()
    n = args.edits
    failed = {e for e, _ in s.failures}
    more = [r for r in results if r["ltocache"] > r["lld"]]
    print("edit-suite: %d edits of %d kinds" % (n, len(
        {k for k, _ in s.kinds})))
    print("verdict: warm link equals a fresh-cache link, program output "
          "equals lld's: %d of %d edits" % (n - len(failed - {0}), n))
    print("verdict: verified hits: %d, differed: %d" % (s.verified,
                                                         s.differed))
    print("verdict: ltocache recompiled no more jobs than lld's cache: %d of "
          "%d edits%s" % (len(results) - len(more), n, "".join(
              " (edit %d %s: %d > %d)" % (r["edit"], r["kind"],
                                           r["ltocache"], r["lld"])
              for r in more)))
    fewer = [r for r in results if r["ltocache"] < r["lld"]]
    print("verdict: early cutoff: ltocache recompiled fewer jobs than lld's "
          "cache in %d of %d edits (%d jobs against %d)" % (
              len(fewer), n, sum(r["ltocache"] for r in results),
              sum(r["lld"] for r in results)))
    s.phase("end")
    cpu = os.times()
    print("edit-suite: %.0f s, %.0f s of CPU (%s)" % (
        time.monotonic() - start,
        sum(cpu[i] - s.cpu_start[i] for i in range(4)),
        ", ".join("%s %.0f s" % kv for kv in s.cpu.items())))
    if s.failures:
        print("edit-suite: FAIL (%d failures)" % len(s.failures))
        for e, what in s.failures:
            print("FAIL: edit %d: %s" % (e, what))
        return 1
    print("edit-suite: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
