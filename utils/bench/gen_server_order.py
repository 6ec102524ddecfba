#!/usr/bin/env python3
"""gen_server_order.py [--build DIR] [--work DIR]: rewrites
lld-plugin/inprocess/ltocache-compile.order.gz, the functions the compile
server runs, which its link places together (see that directory's
CMakeLists.txt).

Links the benchmark's leveldb corpus (bench.py fetches and builds it) once
with --backend=in-process and the server under callgrind, which records
every function executed, and keeps those defined in the server. Needs
valgrind (apt-get install valgrind); takes a few minutes. Run it when the
LLVM release changes; a stale list costs memory, never correctness.
"""
import argparse
import glob
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bench  # noqa: E402


def executed_functions(callgrind_out):
    """Function names in order of first appearance; callgrind compresses
    repeats as fn=(id)."""
    names, order = {}, []
    for line in open(callgrind_out, errors="replace"):
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m and m.group(2) is not None and m.group(1) not in names:
            names[m.group(1)] = m.group(2)
            order.append(m.group(2))
    return order


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default="/tmp/ltocache-bench")
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("needs valgrind: apt-get install valgrind")
    build = os.path.abspath(args.build)
    server = os.path.join(build, "bin", "ltocache-compile")
    dtlto = os.path.join(build, "bin", "ltocache-dtlto")
    plugin = os.path.join(build, "lib", "LTOCacheClang.so")
    cwd, objs, libs = bench.leveldb_corpus(args.work, plugin)

    with tempfile.TemporaryDirectory() as tmp:
        # Valgrind 3.19 cannot read clang's DWARF 5: profile a copy without.
        plain = os.path.join(tmp, "ltocache-compile")
        subprocess.run(["strip", "--strip-debug", "-o", plain, server],
                       check=True)
        wrapper = os.path.join(tmp, "server.sh")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no "
                    "--callgrind-out-file=%s/cg.%%p %s \"$@\" 2>%s/cg.log\n"
                    % (tmp, plain, tmp))
        os.chmod(wrapper, 0o755)
        subprocess.run(
            [bench.CLANGXX, "-O2", "-flto=thin", "-fuse-ld=lld", "-o",
             os.path.join(tmp, "a.out")] + objs + libs +
            ["-fthinlto-distributor=" + dtlto,
             "-Xthinlto-distributor=--cache-dir=" + os.path.join(tmp, "c"),
             "-Xthinlto-distributor=--backend=in-process",
             "-Xthinlto-distributor=--compile-server=" + wrapper],
            cwd=cwd, check=True)
        outs = glob.glob(os.path.join(tmp, "cg.*[0-9]"))
        if len(outs) != 1:
            sys.exit("expected one callgrind profile, found %d" % len(outs))
        order = executed_functions(outs[0])

    nm = subprocess.run(["nm", server], capture_output=True, text=True,
                        check=True).stdout
    defined = {f[2] for f in (l.split() for l in nm.splitlines())
               if len(f) == 3 and f[1] in "tTwW"}
    kept = [n for n in order if n in defined]
    dest = os.path.join(ROOT, "lld-plugin", "inprocess",
                        "ltocache-compile.order.gz")
    # mtime=0: the same profile gives the same bytes.
    with open(dest, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(("\n".join(kept) + "\n").encode())
    print("%s: %d functions" % (dest, len(kept)))


if __name__ == "__main__":
    main()
