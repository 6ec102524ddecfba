#!/usr/bin/env python3
"""check_trace.py TRACE --jobs=N: checks a --trace file of ltocache-dtlto
and prints what it holds, one "name: value" per line, for FileCheck.

Checked (any failure exits 1 with the reason):
- it is the Trace Event Format's JSON object: traceEvents, otherData;
- every event has a name, a phase (X, M, i, b, e), the one pid, a tid; a
  span has ts and dur >= 0;
- on every track (tid), spans nest: sorted by start, each one lies inside
  the innermost open span or after its end; a span's children lie inside
  it and their durations add up to at most its own;
- each of the N jobs has one span in phase 1 (children: key, lookup), and
  a job phase 1 missed was compiled (a job span with a compile child) or
  came from the remote (publish remote hit), never both used;
- the phases contain their jobs' spans; every async span ("b") ends ("e")
  no earlier than it began;
- the counters (otherData) are the summary line's, add up to N jobs, and
  count the hits and the races won on either side that the spans show.
"""
import argparse
import collections
import json
import re
import sys


def fail(why):
    sys.exit("check_trace.py: " + why)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--jobs", type=int, required=True)
    args = ap.parse_args()
    with open(args.trace) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or "traceEvents" not in doc:
        fail("no traceEvents object")
    events = doc["traceEvents"]
    meta = doc.get("otherData", {})
    pids = set()
    spans, asyncs, instants = [], [], []
    threads = {}
    for e in events:
        for k in ("name", "ph", "pid", "tid"):
            if k not in e:
                fail("event without %s: %r" % (k, e))
        pids.add(e["pid"])
        ph = e["ph"]
        if ph == "M":
            if e["name"] == "thread_name":
                threads[e["tid"]] = e["args"]["name"]
        elif ph == "X":
            if not isinstance(e.get("ts"), int) or not isinstance(
                    e.get("dur"), int) or e["dur"] < 0 or e["ts"] < 0:
                fail("bad span times: %r" % e)
            spans.append(e)
        elif ph in ("b", "e"):
            asyncs.append(e)
        elif ph == "i":
            instants.append(e)
        else:
            fail("unknown phase %r" % ph)
    if len(pids) != 1:
        fail("events of %d processes" % len(pids))

    # Nesting and sums, per track.
    children = collections.defaultdict(list)
    parent_of = {}
    by_tid = collections.defaultdict(list)
    for i, e in enumerate(spans):
        by_tid[e["tid"]].append(i)
    for tid, idx in by_tid.items():
        if tid not in threads:
            fail("track %d has no name" % tid)
        idx.sort(key=lambda i: (spans[i]["ts"], -spans[i]["dur"]))
        stack = []
        for i in idx:
            e = spans[i]
            while stack and spans[stack[-1]]["ts"] + spans[stack[-1]]["dur"] \
                    <= e["ts"] and not (spans[stack[-1]]["dur"] == 0 and
                                        spans[stack[-1]]["ts"] == e["ts"]):
                stack.pop()
            if stack:
                p = spans[stack[-1]]
                if e["ts"] + e["dur"] > p["ts"] + p["dur"]:
                    fail("span %r overlaps %r on track %r without nesting" % (
                        e["name"], p["name"], threads[tid]))
                children[stack[-1]].append(i)
                parent_of[i] = stack[-1]
            stack.append(i)
    for p, cs in children.items():
        total = sum(spans[c]["dur"] for c in cs)
        if total > spans[p]["dur"]:
            fail("children of %r last %d us, more than its %d us" % (
                spans[p]["name"], total, spans[p]["dur"]))

    def named(name):
        return [i for i, e in enumerate(spans) if e["name"] == name]

    def child_names(i):
        return sorted(spans[c]["name"] for c in children[i])

    def inside(i, outer):
        return any(spans[o]["ts"] <= spans[i]["ts"] and
                   spans[i]["ts"] + spans[i]["dur"] <=
                   spans[o]["ts"] + spans[o]["dur"] for o in outer)

    # Jobs.
    phase1 = named("phase 1: keys and local lookups")
    phase2 = named("phase 2: misses")
    if len(phase1) != 1:
        fail("%d phase 1 spans" % len(phase1))
    first, compiled = {}, collections.defaultdict(list)
    for i, e in enumerate(spans):
        if e.get("cat") != "job":
            continue
        job = e["args"].get("job")
        if not isinstance(job, int) or not 0 <= job < args.jobs:
            fail("job span without a job number: %r" % e)
        names = child_names(i)
        if "compile" in names:
            compiled[job].append(i)
            if not set(names) <= {"compile", "publish"}:
                fail("job %d's compile span has children %r" % (job, names))
        else:
            if job in first:
                fail("job %d has two spans in phase 1" % job)
            if not set(names) <= {"key", "lookup"}:
                fail("job %d's phase 1 span has children %r" % (job, names))
            if not inside(i, phase1):
                fail("job %d's phase 1 span is outside phase 1" % job)
            first[job] = i
    if sorted(first) != list(range(args.jobs)):
        fail("jobs with a phase 1 span: %r" % sorted(first))
    outcomes = collections.Counter(spans[i]["args"]["outcome"]
                                   for i in first.values())
    from_remote = {spans[i]["args"]["job"] for i in named("publish remote hit")}
    for job, i in first.items():
        o = spans[i]["args"]["outcome"]
        if o == "hit":
            if "lookup" not in child_names(i):
                fail("hit %d without a lookup span" % job)
            if compiled[job] or job in from_remote:
                fail("hit %d compiled or fetched again" % job)
        elif o in ("miss", "uncached"):
            used = [c for c in compiled[job] if spans[c]["args"]["outcome"]
                    .startswith("compiled")]
            if len(used) + (job in from_remote) != 1:
                fail("miss %d: %d compiles used, %s from the remote" % (
                    job, len(used), job in from_remote))
        else:
            fail("job %d: outcome %r" % (job, o))
    # (A compile that lost to the remote may end after the link's work.)
    for i in [c for cs in compiled.values() for c in cs]:
        if spans[i]["args"]["outcome"].startswith("compiled") and \
                not inside(i, phase2):
            fail("a compile outside phase 2")

    # Async spans: begin and end pair up.
    opened = {}
    pairs = collections.Counter()
    answers = collections.defaultdict(collections.Counter)
    for e in sorted(asyncs, key=lambda e: e["ph"] != "b"):
        k = (e["cat"], e["name"], e["id"])
        if e["ph"] == "b":
            if k in opened:
                fail("async span %r begun twice" % (k,))
            opened[k] = e
        else:
            b = opened.pop(k, None)
            if b is None or e["ts"] < b["ts"]:
                fail("async span %r ends before it begins" % (k,))
            pairs[e["name"]] += 1
            answers[e["name"]][b["args"]["answer"]] += 1
    if opened:
        fail("async spans never ended: %r" % list(opened))

    # Counters.
    c = meta.get("counters")
    if not c:
        fail("no counters in otherData")
    m = re.match(r"ltocache: (\d+) jobs, (\d+) hits, (\d+) misses, "
                 r"(\d+) bypasses", meta.get("summary", ""))
    if not m or [int(x) for x in m.groups()] != [
            c["jobs"], c["hits"], c["misses"], c["bypasses"]]:
        fail("counters %r differ from the summary %r" % (c, meta.get(
            "summary")))
    if c["jobs"] != args.jobs or c["hits"] + c["misses"] + c["uncached"] + \
            c["from_remote"] != args.jobs:
        fail("counters do not add up to %d jobs: %r" % (args.jobs, c))
    if c["hits"] != outcomes["hit"]:
        fail("%d hits counted, %d traced" % (c["hits"], outcomes["hit"]))
    remote_won = sum(1 for e in instants if e["name"] == "remote won")
    local_won = sum(1 for cs in compiled.values() for i in cs
                    if spans[i]["args"]["outcome"] ==
                    "compiled, won against the remote")
    if (remote_won, local_won) != (c["remote_wins"], c["local_wins"]):
        fail("races: %d remote and %d local wins traced, %d and %d counted" % (
            remote_won, local_won, c["remote_wins"], c["local_wins"]))

    print("tracks: %s" % ", ".join(sorted(set(threads.values()))))
    print("phase 1 jobs: %s" % ", ".join(
        "%d %s" % (n, o) for o, n in sorted(outcomes.items())))
    print("compiled: %d" % sum(
        1 for cs in compiled.values() for i in cs
        if spans[i]["args"]["outcome"].startswith("compiled")))
    print("lost to the remote: %d" % sum(
        1 for cs in compiled.values() for i in cs
        if spans[i]["args"]["outcome"] == "lost to the remote"))
    print("from the remote: %d" % len(from_remote))
    for name in ("remote lookup", "upload"):
        print("%s: %d (%s)" % (name, pairs[name], ", ".join(
            "%s %d" % (a, n) for a, n in sorted(answers[name].items()))))
    print("remote won: %d" % remote_won)
    print("local won: %d" % local_won)
    print("uploads phase: %d" % len(named("uploads")))
    print("counters: %d jobs, %d hits, %d misses, %d from remote" % (
        c["jobs"], c["hits"], c["misses"], c["from_remote"]))


if __name__ == "__main__":
    main()
