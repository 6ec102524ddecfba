#!/usr/bin/env python3
"""corrupt_entry.py MODE FILE...: damages cache entries in place.

MODE: truncate (drop the last half), flip (invert one payload byte),
version (set the format version to 99), key (change one byte of the stored
key), garbage (replace everything with text).

Entries are format 3 (the object, then a 96-byte trailer ending in the
magic) or, written by older releases, formats 1 and 2 (a header first).
"""
import sys

MAGIC = b"LTOCACHE"
TRAILER = 96

mode, files = sys.argv[1], sys.argv[2:]
for path in files:
    data = bytearray(open(path, "rb").read())
    trailer = data.endswith(MAGIC) and len(data) >= TRAILER
    # Where the key and the version are.
    key = len(data) - TRAILER if trailer else 16
    version = len(data) - 12 if trailer else 8
    if mode == "truncate":
        data = data[: len(data) // 2]
    elif mode == "flip":
        data[len(data) - TRAILER - 7 if trailer else len(data) - 7] ^= 0xFF
    elif mode == "version":
        data[version:version + 4] = (99).to_bytes(4, "little")
    elif mode == "key":
        data[key + 4] ^= 0x01
    elif mode == "garbage":
        data = bytearray(b"not a cache entry\n")
    else:
        sys.exit("unknown mode " + mode)
    open(path, "wb").write(data)
