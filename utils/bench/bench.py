#!/usr/bin/env python3
"""ltocache link benchmark.

Links one corpus several ways in the same run and reports wall time as
min/median/max over --repeat runs and peak memory (PSS summed over the whole
process tree: lld plus the distributor) as the median of --memory-runs
separate runs (sampling memory slows the link it samples), and the medians
as ratios to lld's in-process ThinLTO:

  lld                lld in-process ThinLTO, no cache
  lld-cache-cold     lld in-process with an empty --thinlto-cache-dir
  lld-cache-warm     the same directory again
  ltocache-cold      ltocache-dtlto, empty cache, default backend
  ltocache-cold-reused-dir
                     none of this link's objects in the cache, but the
                     directory was used before with the same compiler, so
                     its identity (the compiler's probe) is remembered and
                     its 2 x 256 shard directories exist: the usual cold
                     link (new code, cache already in use)
  ltocache-warm      the same cache again
  ltocache-process   ltocache-dtlto, empty cache, --backend=process
  dtlto-floor        lld's DTLTO with a distributor that does no work
                     (floor_distributor.c: it hard-links objects saved
                     from one untimed link): what lld's own DTLTO steps
                     cost, the least any DTLTO distributor, and so any
                     cache behind one, can take

With --baseline=DIR (another ltocache build, e.g. of an earlier commit), two
more rows compare versions in the same run, on the same corpus:

  baseline-cold      as ltocache-cold, with DIR's ltocache-dtlto
  baseline-warm      as ltocache-warm, with DIR's ltocache-dtlto (its own
                     cache directory)

Remote cache rows (ltocache-dtlto --remote=URL, each run from an empty local
cache; nginx with WebDAV PUT and fault_proxy.py from test/Inputs are started
once per benchmark run on 127.0.0.1, outside the timed links, and stop with
this script):

  ltocache-remote-cold     empty remote: every lookup misses, every object
                           is uploaded (within the default upload budget)
  ltocache-remote-hit      remote holding every object (filled once, untimed,
                           before the first repetition)
  ltocache-slow-remote     the same remote behind fault_proxy delay=1000:
                           every response comes 1 s late
  ltocache-dead-remote     fault_proxy "never": connections accepted, never
                           answered (default budgets)
  ltocache-refused-remote  http://127.0.0.1:1/, nothing listening

--scenarios takes row names and the groups "local" (the eight rows above the
remote ones) and "remote" (the five remote rows); the default is both. After
the table, the distributor's summary line of each ltocache row's last run.

Corpora: "leveldb" (db_bench, from Debian's leveldb source package, fetched
with apt-get source) and "generated" (--modules C++ modules; --sweep N,N,...
runs the generated corpus at each module count, a table each). --archives N
links them through static archives, as most builds do: db_bench against
libleveldb.a as leveldb's CMake build makes it, the generated modules in N
archives (lld names archive members with its process id, so a cache must
not key on their paths).

--results FILE keeps every run's times as JSON; --plot-dir DIR draws SVG
plots next to the tables (matplotlib): link time against module count for
lld, lld's warm cache, ltocache cold and warm and the DTLTO floor, and the
warm links relative to lld's warm cache; --plot-from FILE draws them from a
--results file without running anything.

  utils/bench/bench.py --build build --corpus leveldb --repeat 5
  utils/bench/bench.py --build build --corpus generated --modules 200
  utils/bench/bench.py --build build --scenarios lld,ltocache-cold,remote
  utils/bench/bench.py --build build --corpus leveldb --cflag=-g
  utils/bench/bench.py --build build --baseline=/tmp/build-old \
      --scenarios lld,ltocache-cold,ltocache-warm,baseline
  utils/bench/bench.py --build build --sweep 10,100,1000 --scenarios \
      lld,lld-cache-cold,lld-cache-warm,ltocache-cold,ltocache-warm,dtlto-floor \
      --results sweep.json --plot-dir docs/bench
"""
import argparse
import atexit
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_INPUTS = os.path.join(HERE, "..", "..", "test", "Inputs")

LOCAL_SCENARIOS = ["lld", "lld-cache-cold", "lld-cache-warm", "ltocache-cold",
                   "ltocache-cold-reused-dir", "ltocache-warm",
                   "ltocache-process", "dtlto-floor"]
REMOTE_SCENARIOS = ["ltocache-remote-cold", "ltocache-remote-hit",
                    "ltocache-slow-remote", "ltocache-dead-remote",
                    "ltocache-refused-remote"]
BASELINE_SCENARIOS = ["baseline-cold", "baseline-warm"]
GROUPS = {"local": LOCAL_SCENARIOS, "remote": REMOTE_SCENARIOS,
          "baseline": BASELINE_SCENARIOS}

LLVM = "/usr/lib/llvm-22/bin"
CLANGXX = os.path.join(LLVM, "clang++")
CLANG = os.path.join(LLVM, "clang")

LEVELDB_SOURCES = """db/builder.cc db/c.cc db/db_impl.cc db/db_iter.cc
db/dbformat.cc db/dumpfile.cc db/filename.cc db/log_reader.cc db/log_writer.cc
db/memtable.cc db/repair.cc db/table_cache.cc db/version_edit.cc
db/version_set.cc db/write_batch.cc table/block_builder.cc table/block.cc
table/filter_block.cc table/format.cc table/iterator.cc table/merger.cc
table/table_builder.cc table/table.cc table/two_level_iterator.cc
util/arena.cc util/bloom.cc util/cache.cc util/coding.cc util/comparator.cc
util/crc32c.cc util/env.cc util/env_posix.cc util/filter_policy.cc
util/hash.cc util/logging.cc util/options.cc util/status.cc
helpers/memenv/memenv.cc util/histogram.cc util/testutil.cc
benchmarks/db_bench.cc""".split()

PORT_CONFIG = """#pragma once
#define HAVE_FDATASYNC 1
#define HAVE_FULLFSYNC 0
#define HAVE_O_CLOEXEC 1
#define HAVE_CRC32C 0
#define HAVE_SNAPPY 0
"""

DEB_SRC = """Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def compile_all(jobs, cwd):
    """jobs: list of (argv, output); runs them nproc at a time."""
    procs = []
    for argv, out in jobs:
        if os.path.exists(os.path.join(cwd, out)):
            continue
        while len(procs) >= os.cpu_count():
            procs.pop(0).wait()
        procs.append(subprocess.Popen(argv, cwd=cwd))
    for p in procs:
        if p.wait():
            sys.exit("compile failed: %s" % p.args)


def leveldb_corpus(work, plugin, cflags):
    objs_dir, jobs, libs = leveldb_jobs(work, plugin, cflags)
    compile_all(jobs, objs_dir)
    return objs_dir, [out for _, out in jobs], libs


def leveldb_jobs(work, plugin, cflags):
    """Fetches leveldb's source if needed; returns (objects directory,
    [(compile argv, object)], link libraries) for db_bench."""
    src = os.path.join(work, "leveldb-src")
    if not os.path.isdir(src):
        if not any("deb-src" in open(os.path.join(d, f)).read()
                   for d in ["/etc/apt/sources.list.d"]
                   for f in os.listdir(d) if f.endswith((".list", ".sources"))):
            with open("/etc/apt/sources.list.d/ltocache-deb-src.sources",
                      "w") as f:
                f.write(DEB_SRC)
        sh(["apt-get", "update", "-q"])
        sh(["apt-get", "install", "-y", "-q", "--no-install-recommends",
            "dpkg-dev", "libgmock-dev", "libgtest-dev"])
        tmp = os.path.join(work, "fetch")
        os.makedirs(tmp, exist_ok=True)
        sh(["apt-get", "source", "-q", "leveldb"], cwd=tmp)
        top = [d for d in os.listdir(tmp) if d.startswith("leveldb-")
               and os.path.isdir(os.path.join(tmp, d))][0]
        os.rename(os.path.join(tmp, top), src)
    objs_dir = os.path.join(work, "leveldb-objs" + corpus_suffix(cflags))
    os.makedirs(os.path.join(objs_dir, "port"), exist_ok=True)
    with open(os.path.join(objs_dir, "port", "port_config.h"), "w") as f:
        f.write(PORT_CONFIG)
    jobs = []
    for s in LEVELDB_SOURCES:
        out = s.replace("/", "_").replace(".cc", ".o")
        jobs.append(([CLANGXX, "-std=c++17", "-O2", "-flto=thin"] + cflags +
                     ["-fplugin=" + plugin, "-DLEVELDB_PLATFORM_POSIX=1",
                      "-DLEVELDB_HAS_PORT_CONFIG_H=1", "-I", objs_dir,
                      "-I", src, "-I", os.path.join(src, "include"),
                      "-c", os.path.join(src, s), "-o", out], out))
    return objs_dir, jobs, ["-lgmock", "-lgtest", "-lpthread"]


# db_bench's own sources in leveldb's CMake build (leveldb_benchmark()): the
# rest is libleveldb.a.
LEVELDB_OUTSIDE_LIBRARY = ["benchmarks_db_bench.o", "util_histogram.o",
                           "util_testutil.o"]


def generated_main_all(cwd, plugin, modules, cflags):
    """main_all.o: a main that calls every module's work function, for links
    from archives (which take only the members something calls)."""
    src = os.path.join(cwd, "main_all.cpp")
    if not os.path.exists(src):
        with open(src, "w") as f:
            f.write("#include <cstdio>\n")
            f.write("".join("int work%d(int);\n" % i for i in range(modules)))
            f.write("int main(int c, char **) {\n  long s = 0;\n")
            f.write("".join("  s += work%d(100 + c);\n" % i
                            for i in range(modules)))
            f.write("  std::printf(\"%ld\\n\", s);\n}\n")
    compile_all([([CLANGXX, "-O2", "-flto=thin"] + cflags +
                  ["-fplugin=" + plugin, "-c", "main_all.cpp", "-o",
                   "main_all.o"], "main_all.o")], cwd)
    return "main_all.o"


def in_archives(cwd, objs, outside, archives):
    """The link's inputs with every object but those in outside put in the
    static archives named by archives' keys (made once with llvm-ar, as a
    build would): members go round-robin into the archives whose value is a
    number, or all into the one whose value is None."""
    names = sorted(archives)
    members = {a: [] for a in names}
    inside = [o for o in objs if o not in outside]
    for i, o in enumerate(inside):
        members[names[i % len(names)]].append(o)
    for a in names:
        path = os.path.join(cwd, a)
        stamp = path + ".members"
        want = "\n".join(members[a])
        if os.path.exists(path) and os.path.exists(stamp) and \
                open(stamp).read() == want:
            continue
        if os.path.exists(path):
            os.remove(path)
        sh([os.path.join(LLVM, "llvm-ar"), "rcs", a] + members[a], cwd=cwd)
        with open(stamp, "w") as f:
            f.write(want)
    return [o for o in objs if o in outside] + names


def corpus_suffix(cflags):
    """Objects built with other flags live in a directory of their own."""
    return "".join("_" + re.sub(r"[^A-Za-z0-9]+", "", f) for f in cflags)


def generated_corpus(work, plugin, modules, cflags):
    d, jobs = generated_jobs(work, plugin, modules, cflags)
    compile_all(jobs, d)
    return d, [out for _, out in jobs], []


def generated_jobs(work, plugin, modules, cflags):
    """Writes the generated corpus's sources; returns (its directory,
    [(compile argv, object)])."""
    d = os.path.join(work, "generated-%d" % modules + corpus_suffix(cflags))
    os.makedirs(d, exist_ok=True)
    jobs = []
    for i in range(modules):
        nxt = (i + 1) % modules
        path = os.path.join(d, "m%d.cpp" % i)
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(GENERATED_MODULE.replace("@I@", str(i))
                        .replace("@NEXT@", str(nxt)))
        jobs.append(([CLANGXX, "-O2", "-flto=thin"] + cflags +
                     ["-fplugin=" + plugin, "-c", "m%d.cpp" % i,
                      "-o", "m%d.o" % i], "m%d.o" % i))
    with open(os.path.join(d, "main.cpp"), "w") as f:
        f.write("#include <cstdio>\nint work0(int);\n"
                "int main(int c, char **) { std::printf(\"%d\\n\", "
                "work0(100 + c)); }\n")
    jobs.append(([CLANGXX, "-O2", "-flto=thin"] + cflags +
                 ["-fplugin=" + plugin, "-c", "main.cpp", "-o", "main.o"],
                 "main.o"))
    return d, jobs


GENERATED_MODULE = r"""
#include <algorithm>
#include <map>
#include <string>
#include <vector>
int work@NEXT@(int);
namespace {
struct Record { std::string Name; long Value; };
template <typename T> T mix(T v, int k) {
  for (int i = 0; i < 16; ++i) v = v * 31 + (k ^ i);
  return v;
}
std::vector<Record> build(int n) {
  std::vector<Record> out;
  for (int i = 0; i < n; ++i)
    out.push_back({"r" + std::to_string(i * @I@), mix<long>(i, @I@)});
  std::sort(out.begin(), out.end(),
            [](const Record &a, const Record &b) { return a.Value < b.Value; });
  return out;
}
}
int work@I@(int n) {
  std::map<std::string, long> index;
  for (const Record &r : build(n))
    index[r.Name] += r.Value;
  long s = 0;
  for (auto &kv : index) s ^= kv.second + long(kv.first.size());
  return int(s) + (n > 1 && @I@ != 0 ? work@NEXT@(n / 2) : 0);
}
"""


class TreeMemory:
    """Samples the memory of a process tree every 10 ms: the sum of each
    process's proportional set size (PSS), so pages of libLLVM mapped by
    both lld and the distributor count once."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def tree(self, pid):
        out = [pid]
        try:
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    for c in f.read().split():
                        out += self.tree(int(c))
        except OSError:
            pass
        return out

    def run(self):
        while not self.stop:
            total = 0
            for p in self.tree(self.pid):
                try:
                    with open("/proc/%d/smaps_rollup" % p) as f:
                        for line in f:
                            if line.startswith("Pss:"):
                                total += int(line.split()[1]) * 1024
                                break
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.01)

    def finish(self):
        self.stop = True
        self.thread.join()
        return self.peak


class RemoteServers:
    """nginx (WebDAV PUT, test/Inputs/with_nginx.py's configuration) and two
    fault_proxy.py processes in front of it, "delay=1000" and "never", all
    on free 127.0.0.1 ports. Started once per benchmark run; they die with
    this script (PR_SET_PDEATHSIG) and are stopped at exit."""

    def __init__(self, work):
        sys.path.insert(0, TEST_INPUTS)
        import with_nginx
        self.dir = os.path.join(work, "remote")
        self.www = os.path.join(self.dir, "www")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.www)
        self.procs = []
        atexit.register(self.stop)
        for attempt in range(5):
            port = with_nginx.free_port()
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                # More connections than the tests' 256, in case the client
                # ever opens more (it opens at most 16 per host today).
                f.write(with_nginx.CONF.format(d=self.dir, port=port).replace(
                    "worker_connections 256", "worker_connections 4096"))
            nginx = subprocess.Popen(["nginx", "-c", conf, "-p", self.dir],
                                     preexec_fn=with_nginx.die_with_parent)
            if with_nginx.wait_listening(port, nginx):
                break
            nginx.kill()
            nginx.wait()
        else:
            sys.exit("nginx did not start: see %s/error.log" % self.dir)
        self.procs.append(nginx)
        self.nginx = "http://127.0.0.1:%d" % port
        self.slow = self.proxy(port, "delay=1000")
        self.dead = self.proxy(port, "never")

    def proxy(self, upstream, spec):
        p = subprocess.Popen([sys.executable,
                              os.path.join(TEST_INPUTS, "fault_proxy.py"),
                              "serve", "--upstream=127.0.0.1:%d" % upstream,
                              "--fault=" + spec], stdout=subprocess.PIPE,
                             text=True)
        self.procs.append(p)
        url = p.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            sys.exit("fault_proxy.py %s did not start" % spec)
        return url

    def clear(self, prefix):
        shutil.rmtree(os.path.join(self.www, prefix), ignore_errors=True)

    def count(self, prefix):
        return sum(len(files) for _, _, files in
                   os.walk(os.path.join(self.www, prefix)))

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
        self.procs = []


# What write_plots draws: the link time of these rows against the module
# count (both axes logarithmic), and the warm links relative to lld's warm
# cache.
PLOTS = ["link-time.svg", "warm-vs-lld-cache.svg"]
PLOT_ROWS = [("lld", "lld, no cache"),
             ("lld-cache-warm", "lld, warm --thinlto-cache-dir"),
             ("ltocache-cold", "ltocache, empty cache"),
             ("ltocache-warm", "ltocache, warm cache"),
             ("dtlto-floor", "DTLTO floor (a distributor doing nothing)")]


def write_plots(runs, plot_dir):
    """Draws PLOTS from runs (bench_corpus's results, any number of module
    counts) as SVG files in plot_dir; returns their paths. Each point is the
    median of a row's timed runs, with a bar from its min to its max."""
    try:
        import matplotlib
    except ImportError:
        sys.exit("plots need matplotlib: apt-get install python3-matplotlib, "
                 "and run this script with Debian's python3 (/usr/bin/python3)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter
    # Text stays text (searchable, small); no date or random ids in the
    # file, so a plot of the same figures is the same file.
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "ltocache"
    runs = sorted(runs, key=lambda r: r["modules"])
    os.makedirs(plot_dir, exist_ok=True)

    def series(row):
        pts = [(r["modules"], r["rows"][row]["times"]) for r in runs
               if r["rows"].get(row, {}).get("times")]
        return ([m for m, _ in pts], [statistics.median(t) for _, t in pts],
                [min(t) for _, t in pts], [max(t) for _, t in pts])

    title = "%s, %s" % (runs[0]["name"].split(" (")[0],
                        "%d to %d modules" % (runs[0]["modules"],
                                              runs[-1]["modules"])
                        if len(runs) > 1 else "%d modules" % runs[0]["modules"])
    plain = FuncFormatter(lambda v, _: "%g" % v)
    # Between powers of ten, label 2x and 5x only.
    two_five = FuncFormatter(lambda v, _: "%g" % v if v > 0 and round(
        v / 10 ** math.floor(math.log10(v)), 6) in (2, 5) else "")
    colour = {row: "C%d" % k for k, (row, _) in enumerate(PLOT_ROWS)}

    def module_axis(ax):
        # The module counts measured, as plain numbers.
        ax.set_xscale("log")
        ax.set_xticks([r["modules"] for r in runs])
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("modules (backend jobs)")

    paths = []

    def finish(fig, ax, ylabel, title, name):
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
        fig.tight_layout()
        paths.append(os.path.join(plot_dir, name))
        fig.savefig(paths[-1], metadata={"Date": None})
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for row, label in PLOT_ROWS:
        x, med, lo, hi = series(row)
        if not x:
            continue
        ax.errorbar(x, med, yerr=[[m - l for m, l in zip(med, lo)],
                                  [h - m for m, h in zip(med, hi)]],
                    marker="o", capsize=3, label=label, color=colour[row])
    module_axis(ax)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(two_five)
    finish(fig, ax, "link time, s (median; bars: min to max)",
           "Link time: " + title, PLOTS[0])

    fig, ax = plt.subplots(figsize=(7, 4.5))
    bx, base, _, _ = series("lld-cache-warm")
    for row, label in PLOT_ROWS:
        if row in ("lld", "lld-cache-warm", "ltocache-cold"):
            continue
        x, med, _, _ = series(row)
        pts = [(m, v / base[bx.index(m)]) for m, v in zip(x, med) if m in bx]
        if pts:
            ax.plot([m for m, _ in pts], [v for _, v in pts], marker="o",
                    label=label, color=colour[row])
    ax.axhline(1.0, color=colour["lld-cache-warm"], linewidth=1,
               label="lld, warm --thinlto-cache-dir")
    module_axis(ax)
    finish(fig, ax, "warm link time / lld's warm cache (medians)",
           "Warm links: " + title, PLOTS[1])
    return paths


def build_floor_distributor(work):
    """Compiles floor_distributor.c into work (static: its own start-up must
    not hide what lld's DTLTO steps cost)."""
    exe = os.path.join(work, "floor_distributor")
    sh([CLANG, "-O2", "-static", "-o", exe,
        os.path.join(HERE, "floor_distributor.c")])
    return exe


def summary(err):
    """The distributor's summary line in a link's stderr."""
    lines = [l for l in err.splitlines() if re.match(r"ltocache: \d+ jobs", l)]
    return lines[-1].strip() if lines else "(no summary line)"


def timed(argv, cwd, env=None, sample_memory=False):
    """(wall seconds, peak PSS or None, stderr, CPU seconds). Memory is
    sampled only when asked: reading every process's smaps_rollup every 10 ms
    costs CPU that the link then lacks (more so for ltocache's three
    processes than for lld's two), so timed runs and memory runs are
    separate. CPU is user + system time of the link's whole process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(p.pid) if sample_memory else None
    _, err = p.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = mem.finish() if mem else None
    if p.returncode:
        sys.exit("link failed: %s\n%s" % (" ".join(argv), err))
    return elapsed, peak, err, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build", help="ltocache build dir")
    ap.add_argument("--corpus", choices=["leveldb", "generated"],
                    default="leveldb")
    ap.add_argument("--modules", type=int, default=100)
    ap.add_argument("--sweep", metavar="N,N,...",
                    help="the generated corpus at each of these module "
                    "counts, one table each (implies --corpus generated)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="timed runs per row")
    ap.add_argument("--memory-runs", type=int, default=3,
                    help="runs per row with peak memory sampled (not timed)")
    ap.add_argument("--work", default="/tmp/ltocache-bench")
    ap.add_argument("--archives", type=int, default=0, metavar="N",
                    help="link through static archives: leveldb's db_bench "
                    "against libleveldb.a as its CMake build makes it (any "
                    "N > 0), the generated corpus's modules in N archives")
    ap.add_argument("--cflag", action="append", default=[],
                    help="an extra flag for compiling the corpus, e.g. -g "
                    "(repeatable; such objects get a directory of their own)")
    ap.add_argument("--scenarios", default="local,remote",
                    help="comma-separated rows and groups: local = %s; "
                    "remote = %s; baseline = %s (needs --baseline)" % (
                        ",".join(LOCAL_SCENARIOS), ",".join(REMOTE_SCENARIOS),
                        ",".join(BASELINE_SCENARIOS)))
    ap.add_argument("--baseline", metavar="DIR",
                    help="another ltocache build directory, for the "
                    "baseline rows")
    ap.add_argument("--results", metavar="FILE",
                    help="also write every run's times as JSON (the input "
                    "of --plot-from)")
    ap.add_argument("--plot-dir", metavar="DIR",
                    help="write SVG plots of the results there: %s" %
                    ", ".join(PLOTS))
    ap.add_argument("--plot-from", metavar="FILE",
                    help="plot a --results file into --plot-dir; run nothing")
    args = ap.parse_args()
    if args.plot_from:
        if not args.plot_dir:
            ap.error("--plot-from needs --plot-dir")
        with open(args.plot_from) as f:
            runs = json.load(f)["runs"]
        for path in write_plots(runs, args.plot_dir):
            print("wrote", path)
        return
    chosen = []
    for s in args.scenarios.split(","):
        for t in GROUPS.get(s, [s]):
            if t not in LOCAL_SCENARIOS + REMOTE_SCENARIOS + \
                    BASELINE_SCENARIOS:
                ap.error("unknown scenario %r" % t)
            if t in BASELINE_SCENARIOS and not args.baseline:
                ap.error("%s needs --baseline" % t)
            if t not in chosen:
                chosen.append(t)
    sizes = None
    if args.sweep:
        try:
            sizes = [int(n) for n in args.sweep.split(",")]
        except ValueError:
            ap.error("--sweep takes module counts: %r" % args.sweep)
        args.corpus = "generated"

    build = os.path.abspath(args.build)
    plugin = os.path.join(build, "lib", "LTOCacheClang.so")
    dtlto = os.path.join(build, "bin", "ltocache-dtlto")
    os.makedirs(args.work, exist_ok=True)
    corpora = []
    if args.corpus == "leveldb":
        cwd, objs, libs = leveldb_corpus(args.work, plugin, args.cflag)
        name = "leveldb db_bench (%d modules)" % len(objs)
        modules = len(objs)
        if args.archives:
            objs = in_archives(cwd, objs, LEVELDB_OUTSIDE_LIBRARY,
                               {"libleveldb.a": None})
            name += ", linked with libleveldb.a"
        corpora.append((cwd, objs, libs, name, modules))
    else:
        for n in sizes or [args.modules]:
            cwd, objs, libs = generated_corpus(args.work, plugin, n,
                                               args.cflag)
            name = "generated (%d modules)" % len(objs)
            modules = len(objs)
            if args.archives:
                # main.o reaches work0 only (its call of work1 folds away):
                # from archives, only what a main calls is linked.
                objs = [generated_main_all(cwd, plugin, n, args.cflag)] + \
                    in_archives(cwd, [o for o in objs if o != "main.o"], [],
                                {"libgen%d.a" % k: k
                                 for k in range(args.archives)})
                name += ", in %d archives" % args.archives
            corpora.append((cwd, objs, libs, name, modules))
    servers = []  # One set of remote servers per benchmark run.
    runs = []
    for k, (cwd, objs, libs, name, modules) in enumerate(corpora):
        if args.cflag:
            name += ", compiled with " + " ".join(args.cflag)
        if k:
            print()
        runs.append(bench_corpus(args, chosen, dtlto, cwd, objs, libs, name,
                                 modules, servers))
    if args.results:
        with open(args.results, "w") as f:
            json.dump({"command": sys.argv, "cores": os.cpu_count(),
                       "runs": runs}, f, indent=1)
    if args.plot_dir:
        print()
        for path in write_plots(runs, args.plot_dir):
            print("Plot: `%s`" % path)


def bench_corpus(args, chosen, dtlto, cwd, objs, libs, name, modules,
                 servers):
    """Runs the chosen rows on one corpus and prints its table; returns the
    run's times: {"name", "modules", "rows": {row: {"times", "cpu",
    "pss"}}} (seconds, seconds, bytes)."""
    link = [CLANGXX, "-O2", "-flto=thin", "-fuse-ld=lld", "-o", "out"] + \
        objs + libs
    lld_cache = os.path.join(args.work, "lld-cache")
    lto_cache = os.path.join(args.work, "ltocache-cache")
    # Remote rows use their own local cache, emptied before each run, so
    # that they cannot disturb ltocache-warm whatever the order of rows.
    remote_local = os.path.join(args.work, "ltocache-remote-local")

    def dist(extra=(), cache=lto_cache):
        return ["-fthinlto-distributor=" + dtlto,
                "-Xthinlto-distributor=--cache-dir=" + cache] + \
            ["-Xthinlto-distributor=" + e for e in extra]

    def fresh(*paths):
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    kept_memo = os.path.join(args.work, "toolchain-memo")
    fresh(kept_memo)  # The compiler may have changed since the last run.

    def cold_reused_dir():
        memo = os.path.join(lto_cache, "v1", "toolchains")
        if not os.path.isdir(kept_memo):
            if not os.path.isdir(memo):
                # Untimed: only to learn the compiler's identity once.
                fresh(lto_cache)
                timed(link + dist(), cwd)
            shutil.copytree(memo, kept_memo)
        fresh(lto_cache)
        shutil.copytree(kept_memo, memo)
        # A cache in use has every shard directory (256 per area once it
        # holds a few thousand keys): the link does not create them.
        for area in ("entries", "memo"):
            for shard in range(256):
                os.makedirs(os.path.join(lto_cache, "v1", area,
                                         "%02x" % shard))

    floor_objs = os.path.join(args.work, "floor-objects")
    floor = os.path.join(args.work, "floor_distributor")
    if "dtlto-floor" in chosen:
        floor = build_floor_distributor(args.work)
        # Untimed, once per benchmark run: the objects the floor links,
        # compiled by ltocache into a cache of their own.
        fill_cache = os.path.join(args.work, "floor-fill-cache")
        fresh(fill_cache, floor_objs)
        os.makedirs(floor_objs)
        timed(link + ["-fthinlto-distributor=" + floor] +
              ["-Xthinlto-distributor=" + a
               for a in ("--fill", floor_objs, dtlto,
                         "--cache-dir=" + fill_cache)], cwd)
        fresh(fill_cache)

    # name -> (prepare, argv)
    base_cache = os.path.join(args.work, "baseline-cache")
    base_dtlto = os.path.join(os.path.abspath(args.baseline or "."), "bin",
                              "ltocache-dtlto")

    def base_dist():
        return ["-fthinlto-distributor=" + base_dtlto,
                "-Xthinlto-distributor=--cache-dir=" + base_cache]
    scenarios = {
        "baseline-cold": (lambda: fresh(base_cache), link + base_dist()),
        "baseline-warm": (lambda: None, link + base_dist()),
        "lld": (lambda: None, link),
        "lld-cache-cold": (lambda: fresh(lld_cache),
                           link + ["-Wl,--thinlto-cache-dir=" + lld_cache]),
        "lld-cache-warm": (lambda: None,
                           link + ["-Wl,--thinlto-cache-dir=" + lld_cache]),
        "ltocache-cold": (lambda: fresh(lto_cache), link + dist()),
        "ltocache-cold-reused-dir": (cold_reused_dir, link + dist()),
        "ltocache-warm": (lambda: None, link + dist()),
        "ltocache-process": (lambda: fresh(lto_cache),
                             link + dist(["--backend=process"])),
        "dtlto-floor": (lambda: None,
                        link + ["-fthinlto-distributor=" + floor,
                                "-Xthinlto-distributor=" + floor_objs]),
    }
    filled = None
    if any(s in REMOTE_SCENARIOS for s in chosen):
        if not servers:
            servers.append(RemoteServers(args.work))
        srv = servers[0]

        def remote(url):
            return link + dist(["--remote=" + url], remote_local)

        def cold_remote():
            fresh(remote_local)
            srv.clear("cold")
        scenarios.update({
            "ltocache-remote-cold": (cold_remote, remote(srv.nginx + "/cold")),
            "ltocache-remote-hit": (lambda: fresh(remote_local),
                                    remote(srv.nginx + "/hit")),
            "ltocache-slow-remote": (lambda: fresh(remote_local),
                                     remote(srv.slow + "/hit")),
            "ltocache-dead-remote": (lambda: fresh(remote_local),
                                     remote(srv.dead + "/dead")),
            "ltocache-refused-remote": (lambda: fresh(remote_local),
                                        remote("http://127.0.0.1:1/")),
        })
        if {"ltocache-remote-hit", "ltocache-slow-remote"} & set(chosen):
            # Fill the remote once, untimed: a cold link from an empty local
            # cache with an upload budget that lets every upload finish.
            fill = os.path.join(args.work, "ltocache-remote-fill")
            fresh(fill)
            srv.clear("hit")
            _, _, err, _ = timed(link + dist(["--remote=" + srv.nginx + "/hit",
                                           "--remote-upload-budget=600000"],
                                          fill), cwd)
            fresh(fill)
            filled = summary(err)
            if srv.count("hit") < modules:
                print("warning: the remote holds %d entries after filling, "
                      "fewer than the %d modules" % (srv.count("hit"),
                                                     modules),
                      file=sys.stderr)
    results = {s: [] for s in chosen}
    peaks = {s: [] for s in chosen}
    for r in range(args.repeat):
        for s in chosen:
            prepare, argv = scenarios[s]
            prepare()
            results[s].append(timed(argv, cwd))
    for r in range(args.memory_runs):
        for s in chosen:
            prepare, argv = scenarios[s]
            prepare()
            peaks[s].append(timed(argv, cwd, sample_memory=True)[1])
    print("## %s, %d timed runs each (+%d for memory), %d cores" % (
        name, args.repeat, args.memory_runs, os.cpu_count()))
    print()
    print("    " + " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]))
    print()
    print("| link | time min / median / max (s) | time vs lld | "
          "time vs lld warm cache | CPU median (s) | CPU vs lld | "
          "peak PSS median (MiB) | PSS vs lld |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    med = {s: statistics.median(r[0] for r in results[s]) for s in chosen}
    cpu = {s: statistics.median(r[3] for r in results[s]) for s in chosen}
    mem = {s: statistics.median(peaks[s]) for s in chosen if peaks[s]}
    for s in chosen:
        times = [r[0] for r in results[s]]
        vs_lld = ("%.2fx" % (med[s] / med["lld"])) if "lld" in med else "-"
        vs_warm = ("%.2fx" % (med[s] / med["lld-cache-warm"])
                   if "lld-cache-warm" in med else "-")
        cpu_lld = ("%.2fx" % (cpu[s] / cpu["lld"])) if "lld" in cpu else "-"
        pss = "%.0f" % (mem[s] / 1048576) if s in mem else "-"
        vs_mem = ("%.2fx" % (mem[s] / mem["lld"])
                  if s in mem and "lld" in mem else "-")
        print("| %s | %.3f / %.3f / %.3f | %s | %s | %.2f | %s | %s | %s |" % (
            s, min(times), med[s], max(times), vs_lld, vs_warm, cpu[s],
            cpu_lld, pss, vs_mem))
    rows = [s for s in chosen if s.startswith(("ltocache", "baseline"))]
    if rows:
        print()
        print("Distributor summary of each ltocache row's last run:")
        print()
        for s in rows:
            print("- %s: `%s`" % (s, summary(results[s][-1][2])))
    if filled:
        print()
        print("The remote was filled before the first repetition (untimed, "
              "upload budget 600 s): `%s`" % filled)

    return {"name": name, "modules": modules,
            "rows": {s: {"times": [r[0] for r in results[s]],
                         "cpu": [r[3] for r in results[s]],
                         "pss": peaks[s]} for s in chosen}}

if __name__ == "__main__":
    main()
