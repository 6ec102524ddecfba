#!/usr/bin/env python3
"""keydiff.py BEFORE AFTER: compares two ltocache --key-log files job by job.

For every module (sorted), prints
  <module>: key same|changed
then, for each field whose values differ (as multisets), one line per
removed and per added value:
  <module>: - <field> <value>
  <module>: + <field> <value>
and '<module>: fields reordered' when the same values come in another order.
A module in only one log prints '<module>: only before|only after'.
Tests FileCheck this output, typically with
--implicit-check-not='{{^[^ ]+: [-+] }}' so that no unexpected field change
goes unnoticed. Exits 1 if a log cannot be parsed.
"""
import collections
import re
import sys


def parse(path):
    jobs = {}
    current = None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = re.fullmatch(r"(\S+) ([0-9a-f]{64})", line)
            if m:
                current = jobs.setdefault(m.group(1), {"key": m.group(2), "fields": []})
                continue
            m = re.fullmatch(r"  (\S+) (.*)", line)
            if m and current is not None:
                current["fields"].append((m.group(1), m.group(2)))
                continue
            sys.exit(f"{path}:{n}: not a key-log line: {line!r}")
    return jobs


def main():
    before, after = parse(sys.argv[1]), parse(sys.argv[2])
    for mod in sorted(set(before) | set(after)):
        if mod not in after:
            print(f"{mod}: only before")
            continue
        if mod not in before:
            print(f"{mod}: only after")
            continue
        b, a = before[mod], after[mod]
        print(f"{mod}: key {'same' if b['key'] == a['key'] else 'changed'}")
        names = []
        for name, _ in b["fields"] + a["fields"]:
            if name not in names:
                names.append(name)
        for name in names:
            bv = collections.Counter(v for f, v in b["fields"] if f == name)
            av = collections.Counter(v for f, v in a["fields"] if f == name)
            for v in sorted((bv - av).elements()):
                print(f"{mod}: - {name} {v}")
            for v in sorted((av - bv).elements()):
                print(f"{mod}: + {name} {v}")
        if b["fields"] != a["fields"] and sorted(b["fields"]) == sorted(a["fields"]):
            print(f"{mod}: fields reordered")


main()
