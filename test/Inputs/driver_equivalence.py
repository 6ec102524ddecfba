#!/usr/bin/env python3
"""driver_equivalence.py WORKDIR: links the C test programs with
--backend=process and --backend=in-process into separate caches, with the
remote compiler changed the ways clang's driver allows besides its
arguments, and checks for each that

  - both backends made byte-identical objects (same keys, same payloads)
    and binaries,
  - the in-process backend was used, without a warning,
  - the setting took effect: the objects differ from a plain link's
    (except where the setting must not change them: a bare launcher).

Settings: a default configuration file beside the compiler (a copy of the
stock clang) pulling in another; CCC_OVERRIDE_OPTIONS; a launcher
(/usr/bin/env clang), plain and setting the compiler's environment; a
response file.
"""
import glob
import os
import shutil
import subprocess
import sys

clang = os.environ["LTOCACHE_TEST_CLANG"]
plugin = os.environ["LTOCACHE_TEST_CLANG_PLUGIN"]
dtlto = os.environ["LTOCACHE_TEST_DTLTO"]
progs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "progs")
work = sys.argv[1]
TRAILER = 96  # an ltocache entry is the object, then this (docs/KEYS.md)


def run(cmd, cwd, env=None):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode:
        sys.exit("FAILED: %s\n%s" % (" ".join(cmd), p.stderr))
    return p.stderr


def payloads(cache):
    out = {}
    for path in glob.glob(os.path.join(cache, "v1", "entries", "*", "*")):
        entry = open(path, "rb").read()
        assert entry.endswith(b"LTOCACHE"), path
        out[os.path.basename(path)] = entry[:-TRAILER]
    return out


os.makedirs(work, exist_ok=True)
objs = []
for src in ["shared.c", "util.c", "prog_a.c"]:
    obj = src[:-2] + ".o"
    run([clang, "-flto=thin", "-fplugin=" + plugin, "-O2", "-c",
         os.path.join(progs, src), "-I", progs, "-o", obj], work)
    objs.append(obj)

# A copy of the stock clang in a directory of its own, its libraries beside.
tc = os.path.join(work, "tc")
os.makedirs(os.path.join(tc, "bin"))
os.makedirs(os.path.join(tc, "lib"))
shutil.copy2(clang, os.path.join(tc, "bin", "clang"))
libdir = os.path.join(os.path.dirname(os.path.dirname(clang)), "lib")
for lib in glob.glob(os.path.join(libdir, "libclang-cpp.so.*")) + \
        glob.glob(os.path.join(libdir, "libLLVM.so.*")):
    os.symlink(lib, os.path.join(tc, "lib", os.path.basename(lib)))
plain_tc = os.path.join(work, "tc-plain")
shutil.copytree(tc, plain_tc, symlinks=True)
with open(os.path.join(tc, "bin", "clang.cfg"), "w") as f:
    f.write("# backend options\n-mrelax-all @more.cfg\n")
with open(os.path.join(tc, "bin", "more.cfg"), "w") as f:
    f.write("-fno-unroll-loops\n")
with open(os.path.join(work, "opts.rsp"), "w") as f:
    f.write("-mrelax-all\n-fno-vectorize\n")

# name -> (remote compiler, lld flags, environment, plain, must differ)
env = dict(os.environ)
scenarios = [
    ("configuration file", os.path.join(tc, "bin", "clang"), [], env,
     os.path.join(plain_tc, "bin", "clang"), True),
    ("CCC_OVERRIDE_OPTIONS", clang, [],
     dict(env, CCC_OVERRIDE_OPTIONS="# +-mrelax-all +-fno-vectorize"), clang,
     True),
    ("launcher", "/usr/bin/env", ["-Wl,--thinlto-remote-compiler-prepend-arg=clang"],
     env, clang, False),
    ("launcher setting the environment", "/usr/bin/env",
     ["-Wl,--thinlto-remote-compiler-prepend-arg=CCC_OVERRIDE_OPTIONS=#+-fno-unroll-loops",
      "-Wl,--thinlto-remote-compiler-prepend-arg=clang"], env, clang, True),
    ("response file", clang,
     ["-Wl,--thinlto-remote-compiler-arg=@" + os.path.join(work, "opts.rsp")],
     env, clang, True),
]

failures = 0
for n, (name, remote, flags, link_env, plain, differs) in enumerate(scenarios):
    got = {}
    for backend in ["process", "in-process", "plain"]:
        cache = os.path.join(work, "cache%d-%s" % (n, backend))
        out = "bin%d-%s" % (n, backend)
        cmd = [clang, "-flto=thin", "-fuse-ld=lld", "-O2"] + objs + \
            ["-o", out, "-Wl,--thinlto-distributor=" + dtlto,
             "-Wl,--thinlto-distributor-arg=--cache-dir=" + cache]
        if backend == "plain":
            cmd += ["-Wl,--thinlto-remote-compiler=" + plain]
            e = env
        else:
            cmd += ["-Wl,--thinlto-remote-compiler=" + remote] + flags + \
                ["-Wl,--thinlto-distributor-arg=--backend=" + backend]
            e = link_env
        err = run(cmd, work, e)
        if backend != "plain" and "(%s)" % backend not in err:
            print("FAILURE %s: backend %s was not used: %s" % (name, backend, err))
            failures += 1
        if backend == "in-process" and "warning:" in err:
            print("FAILURE %s: %s" % (name, err))
            failures += 1
        got[backend] = (payloads(cache),
                        open(os.path.join(work, out), "rb").read())
    (a, abin), (b, bbin), (p, _) = got["process"], got["in-process"], got["plain"]
    if not a or a.keys() != b.keys():
        print("FAILURE %s: different keys" % name)
        failures += 1
    elif any(a[k] != b[k] for k in a) or abin != bbin:
        print("FAILURE %s: the backends' objects differ" % name)
        failures += 1
    elif differs == (sorted(a.values()) == sorted(p.values())):
        print("FAILURE %s: the objects %s a plain link's" %
              (name, "are" if differs else "are not"))
        failures += 1
    else:
        print("identical: %s, %d objects%s" %
              (name, len(a), ", not a plain link's" if differs else ""))
print("%d settings, %d failures" % (len(scenarios), failures))
sys.exit(1 if failures else 0)
