#!/usr/bin/env python3
"""shared_group.py DIR --clang=CLANG --dtlto=DTLTO: a cache directory shared
by a Unix group, with real users (run as root). Creates a group, two
members and one outsider (removed at the end, whatever happens), a setgid
cache directory DIR/cache (2770, owned by the group) as README's set-up
says, and a sticky directory DIR/sticky (1777, like /tmp) for the outputs.
DIR holds the objects of build-progs.sh and the references a.ref, b.ref.

Then, with LTOCACHE_UMASK=002 for the members:
  1. member A links prog_a cold (publishes);
  2. member B links prog_a warm (hits A's entries) and prog_b (hits and
     publishes into directories A created);
  3. member A links prog_b warm (hits B's entries);
  4. the outsider links prog_a (one warning, no cache, a correct binary).
Each link's binary must equal its reference, lld must not complain, every
file left in DIR/sticky must be removable by the user who made it (it
removes them), and nothing else may be left there. Prints each link's
summary line (or warning) for FileCheck, and "ok" at the end."""
import argparse
import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys

TAG = "ltoc%d" % (os.getpid() % 100000)
GROUP = TAG + "g"
USERS = {"a": TAG + "a", "b": TAG + "b", "outsider": TAG + "o"}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def create_accounts():
    run(["groupadd", GROUP])
    for role, name in USERS.items():
        cmd = ["useradd", "--no-create-home", "--home-dir", "/nonexistent",
               "--shell", "/usr/sbin/nologin", "--no-user-group",
               "--gid", "nogroup"]
        if role != "outsider":
            cmd += ["--groups", GROUP]
        run(cmd + [name])


def remove_accounts():
    for name in USERS.values():
        subprocess.run(["userdel", name], stderr=subprocess.DEVNULL)
    subprocess.run(["groupdel", GROUP], stderr=subprocess.DEVNULL)


def link(args, who, objs, out, member=True):
    """Links as user \\p who; returns lld's and ltocache's messages."""
    # Nothing of root's environment (lit's TMPDIR is root's own).
    env = {"PATH": os.environ["PATH"], "HOME": "/nonexistent",
           "LANG": "C", "TMPDIR": "/tmp"}
    for k in ("LTOCACHE_TEST_CLANG",):
        if k in os.environ:
            env[k] = os.environ[k]
    if member:
        env["LTOCACHE_UMASK"] = "002"
    cmd = ["runuser", "-u", USERS[who], "--", "env", "-i"] + \
        ["%s=%s" % kv for kv in env.items()] + \
        [args.clang, "-O2", "-flto=thin", "-fuse-ld=lld",
         "-Wl,--thinlto-distributor=" + args.dtlto,
         "-Wl,--thinlto-remote-compiler=" + args.clang,
         "-Wl,--thinlto-distributor-arg=--cache-dir=" +
         os.path.join(args.dir, "cache")] + objs + ["-o", out]
    p = subprocess.run(cmd, cwd=args.dir, capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        sys.exit("%s's link of %s failed (%d):\n%s" %
                 (who, out, p.returncode, p.stderr))
    return p.stderr


def check_sticky(args, made):
    """Each file left in sticky/ is removed by the user who made it."""
    sticky = os.path.join(args.dir, "sticky")
    for name in sorted(os.listdir(sticky)):
        path = os.path.join(sticky, name)
        who = made.get(name)
        if who is None:
            sys.exit("left behind in the sticky directory: %s (owner uid %d)"
                     % (name, os.lstat(path).st_uid))
        p = subprocess.run(["runuser", "-u", USERS[who], "--", "rm", path],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("%s cannot remove %s: %s" % (who, name, p.stderr))


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("dir")
    ap.add_argument("--clang", required=True)
    ap.add_argument("--dtlto", required=True)
    args = ap.parse_args()
    args.dir = os.path.abspath(args.dir)
    if os.geteuid() != 0:
        sys.exit("shared_group.py must run as root (it creates users)")
    remove_accounts()
    try:
        create_accounts()
        gid = grp.getgrnam(GROUP).gr_gid
        cache = os.path.join(args.dir, "cache")
        os.mkdir(cache)
        os.chown(cache, 0, gid)
        os.chmod(cache, 0o2770)
        sticky = os.path.join(args.dir, "sticky")
        os.mkdir(sticky)
        os.chmod(sticky, 0o1777)
        os.chmod(args.dir, 0o755)
        a_objs = ["shared.o", "util.o", "prog_a.o"]
        b_objs = ["shared.o", "util.o", "strings.o", "prog_b.o"]
        plan = [("a", a_objs, "a.A1"), ("b", a_objs, "a.B1"),
                ("b", b_objs, "b.B1"), ("a", b_objs, "b.A1"),
                ("outsider", a_objs, "a.O1")]
        made = {}
        for who, objs, out in plan:
            err = link(args, who, objs, os.path.join("sticky", out),
                       member=who != "outsider")
            made[out] = who
            for line in err.splitlines():
                if "could not remove" in line or "ld.lld" in line:
                    sys.exit("%s's link of %s: lld said: %s" % (who, out, line))
                print("%s %s: %s" % (who, out, line))
            ref = open(os.path.join(args.dir, out[0] + ".ref"), "rb").read()
            if open(os.path.join(sticky, out), "rb").read() != ref:
                sys.exit("%s: not the reference binary" % out)
        # What the members wrote is the group's: files readable and
        # writable by the group, directories setgid and open to it.
        for root, dirs, files in os.walk(cache):
            for n in dirs + files:
                st = os.lstat(os.path.join(root, n))
                want = 0o2070 if stat.S_ISDIR(st.st_mode) else 0o060
                if st.st_gid != gid or st.st_mode & want != want:
                    sys.exit("%s: group %d, mode %o (want %d, bits %o)" % (
                        os.path.join(root, n), st.st_gid,
                        stat.S_IMODE(st.st_mode), gid, want))
        check_sticky(args, made)
        print("ok")
    finally:
        remove_accounts()


if __name__ == "__main__":
    main()
