#!/usr/bin/env python3
"""with_xfs.py DIR -- CMD...: runs CMD with a fresh-or-kept XFS mounted.

The filesystem lives in DIR/xfs.img (created on first use, 300 MiB sparse,
reflink on) and is mounted on DIR/mnt for the duration of CMD only, so a
failing test never leaves a mount behind. "{mnt}" in CMD's arguments becomes
the mount point. Exits with CMD's status. Needs root and loop devices (lit
feature "xfs-reflink").
"""
import os
import subprocess
import sys


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    at = sys.argv.index("--")
    work, cmd = os.path.abspath(sys.argv[1]), sys.argv[at + 1:]
    image, mnt = os.path.join(work, "xfs.img"), os.path.join(work, "mnt")
    os.makedirs(mnt, exist_ok=True)
    if not os.path.exists(image):
        with open(image, "wb") as f:
            f.truncate(300 << 20)
        subprocess.run(["mkfs.xfs", "-q", "-m", "reflink=1", image],
                       check=True)
    subprocess.run(["mount", "-o", "loop", image, mnt], check=True)
    try:
        cmd = [a.replace("{mnt}", mnt) for a in cmd]
        status = subprocess.call(cmd)
    finally:
        if subprocess.call(["umount", mnt]) != 0:
            subprocess.call(["umount", "-l", mnt])
    sys.exit(status)


if __name__ == "__main__":
    main()
