#!/usr/bin/env python3
"""remote_objects.py DIR: the files under DIR (a remote's storage) that hold
objects, sorted, one per line: a remote also holds key inputs (job memos,
compilers' identities), which are not objects (an entry's payload comes
first; an object's is ELF)."""
import os
import sys

found = []
for top, _, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(top, name)
        with open(path, "rb") as f:
            if f.read(4) == b"\x7fELF":
                found.append(path)
print("\n".join(sorted(found)))
