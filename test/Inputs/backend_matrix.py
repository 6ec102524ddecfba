#!/usr/bin/env python3
"""backend_matrix.py WORKDIR: links the test programs across a matrix of
settings with --backend=process and --backend=in-process into separate
caches, then checks that every job produced byte-identical objects (the
payloads of same-key entries) and identical binaries.

Matrix: C and C++; -O0..-O3 (compile and link); PIC and non-PIC; debug info
on and off; plus a sample-profile configuration.
"""
import itertools
import os
import subprocess
import sys

clang = os.environ["LTOCACHE_TEST_CLANG"]
plugin = os.environ["LTOCACHE_TEST_CLANG_PLUGIN"]
dtlto = os.environ["LTOCACHE_TEST_DTLTO"]
progs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "progs")
work = sys.argv[1]

PROGRAMS = {"c": ["shared.c", "util.c", "prog_a.c"],
            "cxx": ["shapes.cpp", "prog_cxx.cpp"]}
TRAILER = 96  # an ltocache entry is the object, then this (docs/KEYS.md)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode:
        sys.exit("FAILED: %s\n%s" % (" ".join(cmd), p.stderr))
    return p.stderr


def payloads(cache):
    out = {}
    root = os.path.join(cache, "v1", "entries")
    for d, _, files in os.walk(root):
        for f in files:
            entry = open(os.path.join(d, f), "rb").read()
            assert entry.endswith(b"LTOCACHE"), f
            out[f] = entry[:-TRAILER]
    return out


configs = []
for lang, opt, pic, debug in itertools.product(
        ["c", "cxx"], ["-O0", "-O1", "-O2", "-O3"], ["-fPIC", "-fno-pic"],
        ["", "-g"]):
    configs.append((lang, opt, pic, debug, None))
configs.append(("c", "-O2", "-fPIC", "", "sample"))

failures = 0
for n, (lang, opt, pic, debug, profile) in enumerate(configs):
    d = os.path.join(work, "cfg%d" % n)
    os.makedirs(d, exist_ok=True)
    flags = [opt, pic] + ([debug] if debug else [])
    link_flags = ["-no-pie"] if pic == "-fno-pic" else []
    remote = []
    if profile:
        prof = os.path.join(d, "prof.txt")
        open(prof, "w").write("util_sum:5000:10\n 1: 1000\n 2: 1000\n"
                              "main:100:1\n 1: 10\n")
        flags.append("-fprofile-sample-use=" + prof)
        remote = ["-Wl,--thinlto-remote-compiler-arg=-fprofile-sample-use=" +
                  prof]
    objs = []
    for src in PROGRAMS[lang]:
        obj = src.rsplit(".", 1)[0] + ".o"
        run([clang, "-flto=thin", "-fplugin=" + plugin] + flags +
            ["-c", os.path.join(progs, src), "-I", progs, "-o", obj], d)
        objs.append(obj)
    libs = ["-lstdc++", "-lm"] if lang == "cxx" else []
    bins = {}
    for backend in ["process", "in-process"]:
        cache = os.path.join(d, "cache-" + backend)
        err = run([clang, "-flto=thin", "-fuse-ld=lld", opt] + link_flags +
                  remote + objs + libs +
                  ["-o", "bin-" + backend,
                   "-Wl,--thinlto-distributor=" + dtlto,
                   "-Wl,--thinlto-remote-compiler=" + clang,
                   "-Wl,--thinlto-distributor-arg=--cache-dir=" + cache,
                   "-Wl,--thinlto-distributor-arg=--backend=" + backend], d)
        if "(%s)" % backend not in err:
            print("FAILURE cfg%d: backend %s was not used: %s" %
                  (n, backend, err))
            failures += 1
        bins[backend] = open(os.path.join(d, "bin-" + backend), "rb").read()
    a = payloads(os.path.join(d, "cache-process"))
    b = payloads(os.path.join(d, "cache-in-process"))
    desc = " ".join([lang, opt, pic] + ([debug] if debug else []) +
                    (["sample-profile"] if profile else []))
    if not a or a.keys() != b.keys():
        print("FAILURE cfg%d (%s): different keys" % (n, desc))
        failures += 1
    elif any(a[k] != b[k] for k in a):
        print("FAILURE cfg%d (%s): objects differ" % (n, desc))
        failures += 1
    elif bins["process"] != bins["in-process"]:
        print("FAILURE cfg%d (%s): binaries differ" % (n, desc))
        failures += 1
    else:
        print("identical: cfg%d (%s), %d objects" % (n, desc, len(a)))
print("%d configurations, %d failures" % (len(configs), failures))
sys.exit(1 if failures else 0)
