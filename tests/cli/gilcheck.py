#!/usr/bin/env python3
"""The GIL as a --dump-trace tells it: one holder at a time, each take
after the last holder's release, and no thread waiting for I/O while it
holds the GIL (a wait written just before its release is its own). Prints
"TAKES WRONG" and the first wrong lines; exit status 1 if any.
  gilcheck.py DUMP"""
import sys

holder, takes, bad, pending = None, 0, [], {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 5 or not f[3].startswith("T"):
        continue
    no, tid, kind = f[0], f[3], f[4]
    if tid in pending:
        if kind != "gil-release":
            bad.append("%s: %s waited for I/O holding the GIL" % (pending[tid], tid))
        del pending[tid]
    if kind == "gil-acquire":
        if holder is not None:
            bad.append("%s: %s takes the GIL %s holds" % (no, tid, holder))
        holder, takes = tid, takes + 1
    elif kind == "gil-release":
        if holder != tid:
            bad.append("%s: %s lets go of the GIL %s holds" % (no, tid, holder))
        holder = None
    elif kind == "io-wait" and holder == tid:
        pending[tid] = no
print(takes, len(bad), *bad[:5])
sys.exit(1 if bad else 0)
