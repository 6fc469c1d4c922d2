"""Checks a Chrome Trace Event file the way the viewers read it.

    python3 jsoncheck.py FILE [THREAD_NAME...]
    python3 jsoncheck.py --any FILE...

Fails unless: it is JSON with a traceEvents list; every event has a phase,
pid and tid, and no tid is 0 (older Perfetto merges tid 0 into tid 1);
timestamps are numbers and the first one is > 0 (some viewers drop events
at ts 0); every thread that has events is named by a thread_name metadata
event (ph "M"), and no process_name carries a "(pid N)" of its own (viewers
add one); the slices ("X", dur >= 0) of one thread never overlap when ts +
dur is added in doubles, as JavaScript viewers add them; flow events ("s"
and "f") pair up, one start and one finish per id with the same name and
category, the finish binding to its enclosing slice ("bp": "e"), and each
end lies strictly inside a slice of its own thread, so every viewer binds it
to that slice and no other; and the names given on the command line are
thread names. Without --any there must be slices and flows; with it, each
argument is a file to check (a run may have neither, e.g. threads that
live no time at all). Prints a summary per file."""
import json
import sys
from collections import Counter, defaultdict


def fail(why):
    print(f"jsoncheck: {PATH}: {why}")
    sys.exit(1)


def inside(slices, ts):
    """Whether ts lies strictly inside one of the (start, end) slices, as
    doubles: start < ts < start + dur."""
    lo, hi = 0, len(slices)
    while lo < hi:  # the last slice starting before ts
        mid = (lo + hi) // 2
        if slices[mid][0] < ts:
            lo = mid + 1
        else:
            hi = mid
    return lo > 0 and ts < slices[lo - 1][1]


def main():
    args = sys.argv[1:]
    if args[:1] == ["--any"]:
        for path in args[1:]:
            check(path, [], True)
    else:
        check(args[0], args[1:], False)


def check(path, wanted_names, lenient):
    global PATH
    PATH = path
    try:
        doc = json.load(open(PATH, encoding="utf-8"))
    except ValueError as e:
        fail(f"not JSON: {e}")
    events = doc.get("traceEvents") if isinstance(doc, dict) else None
    if not isinstance(events, list) or not events:
        fail("no traceEvents")
    names, used = {}, set()
    flows = defaultdict(list)
    slices = defaultdict(list)
    phases = Counter()
    first = None
    for e in events:
        for key in ("ph", "pid", "tid", "name"):
            if key not in e:
                fail(f"an event without {key}: {e}")
        if e["tid"] == 0:
            fail(f"tid 0 (older Perfetto merges it into tid 1): {e}")
        ph = e["ph"]
        phases[ph] += 1
        if ph == "M":
            if e["name"] == "thread_name":
                names[(e["pid"], e["tid"])] = e["args"]["name"]
            if e["name"] == "process_name" and "pid" in e["args"]["name"]:
                fail(f"a process name with a pid of its own (viewers add one): {e}")
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or isinstance(ts, bool):
            fail(f"bad ts: {e}")
        first = ts if first is None else min(first, ts)
        if not (ph == "i" and e.get("s") in ("g", "p")):  # those are on no thread
            used.add((e["pid"], e["tid"]))
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, (int, float)) or dur < 0:
                fail(f"a slice without a duration: {e}")
            slices[(e["pid"], e["tid"])].append((float(ts), float(ts) + float(dur), e))
        if ph in "sf":
            flows[e["id"]].append(e)
    if first is None or first <= 0:
        fail(f"the first event is at ts {first}; viewers drop what lies at 0")
    unnamed = used - set(names)
    if unnamed:
        fail(f"threads without a thread_name: {sorted(unnamed)}")
    if not lenient and not phases["X"]:
        fail("no slices (ph X)")
    if not lenient and not flows:
        fail("no flow events (ph s/f)")
    overlaps = 0
    for thread, sl in slices.items():
        sl.sort(key=lambda s: (s[0], s[1]))
        for a, b in zip(sl, sl[1:]):
            if a[1] > b[0]:
                overlaps += 1
                if overlaps == 1:
                    example = (thread, a[2], b[2], a[1], b[0])
    if overlaps:
        thread, a, b, end, start = example
        fail(f"{overlaps} slice pairs overlap in doubles, e.g. on {thread}: "
             f"{a} ends at {end!r} after {b} starts at {start!r}")
    spans = {k: [(s[0], s[1]) for s in v] for k, v in slices.items()}
    for fid, pair in flows.items():
        kinds = sorted(p["ph"] for p in pair)
        if kinds != ["f", "s"]:
            fail(f"flow {fid} is not one s and one f: {kinds}")
        s, f = (pair[0], pair[1]) if pair[0]["ph"] == "s" else (pair[1], pair[0])
        if f.get("bp") != "e" or s["name"] != f["name"] or not s.get("cat") \
                or s.get("cat") != f.get("cat"):
            fail(f"flow {fid} does not pair up: {pair}")
        if f["ts"] < s["ts"]:
            fail(f"flow {fid} ends before it starts")
        for end in (s, f):
            if not inside(spans.get((end["pid"], end["tid"]), []), float(end["ts"])):
                fail(f"flow {fid}: this end lies inside no slice of its thread: {end}")
    wanted = set(wanted_names) - set(names.values())
    if wanted:
        fail(f"no thread named {sorted(wanted)}; names: {sorted(set(names.values()))}")
    print(f"{PATH}: {len(events)} events, {len(names)} threads named, phases {dict(phases)}, "
          f"{len(flows)} flows")


PATH = "?"
main()
