#!/usr/bin/env python3
"""corrupt_entry.py MODE FILE...: damages cache entries in place.

MODE: truncate (drop the last half), flip (invert one payload byte),
version (set the format version to 99), key (change one byte of the stored
key), garbage (replace everything with text).
"""
import sys

mode, files = sys.argv[1], sys.argv[2:]
for path in files:
    data = bytearray(open(path, "rb").read())
    if mode == "truncate":
        data = data[: len(data) // 2]
    elif mode == "flip":
        data[len(data) - 7] ^= 0xFF
    elif mode == "version":
        data[8:12] = (99).to_bytes(4, "little")
    elif mode == "key":
        data[20] ^= 0x01
    elif mode == "garbage":
        data = bytearray(b"not a cache entry\n")
    else:
        sys.exit("unknown mode " + mode)
    open(path, "wb").write(data)
