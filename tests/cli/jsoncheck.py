"""Checks a Chrome Trace Event file the way Perfetto reads it.

    python3 jsoncheck.py FILE [THREAD_NAME...]

Fails unless: it is JSON with a traceEvents list; every event has a phase,
pid and tid, and timestamps are numbers >= 0; every thread that has events
is named by a thread_name metadata event (ph "M"); there are complete
slices ("X", dur >= 0) and flow events ("s" and "f") whose ids pair up, one
start and one finish per id, the finish binding to its enclosing slice
("bp": "e"); and the names given on the command line are thread names.
Prints a summary."""
import json
import sys
from collections import Counter, defaultdict


def fail(why):
    print(f"jsoncheck: {sys.argv[1]}: {why}")
    sys.exit(1)


def main():
    try:
        doc = json.load(open(sys.argv[1], encoding="utf-8"))
    except ValueError as e:
        fail(f"not JSON: {e}")
    events = doc.get("traceEvents") if isinstance(doc, dict) else None
    if not isinstance(events, list) or not events:
        fail("no traceEvents")
    names, used = {}, set()
    flows = defaultdict(list)
    phases = Counter()
    for e in events:
        for key in ("ph", "pid", "tid", "name"):
            if key not in e:
                fail(f"an event without {key}: {e}")
        ph = e["ph"]
        phases[ph] += 1
        if ph == "M":
            if e["name"] == "thread_name":
                names[(e["pid"], e["tid"])] = e["args"]["name"]
            continue
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            fail(f"bad ts: {e}")
        if not (ph == "i" and e.get("s") in ("g", "p")):  # those are on no thread
            used.add((e["pid"], e["tid"]))
        if ph == "X" and not (isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0):
            fail(f"a slice without a duration: {e}")
        if ph in "sf":
            flows[e["id"]].append(e)
    unnamed = used - set(names)
    if unnamed:
        fail(f"threads without a thread_name: {sorted(unnamed)}")
    if not phases["X"]:
        fail("no slices (ph X)")
    if not flows:
        fail("no flow events (ph s/f)")
    for fid, pair in flows.items():
        kinds = sorted(p["ph"] for p in pair)
        if kinds != ["f", "s"]:
            fail(f"flow {fid} is not one s and one f: {kinds}")
        s, f = (pair[0], pair[1]) if pair[0]["ph"] == "s" else (pair[1], pair[0])
        if f.get("bp") != "e" or s["name"] != f["name"] or s.get("cat") != f.get("cat"):
            fail(f"flow {fid} does not pair up: {pair}")
        if f["ts"] < s["ts"]:
            fail(f"flow {fid} ends before it starts")
    wanted = set(sys.argv[2:]) - set(names.values())
    if wanted:
        fail(f"no thread named {sorted(wanted)}; names: {sorted(set(names.values()))}")
    print(f"{len(events)} events, {len(names)} threads named, phases {dict(phases)}, "
          f"{len(flows)} flows")


main()
