#!/usr/bin/env python3
"""big_module.py NAME OUT.c: a C module whose object is well over 64 KiB.
   big_module.py --main NAME,NAME... OUT.c: a main() that calls them.

NAME defines `int NAME(int i)`, which reads one element of each of eight
4096-entry tables: the tables survive optimisation, so the object's size
does not depend on the optimiser's mood.
"""
import sys

name, out = sys.argv[1], sys.argv[2]
if name == "--main":
    names, out = sys.argv[2].split(","), sys.argv[3]
    with open(out, "w") as f:
        f.write("#include <stdio.h>\n")
        f.write("".join("int %s(int);\n" % n for n in names))
        f.write("int main(int argc, char **argv) {\n  int s = 0;\n")
        f.write("".join("  s ^= %s(argc + %d);\n" % (n, i)
                        for i, n in enumerate(names)))
        f.write('  printf("%d\\n", s);\n  return 0;\n}\n')
    sys.exit(0)
seed = sum(map(ord, name))
with open(out, "w") as f:
    for t in range(8):
        values = ",".join(str((seed * 7919 + t * 104729 + i * 2654435761)
                              % 2147483647) for i in range(4096))
        f.write("static const int %s_t%d[4096] = {%s};\n" % (name, t, values))
    f.write("int %s(int i) {\n  int s = 0;\n" % name)
    for t in range(8):
        f.write("  s ^= %s_t%d[(i * %d) & 4095];\n" % (name, t, t + 1))
    f.write("  return s;\n}\n")
